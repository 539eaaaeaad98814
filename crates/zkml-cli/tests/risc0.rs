//! RISC Zero end to end: a real composite receipt of a small private test set, verified; a
//! tampered receipt, a rewritten journal, a swapped claim and a receipt checked against the
//! other guest's image id are rejected; both guests (SHA-256 accelerator on and off) compute exactly the native claim,
//! and the cycle profiler accounts for the guest's work. A succinct receipt (the SDK's own
//! recursion) of a small test set is verified, and tampered or wrong-image ones are rejected.
//!
//! Builds the RISC Zero backend on first use (cold: tens of minutes; reused from the cache after).

mod common;

use common::*;
use zkml_protocol::ProofFile;

#[test]
fn risc0_proves_verifies_and_rejects_tampering() {
    let (repo, tmp, native) = small_private_test_set("60", "5", "ridge");
    let t = tmp.path();
    let p = |name: &str| t.join(name).display().to_string();
    let args = ["prove", "--zkvm", "risc0", "--model", &p("m.json"), "--test", &p("test.csv"), "--out", &p("r.proof"), "--json"];
    let proven = json(&ok(&repo, &args));
    assert_eq!(proven["real_proof"], true, "{proven}");
    assert_eq!(proven["mode"], "composite");
    assert_eq!(proven["claim"]["encoded"], native["claim"]["encoded"], "the zkVM claim must equal the native one");
    let cycles = &proven["cycles"];
    assert!(cycles["user"].as_u64().unwrap() > 10_000, "{cycles}");
    assert!(cycles["total"].as_u64().unwrap() >= cycles["user"].as_u64().unwrap() + cycles["paging"].as_u64().unwrap());
    assert!(cycles["segments"].as_u64().unwrap() >= 1);
    assert!(proven["phases"]["prove_s"].as_f64().unwrap() > 0.0);
    assert!(proven["proof_bytes"].as_u64().unwrap() > 100_000, "a composite receipt carries a STARK seal per segment");
    assert!(proven["notes"].to_string().contains("one STARK per segment"), "{proven}");
    assert_eq!(proven["privacy"]["zero_knowledge"], true, "RISC Zero receipts claim zero-knowledge");
    assert_eq!(proven["privacy"]["family"], "segmented");

    let v = json(&ok(&repo, &["verify", &p("r.proof"), "--model", &p("m.json"), "--require-proof", "--json"]));
    assert_eq!(v["report"]["valid"], true);
    assert_proof_leaks_no_rows(t, "r.proof", &proven, v.to_string().as_bytes());
    // verify names the program it checked the proof against: the one the header names.
    assert_eq!(v["program"]["id_kind"], "image id", "{v}");
    assert_eq!(v["program"]["id"], v["header"]["program_id"], "{v}");
    assert_zero_knowledge_catalogue_matches("risc0");

    // Tampering, each written with a valid file checksum so that RISC Zero's verifier must catch it.
    let original = ProofFile::read(&t.join("r.proof")).unwrap();
    let (flipped, swapped) = flipped_and_swapped(&original);
    let mut better = original.claim;
    better.sse /= 2;
    let forged = forge_public_values(&original, &better);
    let mut wrong_image = original.clone();
    wrong_image.header.precompiles = zkml_protocol::Precompiles::Off;
    assert_rejected(
        &repo,
        t,
        &[
            ("flipped.proof", &flipped, "verification failed"),
            ("forged.proof", &forged, "verification failed"),
            ("swapped.proof", &swapped, "not the claim"),
            ("wrong-image.proof", &wrong_image, "image id"),
        ],
    );

    // Both guests compute the native claim (execution only: cheap), and the software-hashing
    // guest costs more cycles than the accelerated one.
    let (on, off) = guests_execute_like_native("risc0", t, &native);
    assert!(off["cycles"]["user"].as_u64() > on["cycles"]["user"].as_u64(), "on {on}\noff {off}");

    // The profile's phases are real measurements that add up to less than the whole run.
    let input = write_guest_input(t).display().to_string();
    let profile = backend_json("risc0", &["profile", "--input", &input]);
    let phases = &profile["phases"];
    let sum: u64 = ["read_input", "decode_validate", "hash_accelerated", "hash_software", "predict_and_metrics"]
        .iter()
        .map(|k| phases[k]["cycles"].as_u64().unwrap())
        .sum();
    assert!(phases["predict_and_metrics"]["cycles"].as_u64().unwrap() > 0);
    assert!(phases["hash_software"]["cycles"].as_u64() > phases["hash_accelerated"]["cycles"].as_u64(), "{profile}");
    assert!(sum < profile["user_cycles_with_profiling"].as_u64().unwrap(), "{profile}");
}

#[test]
fn risc0_succinct_receipt_is_one_constant_size_proof() {
    let (repo, tmp, native) = small_private_test_set("60", "9", "ridge");
    let t = tmp.path();
    let p = |name: &str| t.join(name).display().to_string();
    let args = [
        "prove",
        "--zkvm",
        "risc0",
        "--mode",
        "succinct",
        "--model",
        &p("m.json"),
        "--test",
        &p("test.csv"),
        "--out",
        &p("s.proof"),
        "--require-zk",
        "--json",
    ];
    let proven = json(&ok(&repo, &args));
    assert_eq!(proven["real_proof"], true, "{proven}");
    assert_eq!(proven["mode"], "succinct");
    assert_eq!(proven["privacy"]["family"], "aggregated");
    assert_eq!(proven["claim"]["encoded"], native["claim"]["encoded"], "the zkVM claim must equal the native one");
    assert!(proven["phases"]["prove_s"].as_f64().unwrap() > 0.0 && proven["phases"]["compress_s"].as_f64().unwrap() > 0.0);
    // One recursion STARK: far smaller than a segment receipt (~250 KiB), whatever the rows.
    let bytes = proven["proof_bytes"].as_u64().unwrap();
    assert!(bytes > 50_000 && bytes < 400_000, "succinct receipt of {bytes} bytes");

    let v = ok(&repo, &["verify", &p("s.proof"), "--model", &p("m.json"), "--require-proof", "--json"]);
    assert_eq!(json(&v)["report"]["valid"], true);
    assert_proof_leaks_no_rows(t, "s.proof", &proven, &v.stdout);

    let original = ProofFile::read(&t.join("s.proof")).unwrap();
    let (flipped, swapped) = flipped_and_swapped(&original);
    let mut wrong_image = original.clone();
    wrong_image.header.precompiles = zkml_protocol::Precompiles::Off;
    // A succinct receipt presented as composite (and the reverse) is not accepted either.
    let mut wrong_kind = original.clone();
    wrong_kind.header.mode = "composite".into();
    assert_rejected(
        &repo,
        t,
        &[
            ("flipped.proof", &flipped, "verification failed"),
            ("swapped.proof", &swapped, "not the claim"),
            ("wrong-image.proof", &wrong_image, "image id"),
            ("wrong-kind.proof", &wrong_kind, "not a composite receipt"),
        ],
    );
}

/// Gradient-boosted trees and an MLP: both guests compute the native claim, and a real composite
/// proof of each verifies (issue #32).
#[test]
fn risc0_proves_the_compute_intensive_models() {
    let cycles = compute_intensive_models_prove_like_native("risc0", "composite");
    assert_eq!(cycles.len(), 2);
}

/// Interrupting `prove` stops the prover and leaves nothing behind (issue #33): SIGTERM mid-proof
/// exits 130 with no proof at --out, no prover left running and nothing left in the temporary
/// directory; after kill -9 of zkml-bench the prover dies with it and the only leftover (the
/// private directory the killed process could not remove) is readable by its owner only.
#[test]
fn interrupting_prove_stops_the_prover_and_leaks_no_rows() {
    use std::os::unix::fs::PermissionsExt;
    let (repo, tmp, _) = small_private_test_set("60", "5", "ridge");
    let t = tmp.path();
    let p = |name: &str| t.join(name).display().to_string();
    // SIGTERM once (the prover is stopped, then clean-up), twice (quit at once: clean-up in the
    // handler), SIGKILL (no clean-up possible: the next zkml-bench removes the orphan).
    for (signal, times) in [(libc::SIGTERM, 1), (libc::SIGTERM, 2), (libc::SIGKILL, 1)] {
        let scratch = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_zkml-bench"))
            .current_dir(&repo)
            .env("TMPDIR", scratch.path())
            .args(["prove", "--zkvm", "risc0", "--model", &p("m.json"), "--test", &p("test.csv"), "--out", &p("i.proof")])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the backend has its input (the private directory holds input.bin).
        let private = loop {
            let found = std::fs::read_dir(scratch.path()).unwrap().flatten().map(|e| e.path()).find(|d| d.join("input.bin").exists());
            if let Some(d) = found {
                break d;
            }
            assert!(child.try_wait().unwrap().is_none(), "prove ended before its backend started");
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        assert_eq!(std::fs::metadata(&private).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(private.join("input.bin")).unwrap().permissions().mode() & 0o777, 0o600);
        std::thread::sleep(std::time::Duration::from_secs(2));
        for _ in 0..times {
            unsafe { libc::kill(child.id() as i32, signal) };
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let status = child.wait().unwrap();
        // No process may still hold the private directory in its command line.
        let needle = private.display().to_string();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let alive = std::fs::read_dir("/proc")
                .unwrap()
                .flatten()
                .any(|e| std::fs::read(e.path().join("cmdline")).map(|c| String::from_utf8_lossy(&c).contains(&needle)).unwrap_or(false));
            if !alive {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "a prover outlived zkml-bench ({signal})");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        assert!(!t.join("i.proof").exists(), "no proof may appear at --out ({signal})");
        if signal == libc::SIGTERM {
            assert_eq!(status.code(), Some(130), "{status:?}");
            assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 0, "the private directory is removed");
        } else {
            assert_eq!(std::fs::metadata(&private).unwrap().permissions().mode() & 0o777, 0o700);
            let out =
                std::process::Command::new(env!("CARGO_BIN_EXE_zkml-bench")).env("TMPDIR", scratch.path()).arg("zkvms").output().unwrap();
            assert!(String::from_utf8_lossy(&out.stderr).contains("removed 1 private temporary directory"), "{out:?}");
            assert!(!private.exists(), "the next zkml-bench removes what a killed one left");
        }
    }
}

/// Issue #33: the guests are reproducible — built from a copy of this tree at another path, into
/// another target directory, they are byte-identical to the installed ones (so their image ids
/// match), and no guest names a path of the machine that built it.
#[test]
fn risc0_guests_are_reproducible_from_another_path() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    assert_guests_reproducible(
        "risc0",
        &["zkml-risc0-precompiles-on", "zkml-risc0-precompiles-off", "zkml-risc0-profile", "zkml-risc0-chunk", "zkml-risc0-aggregate"],
    );
    assert_readme_lists_programs("risc0");
    // `zkvms` lists the program ids a verifier elsewhere compares with.
    let listed = json(&ok(&repo, &["zkvms", "--json"]));
    let risc0 = listed["backends"].as_array().unwrap().iter().find(|b| b["name"] == "risc0").unwrap();
    let programs = risc0["info"]["programs"].as_array().unwrap();
    // The ordinary guests (accelerator on, off), then issue #36's chunk and aggregation guests.
    let roles: Vec<_> = programs.iter().map(|p| (p["precompiles"].as_str(), p["role"].as_str())).collect();
    assert_eq!(roles, [(Some("on"), None), (Some("off"), None), (Some("on"), Some("chunk")), (Some("on"), Some("chunked"))], "{risc0}");
    assert!(programs.iter().all(|p| p["id_kind"] == "image id" && p["id"].as_str().is_some_and(|id| id.len() == 64)), "{risc0}");
}

/// Issue #36 on RISC Zero: chunk receipts aggregated by composition into one succinct receipt
/// (zero-knowledge, as every RISC Zero receipt); the scenario is [`assert_proves_in_chunks`].
#[test]
fn risc0_proves_a_test_set_in_chunks_resumes_and_rejects_bad_chunks() {
    assert_proves_in_chunks("risc0", true, "verification failed");
}

//! SP1 end to end: a real core proof (and a compressed one) of a small private test set, verified; a tampered proof,
//! forged public values, a swapped claim and a proof checked against the other guest's
//! verifying key are rejected; a prover over its memory limit fails cleanly; both guests
//! (SHA-256 precompile on and off) compute exactly the native claim.
//!
//! Every SP1 prover process spends about 85 s starting its CPU prover before it proves anything
//! (the "prover client start-up" of each record), so these tests make each proof once: the core
//! proof is of the forest and the compressed one of the MLP (the compute-intensive models,
//! issue #32), and ridge is proven in chunks.
//!
//! Builds the SP1 backend on first use (cold: tens of minutes; reused from the cache after).

mod common;

use common::*;
use zkml_protocol::ProofFile;

/// SP1's prover needs 10–18 GiB a proof here: the tests that prove take turns (two at once, as
/// the test harness would run them, exceed a 24 GiB machine and the memory guard ends one).
static ONE_PROVER: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_prover() -> std::sync::MutexGuard<'static, ()> {
    ONE_PROVER.lock().unwrap_or_else(|e| e.into_inner())
}

/// A core proof of a gradient-boosted forest (issue #32).
#[test]
fn sp1_proves_verifies_and_rejects_tampering() {
    let _turn = one_prover();
    let (repo, tmp, native) = small_private_test_set_with("60", "5", FOREST.0, FOREST.1);
    assert_eq!(native["claim"]["model"], FOREST.0, "{native}");
    let t = tmp.path();
    let p = |name: &str| t.join(name).display().to_string();
    let args = ["prove", "--zkvm", "sp1", "--model", &p("m.json"), "--test", &p("test.csv"), "--out", &p("s.proof"), "--json"];
    let proven = json(&ok(&repo, &args));
    assert_eq!(proven["real_proof"], true, "{proven}");
    assert_eq!(proven["mode"], "core");
    assert_eq!(proven["claim"]["encoded"], native["claim"]["encoded"], "the zkVM claim must equal the native one");
    assert!(proven["cycles"]["total"].as_u64().unwrap() > 10_000, "{proven}");
    assert!(proven["phases"]["setup_s"].as_f64().unwrap() > 0.0 && proven["phases"]["prove_s"].as_f64().unwrap() > 0.0);
    assert!(proven["proof_bytes"].as_u64().unwrap() > 100_000);
    // The record says what the prover ran under: the pipeline the host chose, and that the user set nothing.
    let notes: Vec<&str> = proven["notes"].as_array().unwrap().iter().filter_map(|n| n.as_str()).collect();
    assert!(notes.contains(&"memory settings: none set by the user"), "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("prover pipeline: SP1_WORKER_NUM_CORE_WORKERS=") && n.contains("GiB budget")), "{notes:?}");

    assert_zero_knowledge_catalogue_matches("sp1");
    let v = ok(&repo, &["verify", &p("s.proof"), "--model", &p("m.json"), "--require-proof", "--json"]);
    assert_eq!(json(&v)["report"]["valid"], true);
    assert_proof_leaks_no_rows(t, "s.proof", &proven, &v.stdout);

    // Tampering, each written with a valid file checksum so that SP1's verifier must catch it.
    let original = ProofFile::read(&t.join("s.proof")).unwrap();
    let mut flipped = original.clone();
    let mid = flipped.payload.len() / 2;
    flipped.payload[mid] ^= 0x01;
    let mut better = original.claim;
    better.sse /= 2;
    let forged = forge_public_values(&original, &better);
    let mut swapped = original.clone();
    swapped.claim = better;
    let mut wrong_vk = original.clone();
    wrong_vk.header.precompiles = zkml_protocol::Precompiles::Off;
    assert_rejected(
        &repo,
        t,
        &[
            ("flipped.proof", &flipped, ""),
            ("forged.proof", &forged, "verification failed"),
            ("swapped.proof", &swapped, "not the claim"),
            ("wrong-vk.proof", &wrong_vk, "verifying key"),
        ],
    );

    // Both guests compute the native claim (execution only), software hashing costs more.
    let (on, off) = guests_execute_like_native("sp1", t, &native);
    assert!(off["cycles"]["total"].as_u64() > on["cycles"]["total"].as_u64(), "on {on}\noff {off}");
    let input = write_guest_input(t).display().to_string();

    // A prover over its memory limit ends as a clear failed run (JSON error, exit 1), not a hang.
    let out = std::process::Command::new(zkml_harness::run::registry::backend_binary("sp1"))
        .args(["prove", "--input", &input, "--out", &p("oom.proof")])
        .env("ZKML_MAX_RSS_MB", "300")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(json(&out)["error"].as_str().unwrap().contains("out of memory"), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(!t.join("oom.proof").exists());
}

/// SP1's compressed mode (one recursively compressed STARK) of an MLP: both guests compute the
/// native claim, a real proof verifies, a flipped bit and a swapped claim are rejected, and
/// neither the proof nor any output holds the private rows (issue #35: the leak check covers
/// every mode a backend offers here; issue #32: the MLP).
#[test]
fn sp1_compressed_proof_verifies_rejects_tampering_and_leaks_no_rows() {
    let _turn = one_prover();
    let (repo, tmp, native) = small_private_test_set_with("40", "9", MLP.0, MLP.1);
    assert_eq!(native["claim"]["model"], MLP.0, "{native}");
    let t = tmp.path();
    guests_execute_like_native("sp1", t, &native);
    let p = |name: &str| t.join(name).display().to_string();
    let args = [
        "prove",
        "--zkvm",
        "sp1",
        "--mode",
        "compressed",
        "--model",
        &p("m.json"),
        "--test",
        &p("test.csv"),
        "--out",
        &p("c.proof"),
        "--json",
    ];
    let proven = json(&ok(&repo, &args));
    assert_eq!((proven["real_proof"].as_bool(), proven["mode"].as_str()), (Some(true), Some("compressed")), "{proven}");
    assert_eq!(proven["claim"]["encoded"], native["claim"]["encoded"], "the zkVM claim must equal the native one");
    let v = ok(&repo, &["verify", &p("c.proof"), "--model", &p("m.json"), "--require-proof", "--json"]);
    assert_eq!(json(&v)["report"]["valid"], true);
    assert_proof_leaks_no_rows(t, "c.proof", &proven, &v.stdout);
    let original = ProofFile::read(&t.join("c.proof")).unwrap();
    let (flipped, swapped) = flipped_and_swapped(&original);
    assert_rejected(&repo, t, &[("flipped.proof", &flipped, ""), ("swapped.proof", &swapped, "not the claim")]);
}

/// Issue #33: the SP1 guests built from a copy of this tree at another path are byte-identical
/// to the installed ones (so their verifying keys match), and name no path of the machine.
#[test]
fn sp1_guests_are_reproducible_from_another_path() {
    assert_guests_reproducible("sp1", &["zkml-sp1-precompiles-on", "zkml-sp1-precompiles-off", "zkml-sp1-chunk", "zkml-sp1-aggregate"]);
    assert_readme_lists_programs("sp1");
}

/// Issue #36 on SP1: compressed chunk proofs, each verified inside the aggregation guest
/// (`verify_sp1_proof`), one compressed aggregate; not zero-knowledge, like every SP1 STARK
/// proof. The scenario is [`assert_proves_in_chunks`].
#[test]
fn sp1_proves_a_test_set_in_chunks_resumes_and_rejects_bad_chunks() {
    let _turn = one_prover();
    assert_proves_in_chunks("sp1", false, "");
}

//! OpenVM end to end: a real app proof of a small private test set, verified; tampered
//! proofs, swapped claims and proofs of another program are rejected; both guests (SHA-256
//! extension on and off) compute exactly the native claim.
//!
//! Builds the OpenVM backend on first use (cold: several minutes; reused from the cache after).

use std::path::Path;
use std::process::{Command, Output};
use zkml_protocol::ProofFile;

fn bin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkml-bench")).current_dir(dir).args(args).output().unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = bin(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Synthetic data -> features -> a model and its private test split in a temporary directory,
/// plus the native prove report for it. Commands run from the repository root so that the
/// harness finds zkvms/openvm.
fn small_private_test_set(customers: &str, seed: &str, model: &str) -> (std::path::PathBuf, tempfile::TempDir, serde_json::Value) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name).display().to_string();
    ok(&repo, &["data", "synth", "--customers", customers, "--seed", seed, "--out", &p("tx.csv")]);
    ok(&repo, &["data", "features", "--input", &p("tx.csv"), "--out", &p("f.csv")]);
    ok(&repo, &["train", "--features", &p("f.csv"), "--model", model, "--out", &p("m.json"), "--test-out", &p("test.csv")]);
    let native = json(&ok(
        &repo,
        &["prove", "--zkvm", "native", "--model", &p("m.json"), "--test", &p("test.csv"), "--out", &p("n.proof"), "--json"],
    ));
    (repo, tmp, native)
}

#[test]
fn openvm_proves_verifies_and_rejects_tampering() {
    let (repo, tmp, native) = small_private_test_set("120", "3", "poly2");
    let t = tmp.path();
    let p = |name: &str| t.join(name).display().to_string();
    let proven = json(&ok(
        &repo,
        &[
            "prove",
            "--zkvm",
            "openvm",
            "--model",
            &p("m.json"),
            "--test",
            &p("test.csv"),
            "--out",
            &p("o.proof"),
            "--json",
            "--precompiles",
            "on",
        ],
    ));
    assert_eq!(proven["real_proof"], true);
    assert_eq!(proven["claim"]["encoded"], native["claim"]["encoded"], "the zkVM claim must equal the native one");
    assert!(proven["cycles"]["total"].as_u64().unwrap() > 10_000);
    assert!(proven["phases"]["setup_s"].as_f64().unwrap() > 0.0 && proven["phases"]["prove_s"].as_f64().unwrap() > 0.0);
    assert!(proven["proof_bytes"].as_u64().unwrap() > 10_000);

    let v = ok(&repo, &["verify", &p("o.proof"), "--model", &p("m.json"), "--require-proof", "--json"]);
    assert_eq!(json(&v)["report"]["valid"], true);

    // Tampering, each written with a valid file checksum so that OpenVM's verifier must catch it.
    let original = ProofFile::read(&t.join("o.proof")).unwrap();
    let mut flipped = original.clone();
    let mid = flipped.payload.len() / 2;
    flipped.payload[mid] ^= 0x01;
    let mut swapped = original.clone();
    swapped.claim.r2 += 1 << 20;
    let mut relabelled = original.clone();
    relabelled.header.precompiles = zkml_protocol::Precompiles::Off;
    for (name, f, why) in [
        ("flipped.proof", &flipped, ""),
        ("swapped.proof", &swapped, "not the claim"),
        ("relabelled.proof", &relabelled, "another program"),
    ] {
        f.write(&t.join(name)).unwrap();
        let out = bin(&repo, &["verify", &p(name)]);
        assert_eq!(out.status.code(), Some(2), "{name} must be invalid: {}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("INVALID") && err.contains(why), "{name}: {err}");
    }

    // Both guests compute the native claim (execution only: cheap).
    std::fs::write(t.join("input.bin"), {
        let (_, words) = zkml_harness::workflow::guest_input(&t.join("m.json"), &t.join("test.csv"), &[0; 32]).unwrap();
        zkml_core::words_as_bytes(&words).to_vec()
    })
    .unwrap();
    let exe = zkml_harness::registry::backend_binary("openvm");
    for prec in ["on", "off"] {
        let out = Command::new(&exe).args(["execute", "--input", &p("input.bin"), "--precompiles", prec]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(json(&out)["claim"]["encoded"], native["claim"]["encoded"], "precompiles {prec}");
    }
}

/// The aggregated STARK mode: one constant-size proof, verified; a swapped claim is rejected.
#[test]
fn openvm_stark_mode_proves_and_rejects_a_swapped_claim() {
    let (repo, tmp, native) = small_private_test_set("60", "5", "ridge");
    let t = tmp.path();
    let p = |name: &str| t.join(name).display().to_string();
    let proven = json(&ok(
        &repo,
        &[
            "prove",
            "--zkvm",
            "openvm",
            "--mode",
            "stark",
            "--model",
            &p("m.json"),
            "--test",
            &p("test.csv"),
            "--out",
            &p("s.proof"),
            "--json",
        ],
    ));
    assert_eq!(proven["mode"], "stark");
    assert_eq!(proven["claim"]["encoded"], native["claim"]["encoded"]);
    let v = ok(&repo, &["verify", &p("s.proof"), "--require-proof", "--json"]);
    assert_eq!(json(&v)["report"]["valid"], true);
    let mut swapped = ProofFile::read(&t.join("s.proof")).unwrap();
    swapped.claim.sse += 1;
    swapped.write(&t.join("swapped.proof")).unwrap();
    let out = bin(&repo, &["verify", &p("swapped.proof")]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

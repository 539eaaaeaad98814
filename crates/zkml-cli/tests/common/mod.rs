//! Helpers shared by the zkVM end-to-end tests: run the CLI, parse its JSON, and make a small
//! private test set with its native claim.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn bin(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkml-bench")).current_dir(dir).args(args).output().unwrap()
}

pub fn ok(dir: &Path, args: &[&str]) -> Output {
    let out = bin(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Synthetic data -> features -> a model and its private test split in a temporary directory,
/// plus the native prove report for it. Commands run from the repository root so that the
/// harness finds zkvms/NAME.
pub fn small_private_test_set(customers: &str, seed: &str, model: &str) -> (std::path::PathBuf, tempfile::TempDir, serde_json::Value) {
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

/// The canonical guest input for the test set (the bytes a backend binary's `--input` reads).
pub fn write_guest_input(dir: &Path) -> std::path::PathBuf {
    let (_, words) = zkml_harness::workflow::guest_input(&dir.join("m.json"), &dir.join("test.csv"), &[0; 32]).unwrap();
    let path = dir.join("input.bin");
    std::fs::write(&path, zkml_core::words_as_bytes(&words)).unwrap();
    path
}

/// Runs a backend binary directly (`execute`, `profile`, ...) and returns its JSON.
pub fn backend_json(zkvm: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(zkml_harness::registry::backend_binary(zkvm)).args(args).output().unwrap();
    assert!(out.status.success(), "{zkvm} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    json(&out)
}

/// Rewrites the public values inside a proof payload: finds the claim's encoding (stored
/// verbatim by the backend's serialisation) and replaces it with `forged`'s. Used to check that
/// a verifier binds the proof to its public values, not only the file's claim to the payload.
pub fn forge_public_values(file: &zkml_protocol::ProofFile, forged: &zkml_core::Claim) -> zkml_protocol::ProofFile {
    let old = file.claim.encode();
    let at = file.payload.windows(old.len()).position(|w| w == old).expect("the payload carries the claim's bytes verbatim");
    let mut out = file.clone();
    out.payload[at..at + old.len()].copy_from_slice(&forged.encode());
    out.claim = *forged;
    out
}

/// Writes each tampered proof file (with a valid file checksum, so that the backend's own
/// verifier must catch it) and asserts that `verify` rejects it: exit status 2, "INVALID", and
/// `why` in the message.
pub fn assert_rejected(repo: &Path, dir: &Path, cases: &[(&str, &zkml_protocol::ProofFile, &str)]) {
    for &(name, file, why) in cases {
        let path = dir.join(name);
        file.write(&path).unwrap();
        let out = bin(repo, &["verify", &path.display().to_string()]);
        assert_eq!(out.status.code(), Some(2), "{name} must be invalid: {}", String::from_utf8_lossy(&out.stderr));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("INVALID") && err.contains(why), "{name}: {err}");
    }
}

/// The two tamperings every backend's verifier must catch: one bit flipped in the middle of the
/// payload, and the claim changed (MSE + 1) with the payload untouched.
pub fn flipped_and_swapped(original: &zkml_protocol::ProofFile) -> (zkml_protocol::ProofFile, zkml_protocol::ProofFile) {
    let mut flipped = original.clone();
    let mid = flipped.payload.len() / 2;
    flipped.payload[mid] ^= 0x01;
    let mut swapped = original.clone();
    swapped.claim.mse += 1;
    (flipped, swapped)
}

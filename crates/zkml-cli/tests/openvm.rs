//! OpenVM end to end: a real app proof of a small private test set, verified; tampered
//! proofs, swapped claims and proofs of another program are rejected; both guests (SHA-256
//! extension on and off) compute exactly the native claim.
//!
//! Builds the OpenVM backend on first use (cold: several minutes; reused from the cache after).

mod common;

use common::*;
use zkml_protocol::ProofFile;

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

    assert_zero_knowledge_catalogue_matches("openvm");
    let v = ok(&repo, &["verify", &p("o.proof"), "--model", &p("m.json"), "--require-proof", "--json"]);
    assert_eq!(json(&v)["report"]["valid"], true);
    assert_proof_leaks_no_rows(t, "o.proof", &proven, &v.stdout);

    // Tampering, each written with a valid file checksum so that OpenVM's verifier must catch it.
    let original = ProofFile::read(&t.join("o.proof")).unwrap();
    let (flipped, swapped) = flipped_and_swapped(&original);
    let mut relabelled = original.clone();
    relabelled.header.precompiles = zkml_protocol::Precompiles::Off;
    assert_rejected(
        &repo,
        t,
        &[
            ("flipped.proof", &flipped, ""),
            ("swapped.proof", &swapped, "not the claim"),
            ("relabelled.proof", &relabelled, "another program"),
        ],
    );

    // Both guests compute the native claim (execution only: cheap).
    guests_execute_like_native("openvm", t, &native);
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
    assert_proof_leaks_no_rows(t, "s.proof", &proven, &v.stdout);
    let mut swapped = ProofFile::read(&t.join("s.proof")).unwrap();
    swapped.claim.sse += 1;
    swapped.write(&t.join("swapped.proof")).unwrap();
    let out = bin(&repo, &["verify", &p("swapped.proof")]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Gradient-boosted trees and an MLP: both guests compute the native claim, and a real app
/// proof of each verifies (issue #32).
#[test]
fn openvm_proves_the_compute_intensive_models() {
    let cycles = compute_intensive_models_prove_like_native("openvm", "app");
    assert_eq!(cycles.len(), 2);
}

/// Issue #33: the OpenVM guests built from a copy of this tree at another path are
/// byte-identical to the installed ones (so their exe commits match), and name no path of the
/// machine.
#[test]
fn openvm_guests_are_reproducible_from_another_path() {
    assert_guests_reproducible("openvm", &["zkml-openvm-precompiles-on", "zkml-openvm-precompiles-off"]);
    assert_readme_lists_programs("openvm");
}

//! EZKL end to end: a real halo2/KZG proof of a small private test set (rows hashed with
//! Poseidon), verified; its metrics agree with the native claim within the derived tolerance; a
//! tampered proof, forged public values, a swapped claim and a swapped model are rejected; the
//! `private` mode carries no data commitment and still verifies. Only the hash, SSE and N*SST are
//! public (not Σy: the mean target stays hidden).
//!
//! Builds the EZKL backend on first use (a Python virtual environment from PyPI and a small Rust
//! host: about a minute; reused from the cache after).

mod common;

use common::*;
use zkml_protocol::ProofFile;

/// The payload's three parts (model, settings, EZKL's proof JSON), as the backend lays them out.
fn split_payload(payload: &[u8]) -> (Vec<u8>, Vec<u8>, serde_json::Value) {
    assert_eq!(&payload[..8], b"ZKEZKL01");
    let mut at = 8;
    let mut parts = Vec::new();
    for _ in 0..3 {
        let len = u64::from_le_bytes(payload[at..at + 8].try_into().unwrap()) as usize;
        parts.push(payload[at + 8..at + 8 + len].to_vec());
        at += 8 + len;
    }
    assert_eq!(at, payload.len());
    let proof = serde_json::from_slice(&parts[2]).unwrap();
    (parts[0].clone(), parts[1].clone(), proof)
}

fn join_payload(model: &[u8], settings: &[u8], proof: &serde_json::Value) -> Vec<u8> {
    let proof = serde_json::to_vec(proof).unwrap();
    let mut out = b"ZKEZKL01".to_vec();
    for part in [model, settings, &proof[..]] {
        out.extend_from_slice(&(part.len() as u64).to_le_bytes());
        out.extend_from_slice(part);
    }
    out
}

#[test]
fn ezkl_proves_verifies_and_rejects_tampering() {
    let (repo, tmp, native) = small_private_test_set("60", "5", "ridge");
    let t = tmp.path();
    let p = |name: &str| t.join(name).display().to_string();
    let args =
        ["prove", "--zkvm", "ezkl", "--model", &p("m.json"), "--test", &p("test.csv"), "--out", &p("e.proof"), "--require-zk", "--json"];
    let proven = json(&ok(&repo, &args));
    assert_eq!(proven["real_proof"], true, "{proven}");
    assert_eq!(proven["mode"], "hashed");
    assert_eq!(proven["privacy"]["zero_knowledge"], true);
    assert_eq!(proven["privacy"]["family"], "snark");
    // EZKL's own quantisation: the same model and rows, metrics within the derived tolerance.
    let (claim, nat) = (&proven["claim"], &native["claim"]);
    for field in ["model", "model_hash", "n_rows", "n_features"] {
        assert_eq!(claim[field], nat[field], "{field}");
    }
    let a = &proven["agreement"];
    assert_eq!(a["within_tolerance"], true, "{a}");
    let (mse, mse_native, tol) =
        (a["mse_backend"].as_f64().unwrap(), a["mse_native"].as_f64().unwrap(), a["mse_tolerance"].as_f64().unwrap());
    assert!((mse - mse_native).abs() <= tol && tol < 0.05 * mse_native, "{a}");
    assert!(a["r2_tolerance"].as_f64().unwrap() < 0.05, "{a}");
    // The data commitment is EZKL's Poseidon hash of the quantised rows, not zkml-core's SHA-256.
    let commitment = claim["data_commitment"].as_str().unwrap();
    assert_ne!(commitment, nat["data_commitment"].as_str().unwrap());
    assert_ne!(commitment, "0".repeat(64));
    assert!(proven["phases"]["setup_s"].as_f64().unwrap() > 0.0 && proven["phases"]["prove_s"].as_f64().unwrap() > 0.0);
    let bytes = proven["proof_bytes"].as_u64().unwrap();
    assert!((1_000..20_000).contains(&bytes), "a halo2/KZG proof is a few KB, got {bytes}");

    assert_zero_knowledge_catalogue_matches("ezkl");
    let v = ok(&repo, &["verify", &p("e.proof"), "--model", &p("m.json"), "--require-proof", "--data-commitment", commitment, "--json"]);
    let v = json(&v);
    assert_eq!(v["report"]["valid"], true, "{v}");
    assert_eq!(v["failures"].as_array().unwrap().len(), 0, "{v}");
    assert_proof_leaks_no_rows(t, "e.proof", &proven, v.to_string().as_bytes());

    let original = ProofFile::read(&t.join("e.proof")).unwrap();
    let (model, settings, proof) = split_payload(&original.payload);
    // Public: the Poseidon hash, SSE and N*SST; not Σy, which would reveal the mean target.
    let public: Vec<_> = proof["instances"].as_array().unwrap().iter().flat_map(|c| c.as_array().unwrap().clone()).collect();
    assert_eq!(public.len(), 3, "public instances: {public:?}");
    let mut flipped_json = proof.clone();
    let mut transcript: Vec<u8> = serde_json::from_value(proof["proof"].clone()).unwrap();
    // A byte among the evaluations near the end of the transcript: a well-formed but false proof.
    let at = transcript.len() - 300;
    transcript[at] ^= 1;
    flipped_json["proof"] = serde_json::json!(transcript);
    flipped_json["hex_proof"] = serde_json::json!(format!("0x{}", hex::encode(&transcript)));
    let mut flipped = original.clone();
    flipped.payload = join_payload(&model, &settings, &flipped_json);
    // Public values rewritten in the proof (SSE halved) with a claim to match: EZKL must refuse.
    let mut forged_json = proof.clone();
    forged_json["instances"][0][1] = serde_json::json!(format!("{:0<64}", "01"));
    let mut forged = original.clone();
    forged.payload = join_payload(&model, &settings, &forged_json);
    let mut swapped = original.clone();
    swapped.claim.mse += 1;
    // Another model's bytes in the payload (the verifier would rebuild another circuit).
    let mut other_model = original.clone();
    let mut model2 = model.clone();
    let last = model2.len() - 1;
    model2[last] ^= 1;
    other_model.payload = join_payload(&model2, &settings, &proof);
    assert_rejected(
        &repo,
        t,
        &[
            ("flipped.proof", &flipped, "not satisfied"),
            ("forged.proof", &forged, "verification failed"),
            ("swapped.proof", &swapped, "not the claim"),
            ("other-model.proof", &other_model, "not the claim's model"),
        ],
    );

    // Mode private: no data commitment at all, still a verified proof of the same metrics.
    let args = [
        "prove",
        "--zkvm",
        "ezkl",
        "--mode",
        "private",
        "--model",
        &p("m.json"),
        "--test",
        &p("test.csv"),
        "--out",
        &p("private.proof"),
        "--json",
    ];
    let private = json(&ok(&repo, &args));
    assert_eq!(private["claim"]["data_commitment"], "0".repeat(64));
    assert_eq!(private["claim"]["mse_raw"], claim["mse_raw"], "same circuit arithmetic, other input visibility");
    assert!(private["notes"].to_string().contains("NO data commitment"));
    let v = json(&ok(&repo, &["verify", &p("private.proof"), "--model", &p("m.json"), "--require-proof", "--json"]));
    assert_eq!(v["report"]["valid"], true, "{v}");
    assert_proof_leaks_no_rows(t, "private.proof", &private, v.to_string().as_bytes());
}

/// The compute-intensive models as EZKL graphs — the MLP natively (MatMul, Add, Relu), the
/// forest as tensor operations (Gather, Greater, path indicators, one MatMul over the leaves):
/// real proofs whose metrics agree with the native claim within the derived tolerance, verified
/// against their model (issue #32).
#[test]
fn ezkl_proves_the_mlp_and_the_forest() {
    let models: [(&str, &[&str]); 2] = [("mlp", &["--hidden", "8,8", "--epochs", "20"]), ("gbdt", &["--trees", "5", "--depth", "3"])];
    for (model, size) in models {
        let (repo, tmp, native) = small_private_test_set_with("60", "5", model, size);
        let t = tmp.path();
        let p = |name: &str| t.join(name).display().to_string();
        let args = ["prove", "--zkvm", "ezkl", "--model", &p("m.json"), "--test", &p("test.csv"), "--out", &p("e.proof"), "--json"];
        let proven = json(&ok(&repo, &args));
        assert_eq!(proven["real_proof"], true, "{proven}");
        assert_eq!(proven["claim"]["model"], model);
        assert_eq!(proven["claim"]["model_hash"], native["claim"]["model_hash"]);
        assert_eq!(proven["agreement"]["within_tolerance"], true, "{model}: {}", proven["agreement"]);
        let v = ok(&repo, &["verify", &p("e.proof"), "--model", &p("m.json"), "--require-proof", "--json"]);
        assert_eq!(json(&v)["report"]["valid"], true, "{model}");
    }
}

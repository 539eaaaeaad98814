//! The zkml-native binary, driven through the backend protocol as a child process.

use std::process::Command;
use zkml_core::{encode_guest_input, encode_model, encode_test_set, FixedModel, ModelKind};
use zkml_harness::run::process::ProcessBackend;
use zkml_protocol::{Precompiles, ProofFile};

const EXE: &str = env!("CARGO_BIN_EXE_zkml-native");

fn input_file(dir: &std::path::Path) -> std::path::PathBuf {
    // y = 1 + 2x with every column at 2^16; degree 1 folds the standardisation into the
    // weight (at 2^16, so products and the bias are at 2^32).
    let model = FixedModel {
        schema: [0; 32],
        trees: None,
        layers: Vec::new(),
        kind: ModelKind::Linear,
        degree: 1,
        column_frac_bits: vec![16, 16],
        weight_frac_bits: 32,
        means: vec![],
        inv_stds: vec![],
        z_shifts: vec![],
        bias: 1 << 32,
        weights: vec![2 * 65536],
    };
    let rows = [0, 65536, 65536, 4 * 65536, 2 * 65536, 5 * 65536];
    let words = encode_guest_input(&encode_model(&model).unwrap(), &encode_test_set(&model.column_frac_bits, &rows, &[0; 32]).unwrap());
    let p = dir.join("input.bin");
    std::fs::write(&p, zkml_core::words_as_bytes(&words)).unwrap();
    p
}

#[test]
fn info_execute_prove_verify_through_a_child_process() {
    let dir = tempfile::tempdir().unwrap();
    let input = input_file(dir.path());
    let backend = ProcessBackend::new(EXE);
    let info = backend.info().unwrap();
    assert_eq!(info.name, "native");
    assert!(!info.produces_proofs);

    let exec = backend.execute(&input, Precompiles::Off).unwrap();
    assert_eq!(exec.claim.n_rows, 3);
    assert!((exec.claim.mse - 1.0 / 3.0).abs() < 1e-4);

    let out = dir.path().join("p.zkp");
    let report = backend.prove(&input, &out, None, Precompiles::Off).unwrap();
    assert!(!report.real_proof);
    assert_eq!(report.mode, "none");
    assert_eq!(report.claim, exec.claim);
    let file = ProofFile::read(&out).unwrap();
    assert_eq!(report.claim.claim().unwrap(), file.claim);

    let v = backend.verify(&out).unwrap();
    assert!(v.valid && !v.real_proof);
}

#[test]
fn errors_are_json_with_exit_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let input = input_file(dir.path());
    // a truncated input file
    let bytes = std::fs::read(&input).unwrap();
    std::fs::write(&input, &bytes[..bytes.len() - 8]).unwrap();
    let out = Command::new(EXE).args(["execute", "--input", input.to_str().unwrap(), "--precompiles", "off"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(err["error"].as_str().unwrap().contains("truncated"), "{err}");
    // the client surfaces the backend's message
    let e = ProcessBackend::new(EXE).execute(&input, Precompiles::Off).unwrap_err().to_string();
    assert!(e.contains("truncated") && e.contains("exit 1"), "{e}");
    // unsupported precompiles and unknown modes are refused
    std::fs::write(&input, &bytes).unwrap();
    let e = ProcessBackend::new(EXE).execute(&input, Precompiles::On).unwrap_err().to_string();
    assert!(e.contains("not supported"), "{e}");
    let e = ProcessBackend::new(EXE).prove(&input, &dir.path().join("x"), Some("groth16"), Precompiles::Off).unwrap_err().to_string();
    assert!(e.contains("unknown proof mode"), "{e}");
    // a missing binary is a clear error, not a panic
    let e = ProcessBackend::new("/nonexistent/zkml-x").info().unwrap_err().to_string();
    assert!(e.contains("cannot start backend"), "{e}");
}

//! The zkml-bench binary as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zkml-bench"));
    c.env_remove("ZKML_RISC0_BIN").env_remove("ZKML_SP1_BIN").env_remove("ZKML_OPENVM_BIN");
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(out.status.success(), "{args:?} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// The JSON a successful command prints on stdout.
fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = run(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: stdout is not JSON ({e})"))
}

/// Exit status and stderr of a command that must fail.
fn fails(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = run(dir, args);
    assert!(!out.status.success(), "{args:?} unexpectedly succeeded");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// synth -> features -> train -> prove (native), in a fresh directory.
fn pipeline(customers: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    ok(&d, &["data", "synth", "--customers", customers, "--seed", "7", "--out", "tx.csv"]);
    ok(&d, &["data", "features", "--input", "tx.csv", "--out", "features.csv"]);
    ok(&d, &["train", "--features", "features.csv", "--model", "ridge", "--out", "model.json", "--test-out", "test.csv"]);
    ok(&d, &["prove", "--zkvm", "native", "--model", "model.json", "--test", "test.csv", "--out", "run.proof"]);
    (dir, d)
}

#[test]
fn the_five_commands_and_verification_outcomes() {
    let (_guard, d) = pipeline("1500");
    let out = ok(&d, &["verify", "run.proof", "--model", "model.json", "--min-r2", "0.3"]);
    assert!(out.contains("NOT cryptographically verified"), "native must be labelled: {out}");
    assert!(out.contains("all passed"), "{out}");
    // R² threshold not met -> exit 3 with the reason
    let (code, err) = fails(&d, &["verify", "run.proof", "--min-r2", "0.99"]);
    assert_eq!(code, 3);
    assert!(err.contains("below the required minimum 0.99"), "{err}");
    // native is no proof
    let (code, err) = fails(&d, &["verify", "run.proof", "--require-proof"]);
    assert_eq!(code, 3);
    assert!(err.contains("no real proof"), "{err}");
    // data commitment: the one printed by `data commit` matches, another does not
    let commitment = ok(&d, &["data", "commit", "--model", "model.json", "--test", "test.csv"]);
    let commitment = commitment.lines().next().unwrap().trim().to_string();
    assert_eq!(commitment.len(), 64);
    ok(&d, &["verify", "run.proof", "--data-commitment", &commitment]);
    let (code, err) = fails(&d, &["verify", "run.proof", "--data-commitment", &"0".repeat(64)]);
    assert_eq!((code, err.contains("data commitment")), (3, true), "{err}");
    // another model (poly2) does not match the claim's model hash
    ok(&d, &["train", "--features", "features.csv", "--model", "poly2", "--out", "poly.json", "--test-out", "test2.csv"]);
    let (code, err) = fails(&d, &["verify", "run.proof", "--model", "poly.json"]);
    assert_eq!(code, 3);
    assert!(err.contains("model hash"), "{err}");
    // JSON output carries the claim
    let json = json(&d, &["verify", "run.proof", "--json"]);
    assert_eq!(json["report"]["real_proof"], false);
    assert!(json["report"]["claim"]["r2"].as_f64().unwrap() > 0.3);
}

#[test]
fn salt_changes_the_commitment_not_the_metrics() {
    let (_guard, d) = pipeline("600");
    let salt = "ab".repeat(32);
    ok(&d, &["prove", "--zkvm", "native", "--model", "model.json", "--test", "test.csv", "--out", "salted.proof", "--salt", &salt]);
    let a = json(&d, &["verify", "run.proof", "--json"]);
    let b = json(&d, &["verify", "salted.proof", "--json"]);
    assert_ne!(a["report"]["claim"]["data_commitment"], b["report"]["claim"]["data_commitment"]);
    assert_eq!(a["report"]["claim"]["mse_raw"], b["report"]["claim"]["mse_raw"]);
    let salted = ok(&d, &["data", "commit", "--model", "model.json", "--test", "test.csv", "--salt", &salt]);
    assert_eq!(b["report"]["claim"]["data_commitment"].as_str().unwrap(), salted.trim());
    let (code, err) =
        fails(&d, &["prove", "--zkvm", "native", "--model", "model.json", "--test", "test.csv", "--out", "x.proof", "--salt", "abc"]);
    assert_eq!(code, 1);
    assert!(err.contains("--salt"), "{err}");
}

#[test]
fn corrupted_and_truncated_proofs_are_rejected() {
    let (_guard, d) = pipeline("600");
    let bytes = std::fs::read(d.join("run.proof")).unwrap();
    std::fs::write(d.join("cut.proof"), &bytes[..bytes.len() - 7]).unwrap();
    let (code, err) = fails(&d, &["verify", "cut.proof"]);
    assert_eq!(code, 1);
    assert!(err.contains("cut.proof") && err.contains("truncated"), "{err}");
    // flip a byte of the claim (offset: magic 8 + version 4 + header len 4 + header)
    let header_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let mut bad = bytes.clone();
    bad[16 + header_len + 100] ^= 1;
    std::fs::write(d.join("bad.proof"), &bad).unwrap();
    let (code, err) = fails(&d, &["verify", "bad.proof"]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.proof") && err.contains("checksum"), "{err}");
    std::fs::write(d.join("text.proof"), b"not a proof at all").unwrap();
    let (_, err) = fails(&d, &["verify", "text.proof"]);
    assert!(err.contains("not a zkml-bench proof file"), "{err}");
    let (_, err) = fails(&d, &["verify", "missing.proof"]);
    assert!(err.contains("missing.proof"), "{err}");
}

#[test]
fn mismatched_model_and_test_set_are_rejected_without_output() {
    let (_guard, d) = pipeline("600");
    // a test CSV with a column renamed
    let test = std::fs::read_to_string(d.join("test.csv")).unwrap().replacen("recency", "days_since", 1);
    std::fs::write(d.join("other.csv"), test).unwrap();
    let (code, err) = fails(&d, &["prove", "--zkvm", "native", "--model", "model.json", "--test", "other.csv", "--out", "o.proof"]);
    assert_eq!(code, 1);
    assert!(err.contains("other.csv") && err.contains("recency"), "{err}");
    assert!(!d.join("o.proof").exists());
    // NaN in the private test set
    let test = std::fs::read_to_string(d.join("test.csv")).unwrap();
    let mut lines: Vec<String> = test.lines().map(String::from).collect();
    let mut fields: Vec<String> = lines[3].split(',').map(String::from).collect();
    fields[2] = "NaN".into();
    lines[3] = fields.join(",");
    std::fs::write(d.join("nan.csv"), lines.join("\n")).unwrap();
    let (_, err) = fails(&d, &["prove", "--zkvm", "native", "--model", "model.json", "--test", "nan.csv", "--out", "o.proof"]);
    assert!(err.contains("nan.csv") && err.contains("line 4") && err.contains("finite"), "{err}");
    // a value beyond the fixed-point bound
    fields[2] = "1e12".into();
    lines[3] = fields.join(",");
    std::fs::write(d.join("huge.csv"), lines.join("\n")).unwrap();
    let (_, err) = fails(&d, &["prove", "--zkvm", "native", "--model", "model.json", "--test", "huge.csv", "--out", "o.proof"]);
    assert!(
        err.contains("huge.csv") && err.contains("row 3") && err.contains("\"monetary\"") && err.contains("fixed-point bound"),
        "{err}"
    );
    assert!(!d.join("o.proof").exists());
    // a model file that is not one
    std::fs::write(d.join("junk.json"), "{}").unwrap();
    let (_, err) = fails(&d, &["prove", "--zkvm", "native", "--model", "junk.json", "--test", "test.csv", "--out", "o.proof"]);
    assert!(err.contains("junk.json") && err.contains("not a valid model file"), "{err}");
    // unknown and unavailable zkVMs
    let (_, err) = fails(&d, &["prove", "--zkvm", "nope", "--model", "model.json", "--test", "test.csv", "--out", "o.proof"]);
    assert!(err.contains("unknown zkVM"), "{err}");
    let (_, err) = fails(&d, &["prove", "--zkvm", "jolt", "--model", "model.json", "--test", "test.csv", "--out", "o.proof"]);
    assert!(err.contains("not buildable"), "{err}");
    let (_, err) =
        fails(&d, &["prove", "--zkvm", "native", "--precompiles", "on", "--model", "model.json", "--test", "test.csv", "--out", "o.proof"]);
    assert!(err.contains("not supported"), "{err}");
}

#[test]
fn bad_transactions_leave_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["data", "synth", "--customers", "50", "--out", "tx.csv"]);
    let mut text = std::fs::read_to_string(d.join("tx.csv")).unwrap();
    text.push_str("9999,A,1,10.00,not-a-date,Cash,S,Books,0.00,10.00\n");
    std::fs::write(d.join("bad.csv"), text).unwrap();
    let (code, err) = fails(d, &["data", "features", "--input", "bad.csv", "--out", "f.csv"]);
    assert_eq!(code, 1);
    assert!(err.contains("bad.csv") && err.contains("not-a-date") && err.contains("TransactionDate"), "{err}");
    assert!(!d.join("f.csv").exists());
    assert_eq!(std::fs::read_dir(d).unwrap().count(), 2, "a temporary file was left behind");
    std::fs::write(d.join("empty.csv"), "").unwrap();
    let (_, err) = fails(d, &["data", "features", "--input", "empty.csv", "--out", "f.csv"]);
    assert!(err.contains("empty.csv"), "{err}");
    let (_, err) = fails(d, &["data", "features", "--input", "tx.csv", "--out", "f.csv", "--customer-col", "client"]);
    assert!(err.contains("\"client\"") && err.contains("CustomerID"), "{err}");
    let (_, err) = fails(d, &["train", "--features", "tx.csv", "--out", "m.json", "--test-out", "t.csv"]);
    assert!(err.contains("tx.csv") && err.contains("spend_"), "{err}");
    let (_, err) = fails(d, &["train", "--features", "nope.csv", "--out", "m.json", "--test-out", "t.csv"]);
    assert!(err.contains("nope.csv"), "{err}");
}

#[test]
fn zkvms_lists_every_backend_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let doc = json(dir.path(), &["zkvms", "--json"]);
    let rows = doc["backends"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["native", "risc0", "sp1", "openvm", "ezkl", "jolt"]);
    assert_eq!(rows[0]["info"]["produces_proofs"], false);
    for r in &rows[1..] {
        assert!(r["available"].as_bool() == Some(true) || !r["reason"].as_str().unwrap().is_empty());
    }
}

/// Run from outside any checkout (as a `cargo install`ed binary is), zkml-bench still finds
/// the source tree it was built from, and says so; ZKML_SOURCE_DIR overrides it, and a wrong
/// one is a clear error naming it.
#[test]
fn the_binary_finds_its_source_tree_from_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let doc = json(dir.path(), &["zkvms", "--json"]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    assert_eq!(doc["source_tree"].as_str().unwrap(), root.display().to_string());
    assert_eq!(doc["source_tree_found_by"], "the tree this binary was built from");
    let out = bin().current_dir(dir.path()).arg("zkvms").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("source tree  {}", root.display())), "{text}");

    let out = bin().current_dir(dir.path()).env("ZKML_SOURCE_DIR", &root).args(["zkvms", "--json"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["source_tree_found_by"], "ZKML_SOURCE_DIR");

    let empty = dir.path().join("not-a-checkout");
    std::fs::create_dir(&empty).unwrap();
    let out = bin().current_dir(dir.path()).env("ZKML_SOURCE_DIR", &empty).args(["zkvms", "--json"]).output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["source_tree"].is_null());
    let reason = doc["backends"][1]["reason"].as_str().unwrap();
    assert!(reason.contains("ZKML_SOURCE_DIR=") && reason.contains("not-a-checkout"), "{reason}");
}

/// `run` does the whole job in one command; with the native baseline it says loudly that
/// nothing is proven, and --require-zk refuses a prover that does not claim zero-knowledge
/// before any proving starts.
#[test]
fn run_does_the_main_job_and_states_privacy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = ok(d, &["run", "--zkvm", "native", "--out", "job"]);
    for step in ["[1/7] synthetic transactions", "[3/7] train", "[6/7] prove", "[7/7] verify", "NO PROOF", "NOT zero-knowledge"] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
    for f in ["transactions.csv", "features.csv", "model.json", "test.csv", "salt.hex", "proof.zkp", "REPORT.md"] {
        assert!(d.join("job").join(f).is_file(), "{f} missing");
    }
    let report = std::fs::read_to_string(d.join("job/REPORT.md")).unwrap();
    assert!(report.contains("NOT A PROOF") && report.contains("| 6 | prove |"), "{report}");
    // The salt is fresh and secret: two runs commit to the same rows differently.
    let salt1 = std::fs::read_to_string(d.join("job/salt.hex")).unwrap();
    ok(d, &["run", "--zkvm", "native", "--out", "job2"]);
    assert_ne!(salt1, std::fs::read_to_string(d.join("job2/salt.hex")).unwrap());
    // A bar the model misses: exit 3, and the report still says why.
    let (code, _) = fails(d, &["run", "--zkvm", "native", "--min-r2", "0.99", "--out", "job3"]);
    assert_eq!(code, 3);
    assert!(std::fs::read_to_string(d.join("job3/REPORT.md")).unwrap().contains("below the required minimum"));

    let report = std::fs::read_to_string(d.join("job/REPORT.md")).unwrap();
    assert!(report.contains("Keep `transactions.csv`, `features.csv`, `test.csv` and `salt.hex` private"), "{report}");
    // Nothing it printed or wrote beside the private files carries the rows (issue #35).
    let salt: [u8; 32] = hex::decode(salt1.trim()).unwrap().try_into().unwrap();
    common::assert_leaks_no_rows(
        &d.join("job/model.json"),
        &d.join("job/test.csv"),
        salt,
        &[
            ("proof.zkp", std::fs::read(d.join("job/proof.zkp")).unwrap().as_slice()),
            ("REPORT.md", report.as_bytes()),
            ("model.json", std::fs::read(d.join("job/model.json")).unwrap().as_slice()),
            ("run's output", out.as_bytes()),
        ],
    );
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(d.join("job")).unwrap().permissions().mode() & 0o777, 0o700, "run's directory is private");
    }

    let (code, err) = fails(d, &["run", "--zkvm", "native", "--require-zk", "--out", "job4"]);
    assert_eq!(code, 1);
    assert!(err.contains("--require-zk") && err.contains("zero-knowledge"), "{err}");
    let (code, err) = fails(d, &["run", "--zkvm", "native", "--min-r2", "NaN", "--out", "job5"]);
    assert_eq!(code, 64, "{err}");
    let (_, err) =
        fails(d, &["prove", "--zkvm", "native", "--model", "job/model.json", "--test", "job/test.csv", "--out", "p.zkp", "--require-zk"]);
    assert!(err.contains("--require-zk"), "{err}");
    let out = ok(d, &["prove", "--zkvm", "native", "--model", "job/model.json", "--test", "job/test.csv", "--out", "p.zkp"]);
    assert!(out.contains("privacy          NOT zero-knowledge"), "{out}");
    let (_, err) = fails(
        d,
        &["prove", "--zkvm", "native", "--model", "job/model.json", "--test", "job/test.csv", "--out", "p.zkp", "--mode", "bogus"],
    );
    assert!(err.contains("unknown proof mode \"bogus\""), "{err}");
}

/// `data features` streams: on a ~100 MB file (about a million transactions) its peak RSS
/// stays a small fraction of the file size (measured: ~10 MB; a reader that loaded the file
/// would need more than the file).
#[test]
fn features_stream_a_large_file_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["data", "synth", "--customers", "25000", "--seed", "11", "--out", "big.csv"]);
    let size = std::fs::metadata(d.join("big.csv")).unwrap().len();
    assert!(size > 90_000_000, "{size}");
    let m = zkml_harness::run::measure::run_measured(
        bin().current_dir(d).args(["data", "features", "--input", "big.csv", "--out", "f.csv"]).stderr(std::process::Stdio::null()),
    )
    .unwrap();
    assert!(m.status().unwrap().success());
    assert!(m.peak_rss_bytes < size / 3, "peak RSS {} for a {} byte file", m.peak_rss_bytes, size);
}

/// Outputs never clobber inputs or special files, usage errors have their own exit code, and
/// nonsense thresholds are refused (issue #33).
#[test]
fn outputs_never_clobber_inputs_and_usage_errors_exit_64() {
    let (_guard, d) = pipeline("300");
    let test_before = std::fs::read(d.join("test.csv")).unwrap();
    let model_before = std::fs::read(d.join("model.json")).unwrap();
    // prove --out onto its own inputs, through another spelling of the path too.
    for out in ["test.csv", "./test.csv", "model.json"] {
        let (code, err) = fails(&d, &["prove", "--zkvm", "native", "--model", "model.json", "--test", "test.csv", "--out", out]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("input of this command: refusing to overwrite it"), "{out}: {err}");
    }
    assert_eq!(std::fs::read(d.join("test.csv")).unwrap(), test_before);
    assert_eq!(std::fs::read(d.join("model.json")).unwrap(), model_before);
    // train: two outputs naming one file, an output over the input; features over its input.
    let (_, err) = fails(&d, &["train", "--features", "features.csv", "--out", "x.json", "--test-out", "x.json"]);
    assert!(err.contains("name the same file"), "{err}");
    let (_, err) = fails(&d, &["train", "--features", "features.csv", "--out", "features.csv", "--test-out", "t2.csv"]);
    assert!(err.contains("is the --features input"), "{err}");
    let (_, err) = fails(&d, &["data", "features", "--input", "tx.csv", "--out", "tx.csv"]);
    assert!(err.contains("is the --input input"), "{err}");
    // A symlink, a directory and a device are not replaced.
    std::os::unix::fs::symlink(d.join("test.csv"), d.join("link.proof")).unwrap();
    std::fs::create_dir(d.join("adir")).unwrap();
    for out in ["link.proof", "adir", "/dev/null"] {
        let (code, err) = fails(&d, &["prove", "--zkvm", "native", "--model", "model.json", "--test", "test.csv", "--out", out]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("refusing to replace it"), "{out}: {err}");
    }
    assert!(std::fs::symlink_metadata(d.join("link.proof")).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read(d.join("test.csv")).unwrap(), test_before);
    // Usage errors: 64, never 2 ("the proof does not verify") or 3.
    for args in [
        &["verify", "run.proof", "--min-r2", "abc"][..],
        &["verify", "run.proof", "--bogus"],
        &["verify", "run.proof", "--min-r2", "NaN"],
        &["verify", "run.proof", "--min-r2", "1.5"],
    ] {
        let (code, err) = fails(&d, args);
        assert_eq!(code, 64, "{args:?}: {err}");
    }
    let help = run(&d, &["--help"]);
    assert_eq!(help.status.code(), Some(0));
}

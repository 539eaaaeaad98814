//! Issue #33's abuse suite: what a hostile or careless user tries, end to end through the CLI,
//! so that each class stays fixed — work started before a refusal, a reused salt, a model file
//! re-pointed at other columns, an interrupted write, a dry run that is not dry. (Private rows
//! on disk and interrupted provers: `risc0.rs`; outputs that clobber inputs and exit codes:
//! `cli.rs`; tampered proofs: every backend's own test.)

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Stdio};

fn zkml(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zkml-bench"));
    c.current_dir(dir).stdin(Stdio::null());
    c
}

/// Everything that can refuse does so before anything is generated or built; a directory
/// holding a salt is not reused unless told to.
#[test]
fn refusals_come_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["run", "--zkvm", "native", "--out", "job"]);
    // An empty cache: a backend build, had one started, would create it.
    let empty_cache = d.join("empty-cache");
    for (zkvm, mode) in [("native", None), ("sp1", None), ("openvm", Some("stark")), ("sp1", Some("compressed"))] {
        let mut args = vec!["run", "--zkvm", zkvm, "--require-zk", "--out", "job4"];
        args.extend(mode.map(|m| ["--mode", m]).into_iter().flatten());
        let out = zkml(d).env("ZKML_CACHE", &empty_cache).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{zkvm}: {err}");
        assert!(err.contains("--require-zk") && err.contains("does not claim zero-knowledge"), "{zkvm}: {err}");
        assert!(!d.join("job4").exists() && !empty_cache.exists(), "{zkvm}: refused after starting work:\n{err}");
        let mut args =
            vec!["prove", "--zkvm", zkvm, "--model", "job/model.json", "--test", "job/test.csv", "--out", "zk.zkp", "--require-zk"];
        args.extend(mode.map(|m| ["--mode", m]).into_iter().flatten());
        let out = zkml(d).env("ZKML_CACHE", &empty_cache).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{zkvm}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!d.join("zk.zkp").exists() && !empty_cache.exists(), "{zkvm}: prove refused after starting work");
    }
    let out = zkml(d).args(["run", "--zkvm", "jolt", "--out", "job6"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!d.join("job6").exists(), "an unbuildable zkVM is refused before data is generated");

    // A directory holding a salt (whose commitment may be published) is not reused unless told.
    let salt = std::fs::read_to_string(d.join("job/salt.hex")).unwrap();
    let out = bin(d, &["run", "--zkvm", "native", "--out", "job"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("salt") && err.contains("--replace-salt"), "{err}");
    assert_eq!(std::fs::read_to_string(d.join("job/salt.hex")).unwrap(), salt, "the old salt is kept");
    ok(d, &["run", "--zkvm", "native", "--out", "job", "--replace-salt"]);
    assert_ne!(std::fs::read_to_string(d.join("job/salt.hex")).unwrap(), salt);
    let out = bin(d, &["run", "--zkvm", "native", "--min-r2", "NaN", "--out", "job5"]);
    assert_eq!(out.status.code(), Some(64), "a NaN threshold is a usage error");
}

/// Two `run`s into one directory at once: the second is refused instead of interleaving files.
#[test]
fn two_runs_never_share_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut first = zkml(d)
        .args(["run", "--zkvm", "native", "--customers", "20000", "--out", "job"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !d.join("job/.zkml-run.lock").exists() {
        assert!(started.elapsed().as_secs() < 30 && first.try_wait().unwrap().is_none(), "the first run never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = bin(d, &["run", "--zkvm", "native", "--out", "job"]);
    let err = String::from_utf8_lossy(&out.stderr);
    let first_status = first.wait().unwrap();
    assert!(first_status.success());
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("another `zkml-bench run` is writing into") || err.contains("already holds a salt"), "{err}");
}

/// The model hash binds the columns: a model file whose feature names were reordered is
/// refused, and one re-hashed after that edit is another model, so its proof does not pass
/// for the original's.
#[test]
fn a_model_file_cannot_be_pointed_at_other_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["run", "--zkvm", "native", "--out", "job"]);
    let mut model: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("job/model.json")).unwrap()).unwrap();
    let names = model["feature_names"].as_array_mut().unwrap();
    names.swap(0, 1);
    std::fs::write(d.join("swapped.json"), serde_json::to_vec(&model).unwrap()).unwrap();
    let out = bin(d, &["prove", "--zkvm", "native", "--model", "swapped.json", "--test", "job/test.csv", "--out", "s.zkp"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("model_hash") && err.contains("modified"), "{err}");
    assert!(!d.join("s.zkp").exists());
    // Re-hashed by hand: a consistent file, but another model hash.
    let names: Vec<String> = model["feature_names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
    let original = zkml_train::ModelFile::load(&d.join("job/model.json")).unwrap();
    let mut rehashed = original.clone();
    rehashed.feature_names = names;
    rehashed.model_hash = hex::encode(rehashed.computed_hash().unwrap());
    assert_ne!(rehashed.model_hash, original.model_hash);
    rehashed.save(&d.join("rehashed.json")).unwrap();
    // The same rows under the swapped names (columns are read by name): the same values reach
    // the same parameters, so the claim differs from the original's only in the model hash.
    let test = std::fs::read_to_string(d.join("job/test.csv")).unwrap();
    let (header, rows) = test.split_once('\n').unwrap();
    let (a, b) = (&rehashed.feature_names[0], &rehashed.feature_names[1]);
    let header: Vec<&str> = header
        .split(',')
        .map(|h| {
            if h == a {
                b.as_str()
            } else if h == b {
                a.as_str()
            } else {
                h
            }
        })
        .collect();
    std::fs::write(d.join("renamed.csv"), format!("{}\n{rows}", header.join(","))).unwrap();
    ok(d, &["prove", "--zkvm", "native", "--model", "rehashed.json", "--test", "renamed.csv", "--out", "r.zkp"]);
    let out = bin(d, &["verify", "r.zkp", "--model", "job/model.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("model hash"), "{err}");
}

/// Ctrl-C during a long write stops it promptly, exits 130 and leaves neither the output nor a
/// partial file behind.
#[test]
fn an_interrupted_write_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = zkml(d).args(["data", "synth", "--customers", "5000000", "--out", "big.csv"]).stderr(Stdio::null()).spawn().unwrap();
    let started = std::time::Instant::now();
    loop {
        let partial = std::fs::read_dir(d).unwrap().flatten().any(|e| e.file_name().to_string_lossy().ends_with(".partial"));
        if partial {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "synth ended before it was interrupted");
        assert!(started.elapsed().as_secs() < 60, "no partial file appeared");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let t = std::time::Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(t.elapsed().as_secs() < 10, "the write stops promptly, not after the last customer");
    let left: Vec<String> = std::fs::read_dir(d).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

//! `zkml-bench bench` and `report`: isolation, failure records, timeouts, resume, Ctrl-C,
//! and reports merged from several result directories.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zkml-bench"))
}

/// A fake backend speaking the protocol's `info`, whose `prove` does `prove_body`.
fn fake_backend(dir: &Path, name: &str, prove_body: &str) -> PathBuf {
    let info = format!(
        r#"{{"protocol_version":1,"name":"{name}","sdk":"fake 0.0","isa":"none","proof_system":"fake","produces_proofs":true,"zero_knowledge":"no","proof_modes":[{{"name":"fake","available":true}}],"precompiles":["on","off"],"gpu":false}}"#
    );
    let path = dir.join(format!("{name}.sh"));
    std::fs::write(&path, format!("#!/bin/sh\ncase \"$1\" in\n  info) echo '{info}' ;;\n  prove) {prove_body} ;;\n  *) echo '{{\"error\":\"unsupported\"}}'; exit 1 ;;\nesac\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn records(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is a complete record"))
        .collect()
}

fn bench(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["bench", "--models", "ridge", "--rows", "40", "--precompiles", "off", "--reps", "2", "--quiet", "--out", "results"];
    args.extend_from_slice(extra);
    let out = bin().current_dir(dir).args(&args).stdin(Stdio::null()).output().unwrap();
    assert!(out.status.success(), "bench {extra:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn failures_and_timeouts_are_recorded_and_the_sweep_goes_on_then_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let crashy = fake_backend(d, "crashy", "kill -9 $$");
    let sleepy = fake_backend(d, "sleepy", "sleep 60");
    let broken = fake_backend(d, "broken", "echo '{\"error\":\"out of cheese\"}'; exit 1");
    let b = |n: &str, p: &Path| format!("{n}={}", p.display());
    let (bc, bs, bb) = (b("crashy", &crashy), b("sleepy", &sleepy), b("broken", &broken));
    // The same command twice: the second run must resume and find nothing to do.
    let sweep = ["--zkvms", "native", "--backend", &bc, "--backend", &bs, "--backend", &bb, "--timeout", "1s"];
    let out = bench(d, &sweep);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 ok, 4 failed, 2 timed out"), "{stderr}");
    let recs = records(&d.join("results"));
    assert_eq!(recs.len(), 8);
    let by = |zkvm: &str| recs.iter().filter(|r| r["key"]["zkvm"] == zkvm).collect::<Vec<_>>();
    for r in by("native") {
        assert_eq!(r["status"]["state"], "ok");
        assert_eq!(r["real_proof"], false);
        let m = &r["metrics"];
        assert!(m["prove_wall_s"].as_f64().unwrap() > 0.0 && m["prove_peak_rss_bytes"].as_u64().unwrap() > 1 << 20);
        assert!(r["host"]["cpu_model"].is_string() && r["host"]["ram_bytes"].as_u64().unwrap() > 0);
        assert_eq!(r["repetitions"], 2);
    }
    for r in by("crashy").into_iter().chain(by("broken")) {
        assert_eq!(r["status"]["state"], "failed");
        // The attempt's cost is kept: its wall time and the prover's peak memory.
        assert!(r["status"]["after_s"].as_f64().unwrap() > 0.0 && r["status"]["peak_rss_bytes"].as_u64().unwrap() > 0, "{r}");
    }
    for r in by("crashy") {
        assert!(r["status"]["reason"].as_str().unwrap().contains("signal 9"), "{r}");
    }
    for r in by("broken") {
        assert!(r["status"]["reason"].as_str().unwrap().contains("out of cheese"), "{r}");
    }
    for r in by("sleepy") {
        assert_eq!(r["status"]["state"], "timeout");
        assert!(r["status"]["after_s"].as_f64().unwrap() >= 1.0);
    }
    // The report lists the failures with their reasons.
    let report = std::fs::read_to_string(d.join("results/report/README.md")).unwrap();
    assert!(report.contains("signal 9") && report.contains("timeout after") && report.contains("out of cheese"), "{report}");
    assert!(report.contains("| failed after ") && report.contains(" GiB): prove failed (exit 1): out of cheese"), "{report}");
    // The header counts what the failures cost: two timeouts of at least 1 s each.
    let failed_s: f64 = report.split(" s in runs that failed or timed out").next().unwrap().rsplit(", ").next().unwrap().parse().unwrap();
    assert!(failed_s >= 2.0, "{report}");

    // Rerunning resumes: nothing left to do.
    let out = bench(d, &sweep);
    assert!(String::from_utf8_lossy(&out.stderr).contains("8 planned, 8 already recorded"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(records(&d.join("results")).len(), 8);
    // --retry-failed reruns only the failures; --force reruns everything asked for.
    let out = bench(d, &["--zkvms", "native", "--backend", &b("broken", &broken), "--retry-failed"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 planned, 2 already recorded"), "{}", String::from_utf8_lossy(&out.stderr));
    bench(d, &["--zkvms", "native", "--force"]);
    assert_eq!(records(&d.join("results")).len(), 12);
}

#[test]
fn ctrl_c_stops_the_sweep_and_leaves_valid_files() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let sleepy = fake_backend(d, "sleepy", "sleep 60");
    let mut child = bin()
        .current_dir(d)
        .args([
            "bench",
            "--zkvms",
            "native",
            "--backend",
            &format!("sleepy={}", sleepy.display()),
            "--models",
            "ridge",
            "--rows",
            "40",
            "--precompiles",
            "off",
            "--reps",
            "1",
            "--quiet",
            "--out",
            "results",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the native run is recorded and the sleepy one is in progress.
    let file = d.join("results/runs.jsonl");
    let start = std::time::Instant::now();
    while !(file.exists() && std::fs::read_to_string(&file).unwrap().lines().count() >= 1) {
        assert!(start.elapsed().as_secs() < 60, "bench made no progress");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    // Interrupted is not success (issue #33): 130, as a shell reports Ctrl-C.
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted") && err.contains("resume"), "{err}");
    assert!(start.elapsed().as_secs() < 30, "the sleeping backend was not killed");
    let recs = records(&d.join("results"));
    assert_eq!(recs.len(), 1, "only the finished run is recorded");
    assert_eq!(recs[0]["key"]["zkvm"], "native");
}

#[test]
fn reports_merge_result_directories_by_host() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    bench(d, &["--zkvms", "native", "--no-report"]);
    // A second machine's results: same runs, another host.
    std::fs::create_dir_all(d.join("arm")).unwrap();
    let text = std::fs::read_to_string(d.join("results/runs.jsonl")).unwrap();
    let arm: String = text
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v["host"]["hostname"] = "graviton".into();
            v["host"]["arch"] = "aarch64".into();
            v["host"]["cpu_model"] = "Neoverse-V2".into();
            serde_json::to_string(&v).unwrap() + "\n"
        })
        .collect();
    std::fs::write(d.join("arm/runs.jsonl"), arm).unwrap();
    let out = bin().current_dir(d).args(["report", "results", "arm", "--out", "merged"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("from 2 machine(s)"));
    let md = std::fs::read_to_string(d.join("merged/README.md")).unwrap();
    assert!(md.contains("| H1 |") && md.contains("| H2 |") && md.contains("aarch64 · Neoverse-V2"), "{md}");
    assert_eq!(md.matches("| H2 | none | native |").count(), 1, "one row per host and configuration");
    for plot in ["prove_time-ridge", "prove_wall-ridge", "peak_rss-ridge", "verify_time-ridge"] {
        for ext in ["png", "svg"] {
            let p = d.join(format!("merged/plots/{plot}.{ext}"));
            assert!(std::fs::metadata(&p).map(|m| m.len() > 500).unwrap_or(false), "{}", p.display());
        }
        // Only the baseline was run: the zkVM charts say so instead of plotting its microseconds.
        let svg = std::fs::read_to_string(d.join(format!("merged/plots/{plot}.svg"))).unwrap();
        assert!(svg.contains("nothing to draw"), "{plot}");
    }
    // Records of another revision are not merged silently.
    std::fs::create_dir_all(d.join("old")).unwrap();
    let old: String = text
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            v["git_revision"] = "0123456789abcdef".into();
            serde_json::to_string(&v).unwrap() + "\n"
        })
        .collect();
    std::fs::write(d.join("old/runs.jsonl"), old).unwrap();
    let out = bin().current_dir(d).args(["report", "results", "old", "--out", "mixed"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 revisions") && err.contains("0123456789ab") && err.contains("--allow-mixed-revisions"), "{err}");
    assert!(!d.join("mixed/README.md").exists());
    let out = bin().current_dir(d).args(["report", "results", "old", "--out", "mixed", "--allow-mixed-revisions"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(d.join("mixed/README.md")).unwrap();
    assert!(md.contains("**Mixed revisions**") && md.contains("`0123456789ab`"), "{md}");

    // A report of nothing is an error, not an empty file.
    std::fs::create_dir_all(d.join("empty")).unwrap();
    let out = bin().current_dir(d).args(["report", "empty", "--out", "nothing"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run records"));
}

/// `bench` on the user's own data: a transactions file with its own column names (mapped as
/// in `data features`) or a feature table; sizes above the private test split are a clear
/// error that writes no records.
#[test]
fn bench_runs_on_the_users_transactions_or_features() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let ok = |args: &[&str]| {
        let out = bin().current_dir(d).args(args).stdin(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    ok(&["data", "synth", "--customers", "600", "--seed", "3", "--out", "kaggle.csv"]);
    // The same transactions with other column names.
    let text = std::fs::read_to_string(d.join("kaggle.csv")).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let header = header.replace("CustomerID", "client").replace("TransactionDate", "when").replace("TotalAmount", "paid");
    std::fs::write(d.join("mine.csv"), format!("{header}\n{body}")).unwrap();
    let sweep = ["bench", "--zkvms", "native", "--models", "ridge", "--rows", "50,100", "--reps", "1", "--quiet"];

    let mapped = [
        &sweep[..],
        &["--transactions", "mine.csv", "--customer-col", "client", "--date-col", "when", "--amount-col", "paid", "--out", "a"],
    ]
    .concat();
    let err = ok(&mapped);
    assert!(err.contains("workload: transactions mine.csv"), "{err}");
    let recs = records(&d.join("a"));
    assert_eq!(recs.len(), 2);
    assert!(recs.iter().all(|r| r["status"]["state"] == "ok"));
    // Issue #35: the records, the backends file, the report and what the sweep printed hold none
    // of the private rows it proved (the workload's guest input of 100 rows).
    let mut outputs = vec![("bench's stderr".to_string(), err.clone().into_bytes())];
    for entry in walk(&d.join("a")).into_iter().filter(|p| !p.starts_with(d.join("a/workload"))) {
        outputs.push((entry.display().to_string(), std::fs::read(&entry).unwrap()));
    }
    assert!(
        outputs.iter().any(|(n, _)| n.ends_with("runs.jsonl")) && outputs.iter().any(|(n, _)| n.ends_with(".md")),
        "{:?}",
        outputs.iter().map(|o| &o.0).collect::<Vec<_>>()
    );
    let outputs: Vec<(&str, &[u8])> = outputs.iter().filter(|(_, b)| b.len() > 16).map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    common::assert_input_leaks_no_rows(&d.join("a/workload/input-ridge-100.bin"), &outputs);

    // The same data as a feature table gives the same inputs (same workload ids).
    ok(&["data", "features", "--input", "kaggle.csv", "--out", "features.csv"]);
    ok(&[&sweep[..], &["--features", "features.csv", "--out", "b"]].concat());
    let ids = |dir: &str| {
        let mut v: Vec<String> = records(&d.join(dir)).iter().map(|r| r["workload_id"].as_str().unwrap().to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(ids("a"), ids("b"));

    // Too many rows for the test split: a clear error naming the sizes, the split and the file.
    let out = bin()
        .current_dir(d)
        .args([&sweep[..], &["--features", "features.csv", "--rows", "100,5000,9000", "--out", "c"]].concat())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--rows 5000,9000 exceed") && err.contains("feature table features.csv") && err.contains("test rows"), "{err}");
    assert!(!d.join("c/runs.jsonl").exists());
    // A wrong column name is the reader's clear error.
    let out = bin().current_dir(d).args([&sweep[..], &["--transactions", "mine.csv", "--out", "e"]].concat()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CustomerID"), "{}", String::from_utf8_lossy(&out.stderr));
    // Mapping flags without a transactions file make no sense.
    let out = bin().current_dir(d).args([&sweep[..], &["--customer-col", "client", "--out", "f"]].concat()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("apply to a transactions file"));
}

/// `--single-rep-above` repeats only configurations whose first repetition succeeded in time;
/// `--dry-run --estimate-from` plans and estimates from earlier records without running; and a
/// sweep does not resume into records of another revision unless told to.
#[test]
fn sweeps_are_estimated_repeated_within_limits_and_resumed_on_one_revision() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let broken = fake_backend(d, "broken", "echo '{\"error\":\"out of cheese\"}'; exit 1");
    let broken = format!("broken={}", broken.display());
    let run = |extra: &[&str]| {
        let mut args = vec!["bench", "--models", "ridge", "--precompiles", "off", "--quiet", "--no-report"];
        args.extend_from_slice(extra);
        bin().current_dir(d).args(&args).stdin(Stdio::null()).output().unwrap()
    };
    let out = run(&["--zkvms", "native", "--backend", &broken, "--rows", "40,80", "--reps", "2", "--single-rep-above", "1h", "--out", "a"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("broken ridge 40 rows, precompiles off, fake #2: not repeated, its first repetition failed"), "{stderr}");
    let recs = records(&d.join("a"));
    let count = |zkvm: &str| recs.iter().filter(|r| r["key"]["zkvm"] == zkvm).count();
    assert_eq!((count("native"), count("broken")), (4, 2), "the failing configuration ran once per size");
    assert!(recs.iter().all(|r| r["repetition_policy"].as_str().unwrap().contains("took over 3600 s runs once")));
    // One sitting: every record carries its start and the machine's speed probe.
    let sitting = &recs[0]["sitting"];
    assert!(sitting["probe_s"].as_f64().is_some_and(|p| p > 0.0), "{sitting}");
    assert!(recs.iter().all(|r| r["sitting"] == *sitting), "one sitting, one probe");

    // A dry run: the plan with an estimate per configuration, and nothing run.
    let out = run(&[
        "--zkvms",
        "native",
        "--backend",
        &broken,
        "--rows",
        "40,160",
        "--reps",
        "2",
        "--out",
        "b",
        "--dry-run",
        "--estimate-from",
        "a",
    ]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.lines().count(), 8, "2 backends x 2 sizes x 2 repetitions: {stdout}");
    let line = |what: &str| stderr.lines().find(|l| l.starts_with(what)).unwrap_or_else(|| panic!("{what}: {stderr}"));
    assert!(line("native ridge 40 rows").ends_with("measured (n = 2)"), "{stderr}");
    assert!(line("native ridge 160 rows").ends_with("fit over 40, 80"), "{stderr}");
    assert!(line("broken ridge 40 rows").contains("? s") && line("broken ridge 40 rows").ends_with("unknown: failed before at this size"));
    assert!(line("broken ridge 160 rows").ends_with("unknown: never measured"), "{stderr}");
    assert!(stderr.contains("estimated total:") && stderr.contains("plus 2 configuration(s) with no estimate"), "{stderr}");
    assert!(!d.join("b").exists(), "a dry run records nothing and creates nothing");
    // Issue #33: a dry run touches nothing, however large the plan, and counts what a resumed
    // sweep would skip from the workload already prepared there.
    let t = std::time::Instant::now();
    let out = run(&["--zkvms", "native", "--rows", "100000000", "--reps", "1", "--out", "huge", "--dry-run"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(t.elapsed().as_secs() < 30 && !d.join("huge").exists(), "a dry run generated data");
    let out = run(&["--zkvms", "native", "--rows", "40,80", "--reps", "2", "--out", "a", "--dry-run"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plan: 4 runs, 0 of them still to run"), "{stderr}");
    // A dry run builds no backend: one not built yet is skipped with the command that builds it.
    let out = bin()
        .current_dir(d)
        .env("ZKML_CACHE", d.join("empty-cache"))
        .env_remove("ZKML_SP1_BIN")
        .args(["bench", "--zkvms", "native,sp1", "--models", "ridge", "--rows", "40", "--reps", "1", "--out", "c", "--dry-run"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("skipping sp1: sp1: not built yet") && stderr.contains("zkml-bench build sp1"), "{stderr}");
    assert!(stdout.lines().all(|l| l.starts_with("native ")), "{stdout}");
    assert!(!d.join("empty-cache/target").exists() && !d.join("c/backends.json").exists(), "nothing built, nothing overwritten");

    // Records of another revision in the directory: resuming there is refused, unless asked for.
    let rev = recs[0]["git_revision"].as_str().expect("records carry the revision of the checkout").to_string();
    let text = std::fs::read_to_string(d.join("a/runs.jsonl")).unwrap().replace(&rev, "0123456789abcdef");
    std::fs::write(d.join("a/runs.jsonl"), text).unwrap();
    let sweep = ["--zkvms", "native", "--rows", "40,80,120", "--reps", "1", "--out", "a"];
    let out = run(&sweep);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("revision 0123456789ab") && stderr.contains("--allow-mixed-revisions"), "{stderr}");
    assert_eq!(records(&d.join("a")).len(), 6, "nothing was run");
    let out = run(&[&sweep[..], &["--allow-mixed-revisions"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(records(&d.join("a")).len(), 7, "only the new size ran");
}

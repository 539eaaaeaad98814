//! The benchmark sweep: the same workload on every backend, each measured run its own child
//! process, every result appended to `runs.jsonl` as it lands.

use crate::records::host::HostInfo;
use crate::records::sitting::{self as sittings, Sitting};
use crate::records::{self, BackendEntry, BackendSummary, ChunkedParts, RunKey, RunMetrics, RunRecord, RunStatus, BACKENDS_FILE};
use crate::run::chunked::MODE_CHUNKED;
use crate::run::config::BenchConfig;
use crate::run::driver::Driver;
use crate::run::measure::{Limits, Measured};
use crate::run::process::{CallOutcome, ProcessBackend};
use crate::run::registry::{git_revision, resolve, BackendHandle};
use crate::run::workload::Input;
use anyhow::{bail, Context};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};
use zkml_protocol::{BackendInfo, Precompiles};

/// Repetition policy, recorded with every run.
pub const REPETITION_POLICY: &str = "every repetition is a fresh backend process (cold start, no warm-up run); \
repetitions are interleaved (rep 1 of every configuration, then rep 2, ...) so that drift spreads evenly";

/// A backend ready to run, or why not.
pub struct Target {
    pub name: String,
    pub driver: Box<dyn Driver>,
    pub info: BackendInfo,
}

/// Resolves the requested backends. The native baseline runs as `<this exe> backend-native`.
/// With `build`, a zkVM backend is built (or brought up to date) first; without (a dry run), a
/// backend not built yet is reported unavailable instead of compiled for many minutes.
pub fn targets(config: &BenchConfig, self_exe: &Path, build: bool) -> (Vec<Target>, BTreeMap<String, BackendEntry>) {
    let mut targets = Vec::new();
    let mut entries = BTreeMap::new();
    for name in &config.zkvms {
        let process = if let Some(path) = config.backends.get(name) {
            Ok(ProcessBackend::new(path))
        } else {
            match resolve(name, build) {
                Ok(BackendHandle::Native(_)) => Ok(ProcessBackend::with_prefix(self_exe, &["backend-native"])),
                Ok(BackendHandle::Process(p)) => Ok(p),
                Err(e) => Err(e),
            }
        };
        let entry = match process.and_then(|p| p.info().map(|info| (p, info))) {
            Ok((process, info)) => {
                let guest_loc = crate::run::registry::repo_root().and_then(|r| guest_loc(&r.join("zkvms").join(name).join("guest")));
                targets.push(Target { name: name.clone(), driver: Box::new(process), info: info.clone() });
                let build_s = crate::run::registry::last_build(name).map(|b| b.seconds);
                BackendEntry { available: true, reason: None, info: Some(info), guest_loc, build_s }
            }
            Err(e) => BackendEntry { available: false, reason: Some(format!("{e:#}")), info: None, guest_loc: None, build_s: None },
        };
        entries.insert(name.clone(), entry);
    }
    for name in config.backends.keys().filter(|n| !config.zkvms.contains(n)) {
        entries.insert(
            name.clone(),
            BackendEntry {
                available: false,
                reason: Some("given with --backend but not listed in --zkvms".into()),
                info: None,
                guest_loc: None,
                build_s: None,
            },
        );
    }
    (targets, entries)
}

/// Counts non-blank, non-comment lines of Rust under `dir/src`.
pub fn guest_loc(dir: &Path) -> Option<usize> {
    fn walk(p: &Path, n: &mut usize) {
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, n);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    if let Ok(t) = std::fs::read_to_string(&p) {
                        *n += t.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")).count();
                    }
                }
            }
        }
    }
    let src = dir.join("src");
    if !src.is_dir() {
        return None;
    }
    let mut n = 0;
    walk(&src, &mut n);
    Some(n)
}

/// One planned run.
pub struct Planned<'a> {
    pub key: RunKey,
    pub target: &'a Target,
    pub input: &'a Input,
}

/// Every run of the sweep, repetitions interleaved, with the modes and precompile settings
/// each backend supports. Returns the plan and notes about combinations left out.
pub fn plan<'a>(config: &BenchConfig, targets: &'a [Target], inputs: &'a [Input]) -> (Vec<Planned<'a>>, Vec<String>) {
    let mut notes = Vec::new();
    let mut runs = Vec::new();
    let mut per_target: Vec<(&Target, Vec<Precompiles>, Vec<String>)> = Vec::new();
    for t in targets {
        let precompiles: Vec<Precompiles> = config.precompiles.iter().copied().filter(|p| t.info.precompiles.contains(p)).collect();
        for p in config.precompiles.iter().filter(|p| !t.info.precompiles.contains(p)) {
            notes.push(format!("{}: precompiles {p} not applicable (supports {:?})", t.name, t.info.precompiles));
        }
        let modes: Vec<String> = if config.modes.is_empty() {
            t.info.default_mode().map(|m| vec![m.to_string()]).unwrap_or_default()
        } else {
            let mut ms = Vec::new();
            for m in &config.modes {
                match t.info.proof_modes.iter().find(|x| &x.name == m) {
                    Some(x) if x.available => ms.push(m.clone()),
                    // Not one prove (so listed unavailable for it): chunk proofs, then the
                    // aggregate, each its own process (`chunk_rows`, checked by `validate`).
                    Some(x) if x.name == MODE_CHUNKED => ms.push(m.clone()),
                    Some(x) => notes.push(format!("{}: mode {m} not available here: {}", t.name, x.reason.as_deref().unwrap_or("?"))),
                    None => notes.push(format!("{}: has no mode {m}", t.name)),
                }
            }
            ms
        };
        if precompiles.is_empty() || modes.is_empty() {
            notes.push(format!("{}: nothing to run with these settings", t.name));
        }
        per_target.push((t, precompiles, modes));
    }
    for repetition in 1..=config.reps {
        for (t, precompiles, modes) in &per_target {
            for input in inputs {
                for &p in precompiles {
                    for mode in modes {
                        let key = RunKey {
                            zkvm: t.name.clone(),
                            model: input.model.clone(),
                            rows: input.rows,
                            precompiles: p,
                            mode: mode.clone(),
                            repetition,
                            chunk_rows: if mode == MODE_CHUNKED { config.chunk_rows } else { None },
                        };
                        runs.push(Planned { key, target: t, input });
                    }
                }
            }
        }
    }
    (runs, notes)
}

/// What the sweep did.
#[derive(Debug, Default)]
pub struct SweepSummary {
    pub planned: usize,
    pub skipped_done: usize,
    pub ok: usize,
    pub failed: usize,
    pub timed_out: usize,
    /// Repetitions left out because the first repetition failed or took longer than
    /// [`BenchConfig::single_rep_above_s`], with why.
    pub not_repeated: Vec<String>,
    pub interrupted: bool,
    pub wall_s: f64,
}

/// Options of one sweep execution.
pub struct SweepOptions<'a> {
    pub out: &'a Path,
    pub timeout: Duration,
    pub force: bool,
    pub retry_failed: bool,
    pub keep_proofs: bool,
    /// Resume into a directory whose records come from another revision of the code.
    pub allow_mixed_revisions: bool,
    pub interrupt: &'a AtomicBool,
    /// Told when each run starts and how it ended.
    pub progress: &'a mut dyn FnMut(Event<'_>),
}

/// Progress of a sweep.
pub enum Event<'a> {
    Started { index: usize, total: usize, key: &'a RunKey },
    Finished { key: &'a RunKey, status: &'a RunStatus, metrics: Option<&'a RunMetrics> },
}

/// Why a later repetition is left out under `--single-rep-above LIMIT`, given the configuration's
/// first repetition (`None`: not run yet; `Some(None)`: failed; `Some(Some(s))`: its prove wall).
pub fn not_repeated_because(first: Option<Option<f64>>, limit_s: u64) -> Option<String> {
    match first {
        Some(None) => Some("its first repetition failed".into()),
        Some(Some(wall)) if wall > limit_s as f64 => Some(format!("its first repetition took {wall:.0} s (over {limit_s} s)")),
        _ => None,
    }
}

/// The planned runs not yet recorded in `existing` (all of them with `force`; failed ones
/// again with `retry_failed`): what a sweep resumed into the same directory runs.
pub fn pending<'p, 'a>(plan: &'p [Planned<'a>], existing: &[RunRecord], force: bool, retry_failed: bool) -> Vec<&'p Planned<'a>> {
    let done: HashSet<(RunKey, String)> =
        existing.iter().filter(|r| r.status.is_ok() || !retry_failed).map(|r| (r.key.clone(), r.workload_id.clone())).collect();
    plan.iter().filter(|p| force || !done.contains(&(p.key.clone(), p.input.id.clone()))).collect()
}

/// Runs the plan, appending a record per run. A crash, OOM kill or timeout is recorded and
/// the sweep goes on; Ctrl-C stops it without recording the interrupted run.
pub fn run_sweep(config: &BenchConfig, plan: &[Planned<'_>], opts: &mut SweepOptions<'_>) -> anyhow::Result<SweepSummary> {
    let start = Instant::now();
    let existing = records::load(opts.out)?;
    for s in &existing.skipped {
        eprintln!("warning: ignoring {s}");
    }
    let git = git_revision();
    // One sweep, one revision: resuming on other code would mix numbers silently.
    if let Some(here) = &git {
        let others: std::collections::BTreeSet<&str> =
            existing.records.iter().filter_map(|r| r.git_revision.as_deref()).filter(|r| r != here).collect();
        if !others.is_empty() && !opts.allow_mixed_revisions {
            bail!(
                "{} holds records of revision {} and this is {}: a sweep is measured on one revision. Resume from a \
                 checkout of that revision (e.g. `git worktree add ../sweep {}` and ZKML_SOURCE_DIR=../sweep), use another \
                 --out, or pass --allow-mixed-revisions",
                opts.out.join(records::RESULTS_FILE).display(),
                others.iter().map(|r| crate::records::short_rev(r)).collect::<Vec<_>>().join(", "),
                crate::records::short_rev(here),
                others.iter().next().map(|r| r.trim_end_matches("-dirty")).unwrap_or_default()
            );
        }
    }
    // The first repetition of each configuration (recorded before or in this sweep): whether it
    // succeeded, and its prove wall time.
    let config_of = |k: &RunKey, workload: &str| (RunKey { repetition: 0, ..k.clone() }, workload.to_string());
    let first_wall = |r: &RunRecord| r.metrics.as_ref().filter(|_| r.status.is_ok()).map(|m| m.prove_wall_s);
    let mut first: std::collections::HashMap<(RunKey, String), Option<f64>> =
        existing.records.iter().filter(|r| r.key.repetition == 1).map(|r| (config_of(&r.key, &r.workload_id), first_wall(r))).collect();
    let todo = pending(plan, &existing.records, opts.force, opts.retry_failed);
    let mut summary = SweepSummary { planned: plan.len(), skipped_done: plan.len() - todo.len(), ..Default::default() };
    let host = HostInfo::detect();
    let sitting = (!todo.is_empty()).then(|| {
        let sitting = Sitting::start(host.logical_cores);
        let before = records::sittings(&existing.records);
        if let Some(ratio) = sittings::spread(&[before.as_slice(), &[sitting]].concat()).filter(|r| *r > sittings::COMPARABLE_RATIO) {
            eprintln!(
                "warning: this machine's speed probe took {:.2} s; earlier sittings of {} took {}: {ratio:.2}x apart, so \
                 their timings are not comparable side by side (the report lists each sitting)",
                sitting.probe_s,
                opts.out.display(),
                before.iter().map(|s| format!("{:.2} s", s.probe_s)).collect::<Vec<_>>().join(", ")
            );
        }
        sitting
    });
    let proofs = opts.out.join("proofs");
    let logs = opts.out.join("logs");
    std::fs::create_dir_all(&proofs)?;
    std::fs::create_dir_all(&logs)?;
    for (i, p) in todo.iter().enumerate() {
        if let (Some(limit), true) = (config.single_rep_above_s, p.key.repetition > 1) {
            if let Some(why) = not_repeated_because(first.get(&config_of(&p.key, &p.input.id)).copied(), limit) {
                summary.not_repeated.push(format!("{}: not repeated, {why}", p.key.label()));
                continue;
            }
        }
        (opts.progress)(Event::Started { index: i, total: todo.len(), key: &p.key });
        let run_id = format!("{}-{}", now_millis(), hex::encode(&Sha256::digest(format!("{:?}{}", p.key, p.input.id))[..4]));
        let log = logs.join(format!("{run_id}.log"));
        let proof = proofs.join(format!("{run_id}.zkp"));
        let started_unix = now_millis() / 1000;
        let outcome = measure_run(p, &proof, &log, opts)?;
        let (status, metrics, real_proof) = match outcome {
            RunOutcome::Interrupted => {
                let _ = std::fs::remove_file(&proof);
                summary.interrupted = true;
                break;
            }
            RunOutcome::Done { status, metrics, real_proof } => (status, metrics.map(|m| *m), real_proof),
        };
        match &status {
            RunStatus::Ok => summary.ok += 1,
            RunStatus::Failed { .. } => summary.failed += 1,
            RunStatus::Timeout { .. } => summary.timed_out += 1,
        }
        let record = RunRecord {
            schema: records::SCHEMA_VERSION,
            run_id,
            key: p.key.clone(),
            workload_id: p.input.id.clone(),
            started_unix,
            git_revision: git.clone(),
            host: host.clone(),
            backend: BackendSummary {
                name: p.target.info.name.clone(),
                sdk: p.target.info.sdk.clone(),
                isa: p.target.info.isa.clone(),
                proof_system: p.target.info.proof_system.clone(),
            },
            real_proof,
            repetition_policy: match config.single_rep_above_s {
                Some(limit) => {
                    format!("{REPETITION_POLICY}; a configuration whose first repetition failed or took over {limit} s runs once")
                }
                None => REPETITION_POLICY.into(),
            },
            repetitions: config.reps,
            status,
            metrics,
            log: Some(log.strip_prefix(opts.out).unwrap_or(&log).display().to_string()),
            sitting,
        };
        records::append(opts.out, &record).with_context(|| format!("appending to {}", opts.out.join(records::RESULTS_FILE).display()))?;
        if p.key.repetition == 1 {
            first.insert(config_of(&p.key, &p.input.id), first_wall(&record));
        }
        if !opts.keep_proofs {
            let _ = std::fs::remove_file(&proof);
        }
        (opts.progress)(Event::Finished { key: &p.key, status: &record.status, metrics: record.metrics.as_ref() });
    }
    summary.wall_s = start.elapsed().as_secs_f64();
    Ok(summary)
}

enum RunOutcome {
    Done { status: RunStatus, metrics: Option<Box<RunMetrics>>, real_proof: bool },
    Interrupted,
}

/// A failed run, measured as far as it got (the prover, and the verifier where it ran): its
/// wall time and the prover's peak memory are kept with the reason.
fn failed(reason: impl Into<String>, prove: &Measured, verify: Option<&Measured>) -> RunOutcome {
    let status = RunStatus::Failed {
        reason: reason.into(),
        after_s: Some(prove.wall_s + verify.map_or(0.0, |v| v.wall_s)),
        peak_rss_bytes: Some(prove.peak_rss_bytes),
    };
    RunOutcome::Done { status, metrics: None, real_proof: false }
}

/// Proves, then verifies in a second process; both measured from outside.
fn measure_run(p: &Planned<'_>, proof: &Path, log: &Path, opts: &SweepOptions<'_>) -> anyhow::Result<RunOutcome> {
    let limits = Limits { timeout: Some(opts.timeout), interrupt: Some(opts.interrupt) };
    let (outcome, prove_m, expected, chunked) = match p.key.chunk_rows {
        None => {
            let (outcome, m) = p.target.driver.prove_measured(&p.input.path, proof, &p.key.mode, p.key.precompiles, limits, log)?;
            (outcome, m, p.input.expected.as_ref(), None)
        }
        Some(chunk_rows) => {
            let (outcome, m) = p.target.driver.prove_chunked_measured(&p.input.chunks, proof, limits, log)?;
            match outcome.answer() {
                Ok(c) => (CallOutcome::Ok(c.report), m, p.input.chunked_expected.as_ref(), Some(ChunkedParts { chunk_rows, ..c.parts })),
                Err(not) => (not, m, None, None),
            }
        }
    };
    let report = match outcome {
        CallOutcome::Ok(r) => r,
        CallOutcome::Failed(reason) => return Ok(failed(reason, &prove_m, None)),
        CallOutcome::TimedOut => {
            return Ok(RunOutcome::Done { status: RunStatus::Timeout { after_s: prove_m.wall_s }, metrics: None, real_proof: false })
        }
        CallOutcome::Interrupted => return Ok(RunOutcome::Interrupted),
    };
    let proven = match report.claim.claim() {
        Ok(c) => c,
        Err(e) => return Ok(failed(format!("unreadable claim in the prove report: {e}"), &prove_m, None)),
    };
    let words = zkml_core::words_from_bytes(&std::fs::read(&p.input.path)?)?;
    let expected = expected.ok_or_else(|| anyhow::anyhow!("{}: the workload was not prepared", p.key.label()))?;
    let agreement = match crate::run::workflow::check_claim(&p.target.info, &words, expected, &proven) {
        Ok(a) => a,
        Err(e) => return Ok(failed(format!("{e:#}"), &prove_m, None)),
    };
    let (outcome, verify_m) = p.target.driver.verify_measured(proof, limits, log)?;
    let verify = match outcome {
        CallOutcome::Ok(v) => v,
        CallOutcome::Failed(reason) => return Ok(failed(format!("verification: {reason}"), &prove_m, Some(&verify_m))),
        CallOutcome::TimedOut => {
            return Ok(failed(format!("verification timed out after {:.0}s", verify_m.wall_s), &prove_m, Some(&verify_m)))
        }
        CallOutcome::Interrupted => return Ok(RunOutcome::Interrupted),
    };
    if !verify.valid {
        return Ok(failed(format!("the proof did not verify: {}", verify.reason.unwrap_or_default()), &prove_m, Some(&verify_m)));
    }
    let claim = &report.claim;
    let khz = match (&report.cycles, report.phases.prove_s) {
        (Some(c), Some(s)) if s > 0.0 => Some(c.total as f64 / s / 1e3),
        _ => None,
    };
    let mut phases = report.phases.clone();
    phases.verify_s = Some(verify.verify_s);
    let metrics = RunMetrics {
        cycles: report.cycles.clone(),
        phases,
        prove_wall_s: prove_m.wall_s,
        prove_peak_rss_bytes: prove_m.peak_rss_bytes,
        prove_cpu_s: prove_m.user_s + prove_m.sys_s,
        verify_wall_s: Some(verify_m.wall_s),
        verify_peak_rss_bytes: Some(verify_m.peak_rss_bytes),
        proof_bytes: report.proof_bytes,
        khz,
        r2: claim.r2,
        mse: claim.mse,
        model_hash: claim.model_hash.clone(),
        data_commitment: claim.data_commitment.clone(),
        notes: report.notes.clone(),
        agreement,
        chunked,
    };
    Ok(RunOutcome::Done { status: RunStatus::Ok, metrics: Some(Box::new(metrics)), real_proof: report.real_proof && verify.real_proof })
}

fn now_millis() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Writes `backends.json`, merging with what an earlier sweep into the same directory found.
pub fn write_backends(out: &Path, entries: &BTreeMap<String, BackendEntry>) -> anyhow::Result<()> {
    let path = out.join(BACKENDS_FILE);
    let mut all: BTreeMap<String, BackendEntry> =
        std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    for (k, v) in entries {
        // Never let "unavailable now" erase what an earlier sweep knew about a backend.
        if v.available || !all.get(k).is_some_and(|e| e.available) {
            all.insert(k.clone(), v.clone());
        }
    }
    zkml_protocol::files::write_bytes_atomically(&path, &serde_json::to_vec_pretty(&all)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::not_repeated_because;

    #[test]
    fn only_quick_successes_are_repeated() {
        assert_eq!(not_repeated_because(None, 1800), None, "no first repetition yet: run it");
        assert_eq!(not_repeated_because(Some(Some(1799.0)), 1800), None);
        assert_eq!(not_repeated_because(Some(Some(1801.0)), 1800).unwrap(), "its first repetition took 1801 s (over 1800 s)");
        assert_eq!(not_repeated_because(Some(None), 1800).unwrap(), "its first repetition failed");
    }
}

/// The sweep itself — planning, resuming, `--single-rep-above`, failures and Ctrl-C — driven
/// through a scripted [`Driver`] that starts no prover: it evaluates natively in-process and
/// reports the wall time its script says.
#[cfg(test)]
mod sweep_tests {
    use super::*;
    use crate::run::driver::{ChunkedProve, MeasuredCall};
    use crate::run::measure::Ending;
    use std::cell::RefCell;
    use std::os::unix::process::ExitStatusExt;
    use std::path::PathBuf;
    use std::rc::Rc;
    use zkml_protocol::{Backend as _, ProofFile, ProofMode, ProveReport, VerifyReport};

    /// What the mock's prover does.
    #[derive(Clone, Copy)]
    enum Act {
        /// Proves (natively), reporting this wall time in seconds.
        Prove(f64),
        Fail,
        /// As if Ctrl-C reached the prover.
        Interrupt,
    }

    /// Modes `quick` (1 s), `slow` (100 s) and `broken` (fails); `interrupt_at`: the prove call
    /// (counted from 1) that is interrupted instead.
    struct Mock {
        interrupt_at: Option<usize>,
        /// Every prove call's mode, shared with the test.
        proves: Rc<RefCell<Vec<String>>>,
    }

    fn measured(wall_s: f64) -> Measured {
        Measured {
            ending: Ending::Exited(std::process::ExitStatus::from_raw(0)),
            stdout: vec![],
            wall_s,
            peak_rss_bytes: 1 << 20,
            user_s: wall_s,
            sys_s: 0.0,
        }
    }

    impl Driver for Mock {
        fn info(&self) -> anyhow::Result<BackendInfo> {
            let mut info = zkml_native::NativeBackend.info();
            info.proof_modes =
                ["quick", "slow", "broken"].map(|m| ProofMode::new(m, zkml_protocol::ProofFamily::Segmented, false)).to_vec();
            Ok(info)
        }
        fn execute(&self, _: &Path, _: Precompiles) -> anyhow::Result<zkml_protocol::ExecuteReport> {
            unreachable!("a sweep does not execute")
        }
        fn prove_measured(
            &self,
            input: &Path,
            out: &Path,
            mode: &str,
            precompiles: Precompiles,
            _: Limits<'_>,
            _: &Path,
        ) -> MeasuredCall<ProveReport> {
            let words = zkml_core::words_from_bytes(&std::fs::read(input)?)?;
            self.proves.borrow_mut().push(mode.to_string());
            let act = match mode {
                _ if self.interrupt_at == Some(self.proves.borrow().len()) => Act::Interrupt,
                "quick" => Act::Prove(1.0),
                "slow" => Act::Prove(100.0),
                _ => Act::Fail,
            };
            match act {
                Act::Prove(wall) => {
                    let output = zkml_native::NativeBackend.prove(&words, "none", precompiles)?;
                    output.file.write(out)?;
                    Ok((CallOutcome::Ok(output.report), measured(wall)))
                }
                Act::Fail => Ok((CallOutcome::Failed("prove failed (exit 1): out of memory".into()), measured(3.0))),
                Act::Interrupt => Ok((CallOutcome::Interrupted, measured(0.5))),
            }
        }
        fn verify_measured(&self, proof: &Path, _: Limits<'_>, _: &Path) -> MeasuredCall<VerifyReport> {
            let file = ProofFile::read(proof)?;
            Ok((CallOutcome::Ok(zkml_native::NativeBackend.verify(&file)?), measured(0.01)))
        }
        /// Each chunk "proven" in 10 s and 2 MiB, the aggregate in 5 s and 3 MiB: a native
        /// file carrying the chunks' aggregated claim.
        fn prove_chunked_measured(&self, chunks: &[PathBuf], out: &Path, _: Limits<'_>, _: &Path) -> MeasuredCall<ChunkedProve> {
            self.proves.borrow_mut().push(format!("chunked x{}", chunks.len()));
            let mut claims = vec![];
            for c in chunks {
                claims.push(zkml_core::chunk::evaluate_chunk_words::<zkml_core::SoftwareSha256>(&zkml_core::words_from_bytes(
                    &std::fs::read(c)?,
                )?)?);
            }
            let claim = zkml_core::aggregate::<zkml_core::SoftwareSha256>(&claims)?;
            // The chunk input's own guest input follows its header ("ZKMLCIN1", i, K).
            let first = zkml_core::words_from_bytes(&std::fs::read(&chunks[0])?)?;
            let mut output = zkml_native::NativeBackend.prove(&first[4..], "none", Precompiles::Off)?;
            output.file.claim = claim;
            output.file.write(out)?;
            output.report.claim = zkml_protocol::ClaimSummary::from(&claim);
            let n = chunks.len();
            let parts = ChunkedParts {
                chunk_wall_s: vec![10.0; n],
                chunk_peak_rss_bytes: vec![2 << 20; n],
                chunk_prove_s: vec![9.0; n],
                aggregate_wall_s: 5.0,
                aggregate_peak_rss_bytes: 3 << 20,
                ..Default::default()
            };
            let mut m = measured(10.0 * n as f64 + 5.0);
            m.peak_rss_bytes = 3 << 20;
            Ok((CallOutcome::Ok(ChunkedProve { report: output.report, parts }), m))
        }
    }

    /// Issue #36: `chunk_rows` makes the `chunked` mode plannable (a mode no single prove
    /// makes); its runs carry the chunk size in their key, are checked against the chunks'
    /// aggregated native claim, and record what each part cost.
    #[test]
    fn a_chunked_sweep_records_its_chunk_size_and_each_parts_cost() {
        let dir = tempfile::tempdir().unwrap();
        let config = BenchConfig {
            zkvms: vec!["mock".into()],
            models: vec!["ridge".into()],
            rows: vec![20],
            precompiles: vec![Precompiles::Off],
            modes: vec![MODE_CHUNKED.into()],
            reps: 1,
            customers: 400,
            chunk_rows: Some(7),
            ..BenchConfig::default()
        };
        config.validate().unwrap();
        assert!(BenchConfig { chunk_rows: None, ..config.clone() }.validate().is_err(), "mode chunked needs a chunk size");
        let inputs = crate::run::workload::prepare_workload(&config, dir.path()).unwrap();
        assert_eq!(inputs[0].chunks.len(), 3, "20 rows in chunks of 7");
        let proves = Rc::new(RefCell::new(vec![]));
        let mock = Mock { interrupt_at: None, proves: proves.clone() };
        let mut info = mock.info().unwrap();
        info.proof_modes.push(ProofMode::new(MODE_CHUNKED, zkml_protocol::ProofFamily::Aggregated, false).unavailable("not one prove"));
        let targets = [Target { name: "mock".into(), driver: Box::new(mock), info }];
        let (plan, notes) = plan(&config, &targets, &inputs);
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(plan.iter().map(|p| p.key.chunk_rows).collect::<Vec<_>>(), [Some(7)]);
        let interrupt = AtomicBool::new(false);
        let mut progress = |_: Event<'_>| {};
        let mut opts = SweepOptions {
            out: dir.path(),
            timeout: Duration::from_secs(60),
            force: false,
            retry_failed: false,
            keep_proofs: false,
            allow_mixed_revisions: false,
            interrupt: &interrupt,
            progress: &mut progress,
        };
        let summary = run_sweep(&config, &plan, &mut opts).unwrap();
        assert_eq!((summary.ok, proves.borrow().as_slice()), (1, ["chunked x3".to_string()].as_slice()));
        let records = records::load(dir.path()).unwrap().records;
        let r = &records[0];
        assert_eq!((r.key.mode.as_str(), r.key.chunk_rows), (MODE_CHUNKED, Some(7)));
        assert!(r.key.label().contains("(7-row chunks)"), "{}", r.key.label());
        let m = r.metrics.as_ref().unwrap();
        let parts = m.chunked.as_ref().unwrap();
        assert_eq!((parts.chunk_rows, parts.chunk_wall_s.len(), parts.aggregate_wall_s), (7, 3, 5.0));
        assert_eq!((m.prove_wall_s, m.prove_peak_rss_bytes), (35.0, 3 << 20));
        // The aggregate's claim is the whole set's metrics over the chunked data commitment.
        let whole = inputs[0].expected.unwrap();
        assert_eq!(m.mse, zkml_protocol::ClaimSummary::from(&whole).mse);
        assert_ne!(m.data_commitment, hex::encode(whole.data_commitment));
        // The record reads back with its chunk size (a record without one still reads).
        let line = serde_json::to_string(&r.key).unwrap();
        assert!(line.contains("\"chunk_rows\":7"), "{line}");
        let plain: RunKey = serde_json::from_str(&line.replace(",\"chunk_rows\":7", "")).unwrap();
        assert_eq!(plain.chunk_rows, None);
        // The report shows the parts: chunk size, rows, K, one chunk's wall and peak, the aggregation's.
        let data = crate::records::data::Data::load(&[dir.path().to_path_buf()]).unwrap();
        let md = std::fs::read_to_string(crate::report::write_report(&data, &dir.path().join("report")).unwrap()).unwrap();
        assert!(md.contains("## Test sets proven in chunks"), "{md}");
        assert!(md.contains("| mock chunked, precompiles off | ridge | 7 | 20 | 3 | 10.0 s (10.0 s–10.0 s) | 0.00 GiB | 5.0 s |"), "{md}");
    }

    struct Sweep {
        dir: tempfile::TempDir,
        config: BenchConfig,
        inputs: Vec<crate::run::workload::Input>,
    }

    /// Two test-set sizes, the three mock modes, three repetitions, one repetition above 60 s.
    fn sweep() -> Sweep {
        let dir = tempfile::tempdir().unwrap();
        let config = BenchConfig {
            zkvms: vec!["mock".into()],
            models: vec!["ridge".into()],
            rows: vec![20, 40],
            precompiles: vec![Precompiles::Off],
            modes: vec!["quick".into(), "slow".into(), "broken".into()],
            reps: 3,
            single_rep_above_s: Some(60),
            customers: 400,
            ..BenchConfig::default()
        };
        let inputs = crate::run::workload::prepare_workload(&config, dir.path()).unwrap();
        Sweep { dir, config, inputs }
    }

    impl Sweep {
        /// Runs the sweep into its directory with a fresh mock; returns what it did, the modes of
        /// the prove calls the mock saw and the records now in the directory.
        fn run(&self, interrupt_at: Option<usize>, retry_failed: bool) -> (SweepSummary, Vec<String>, Vec<RunRecord>) {
            let proves = Rc::new(RefCell::new(vec![]));
            let mock = Mock { interrupt_at, proves: proves.clone() };
            let info = mock.info().unwrap();
            let targets = [Target { name: "mock".into(), driver: Box::new(mock), info }];
            let (plan, notes) = plan(&self.config, &targets, &self.inputs);
            assert!(notes.is_empty(), "{notes:?}");
            assert_eq!(plan.len(), 2 * 3 * 3, "sizes x modes x repetitions");
            let interrupt = AtomicBool::new(false);
            let mut progress = |_: Event<'_>| {};
            let mut opts = SweepOptions {
                out: self.dir.path(),
                timeout: Duration::from_secs(60),
                force: false,
                retry_failed,
                keep_proofs: false,
                allow_mixed_revisions: false,
                interrupt: &interrupt,
                progress: &mut progress,
            };
            let summary = run_sweep(&self.config, &plan, &mut opts).unwrap();
            let records = records::load(self.dir.path()).unwrap().records;
            let proves = proves.borrow().clone();
            (summary, proves, records)
        }
    }

    fn count(records: &[RunRecord], mode: &str, ok: bool) -> usize {
        records.iter().filter(|r| r.key.mode == mode && r.status.is_ok() == ok).count()
    }

    #[test]
    fn slow_and_failed_configurations_run_once_and_a_resumed_sweep_redoes_nothing() {
        let s = sweep();
        let (summary, proves, records) = s.run(None, false);
        assert_eq!(proves.len(), 10, "{proves:?}");
        // quick: 2 sizes x 3 repetitions; slow: its first repetition took 100 s > 60 s; broken: failed.
        assert_eq!((count(&records, "quick", true), count(&records, "slow", true), count(&records, "broken", false)), (6, 2, 2));
        assert_eq!((summary.ok, summary.failed, summary.not_repeated.len(), summary.interrupted), (8, 2, 8, false));
        assert!(summary.not_repeated.iter().any(|n| n.contains("took 100 s (over 60 s)")), "{:?}", summary.not_repeated);
        assert!(summary.not_repeated.iter().any(|n| n.contains("its first repetition failed")), "{:?}", summary.not_repeated);
        let failed = records.iter().find(|r| r.key.mode == "broken").unwrap();
        assert!(matches!(&failed.status, RunStatus::Failed { reason, peak_rss_bytes: Some(_), .. } if reason.contains("out of memory")));
        assert!(records.iter().all(|r| r.sitting.is_some() && r.workload_id.len() > 8));
        assert!(!s.dir.path().join("proofs").read_dir().unwrap().any(|_| true), "proofs are removed unless kept");

        // Resumed: everything is recorded or not to be repeated, so no prover starts.
        let (summary, proves, again) = s.run(None, false);
        assert_eq!((proves.len(), summary.skipped_done, again.len()), (0, 10, 10));
        // --retry-failed: the failed first repetitions run again (and fail again).
        let (summary, proves, again) = s.run(None, true);
        assert_eq!((proves, summary.failed, again.len()), (vec!["broken".to_string(); 2], 2, 12));
    }

    #[test]
    fn an_interrupted_sweep_records_nothing_of_the_interrupted_run_and_resumes_where_it_stopped() {
        let s = sweep();
        let (summary, _, records) = s.run(Some(3), false);
        assert!(summary.interrupted);
        assert_eq!(records.len(), 2, "the two runs before Ctrl-C, not the interrupted one");
        let (summary, proves, records) = s.run(None, false);
        assert!(!summary.interrupted);
        assert_eq!(proves.len(), 8, "the interrupted run and the seven never started: {proves:?}");
        assert_eq!((summary.skipped_done, records.len()), (2, 10), "the same ten runs as an uninterrupted sweep");
        let keys: HashSet<String> = records.iter().map(|r| r.key.label()).collect();
        assert_eq!(keys.len(), records.len(), "no run recorded twice");
    }
}

//! The one interface a sweep drives a backend through: what it is, a cycle count, and a measured
//! prove and verify. [`ProcessBackend`] implements it for every backend binary (the native
//! baseline included, as `zkml-bench backend-native`, so that it is measured from outside like
//! the zkVMs); the sweep's tests implement it with a scripted mock that starts no prover.

use crate::records::ChunkedParts;
use crate::run::measure::{Limits, Measured};
use crate::run::process::{path_str, prove_args, CallOutcome, ProcessBackend};
use std::path::{Path, PathBuf};
use std::time::Instant;
use zkml_protocol::{BackendInfo, ChunkReport, ExecuteReport, Precompiles, ProveReport, VerifyReport};

/// A protocol answer and what its process cost.
pub type MeasuredCall<T> = anyhow::Result<(CallOutcome<T>, Measured)>;

/// A backend as the sweep drives it.
pub trait Driver {
    /// What the backend is (`info`).
    fn info(&self) -> anyhow::Result<BackendInfo>;
    /// Runs the guest without proving (cycle counts).
    fn execute(&self, input: &Path, precompiles: Precompiles) -> anyhow::Result<ExecuteReport>;
    /// Proves `input` into `out`, measured, under `limits`; the backend's log goes to `log`.
    fn prove_measured(
        &self,
        input: &Path,
        out: &Path,
        mode: &str,
        precompiles: Precompiles,
        limits: Limits<'_>,
        log: &Path,
    ) -> MeasuredCall<ProveReport>;
    /// Verifies the proof file `proof`, measured (an invalid proof is an answer, not a failure).
    fn verify_measured(&self, proof: &Path, limits: Limits<'_>, log: &Path) -> MeasuredCall<VerifyReport>;
    /// Issue #36: proves each chunk input of `chunks` (in order) in a process of its own, then
    /// aggregates the chunk proofs into `out` in one more; measured as one run (times summed,
    /// the largest peak; `limits.timeout` bounds the whole), with what each part cost.
    fn prove_chunked_measured(&self, chunks: &[PathBuf], out: &Path, limits: Limits<'_>, log: &Path) -> MeasuredCall<ChunkedProve>;
}

/// A chunked proof's aggregate report, and its parts' costs.
#[derive(Debug)]
pub struct ChunkedProve {
    pub report: ProveReport,
    pub parts: ChunkedParts,
}

impl Driver for ProcessBackend {
    fn info(&self) -> anyhow::Result<BackendInfo> {
        ProcessBackend::info(self)
    }

    fn execute(&self, input: &Path, precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        ProcessBackend::execute(self, input, precompiles)
    }

    fn prove_measured(
        &self,
        input: &Path,
        out: &Path,
        mode: &str,
        precompiles: Precompiles,
        limits: Limits<'_>,
        log: &Path,
    ) -> MeasuredCall<ProveReport> {
        let args = prove_args(input, out, Some(mode), precompiles)?;
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        // The prover's scratch files (RISC Zero's segments hold the rows) in a private directory,
        // removed after the run whatever happened to the prover.
        let scratch = zkml_protocol::files::private_tempdir()?;
        self.with_tmpdir(scratch.path()).call_measured(&args, limits, Some(log), false)
    }

    fn verify_measured(&self, proof: &Path, limits: Limits<'_>, log: &Path) -> MeasuredCall<VerifyReport> {
        self.call_measured(&["verify", "--proof", &path_str(proof)?], limits, Some(log), true)
    }

    fn prove_chunked_measured(&self, chunks: &[PathBuf], out: &Path, limits: Limits<'_>, log: &Path) -> MeasuredCall<ChunkedProve> {
        let started = Instant::now();
        // What is left of the run's time limit for its next process.
        let left = || Limits { timeout: limits.timeout.map(|t| t.saturating_sub(started.elapsed())), ..limits };
        // Scratch files (RISC Zero's segments hold the rows) and the chunk proofs, private,
        // removed after the run whatever happened.
        let scratch = zkml_protocol::files::private_tempdir()?;
        let proofs = zkml_protocol::files::private_tempdir()?;
        let backend = self.with_tmpdir(scratch.path());
        let mut parts = ChunkedParts::default();
        let mut total: Option<Measured> = None;
        let mut paths = Vec::with_capacity(chunks.len());
        for (i, input) in chunks.iter().enumerate() {
            let path = proofs.path().join(format!("chunk-{i:05}.zkp"));
            let args = ["prove-chunk", "--input", &path_str(input)?, "--out", &path_str(&path)?];
            let (outcome, m) = backend.call_measured::<ChunkReport>(&args, left(), Some(log), false)?;
            parts.chunk_wall_s.push(m.wall_s);
            parts.chunk_peak_rss_bytes.push(m.peak_rss_bytes);
            let so_far = match total.take() {
                Some(t) => t.then(m),
                None => m,
            };
            let report = match outcome.answer() {
                Ok(r) => r,
                Err(not) => return Ok((not, so_far)),
            };
            parts.chunk_prove_s.push(report.phases.prove_s.unwrap_or(0.0) + report.phases.compress_s.unwrap_or(0.0));
            total = Some(so_far);
            paths.push(path);
        }
        let mut args = vec!["aggregate".to_string()];
        for p in &paths {
            args.extend(["--chunk".to_string(), path_str(p)?]);
        }
        args.extend(["--out".to_string(), path_str(out)?]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (outcome, m) = backend.call_measured::<ProveReport>(&args, left(), Some(log), false)?;
        parts.aggregate_wall_s = m.wall_s;
        parts.aggregate_peak_rss_bytes = m.peak_rss_bytes;
        let all = match total {
            Some(t) => t.then(m),
            None => m,
        };
        Ok((outcome.answer().map(|report| CallOutcome::Ok(ChunkedProve { report, parts })).unwrap_or_else(|not| not), all))
    }
}

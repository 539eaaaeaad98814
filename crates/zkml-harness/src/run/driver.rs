//! The one interface a sweep drives a backend through: what it is, a cycle count, and a measured
//! prove and verify. [`ProcessBackend`] implements it for every backend binary (the native
//! baseline included, as `zkml-bench backend-native`, so that it is measured from outside like
//! the zkVMs); the sweep's tests implement it with a scripted mock that starts no prover.

use crate::run::measure::{Limits, Measured};
use crate::run::process::{path_str, prove_args, CallOutcome, ProcessBackend};
use std::path::Path;
use zkml_protocol::{BackendInfo, ExecuteReport, Precompiles, ProveReport, VerifyReport};

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
}

//! Drives a backend binary through the protocol: one child process per command, JSON on its
//! stdout, its logs on stderr (passed through, or into a log file for the benchmark).

use crate::run::measure::{run_measured_with, Ending, Limits, Measured};
use anyhow::{bail, Context};
use serde::de::DeserializeOwned;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use zkml_protocol::*;

/// A backend binary, with arguments that go before the protocol command (e.g.
/// `zkml-bench backend-native`).
#[derive(Debug, Clone)]
pub struct ProcessBackend {
    pub exe: PathBuf,
    pub prefix: Vec<String>,
    /// The backend's `TMPDIR`: a private directory its caller owns and removes, so that every
    /// scratch file of the prover (RISC Zero's segments hold the rows) is private and gone
    /// when the caller is, whatever happened to the backend.
    pub tmpdir: Option<PathBuf>,
}

/// Set by the CLI's Ctrl-C / SIGTERM handler: every protocol call of this process stops its
/// backend (the whole process group) when it is set, and no output file is put in place.
pub use zkml_protocol::files::INTERRUPTED;

/// How a measured protocol call ended.
#[derive(Debug)]
pub enum CallOutcome<T> {
    Ok(T),
    /// The backend failed: its own error message, or how it died.
    Failed(String),
    TimedOut,
    Interrupted,
}

impl<T> CallOutcome<T> {
    /// The answer, or the same non-answer as an outcome of another type (`Err`).
    pub fn answer<U>(self) -> Result<T, CallOutcome<U>> {
        match self {
            CallOutcome::Ok(v) => Ok(v),
            CallOutcome::Failed(e) => Err(CallOutcome::Failed(e)),
            CallOutcome::TimedOut => Err(CallOutcome::TimedOut),
            CallOutcome::Interrupted => Err(CallOutcome::Interrupted),
        }
    }
}

impl ProcessBackend {
    pub fn new(exe: impl Into<PathBuf>) -> Self {
        ProcessBackend { exe: exe.into(), prefix: Vec::new(), tmpdir: None }
    }

    /// This backend with its scratch files in `dir` (see [`ProcessBackend::tmpdir`]).
    pub fn with_tmpdir(&self, dir: &Path) -> Self {
        ProcessBackend { tmpdir: Some(dir.to_path_buf()), ..self.clone() }
    }

    pub fn with_prefix(exe: impl Into<PathBuf>, prefix: &[&str]) -> Self {
        ProcessBackend { exe: exe.into(), prefix: prefix.iter().map(|s| s.to_string()).collect(), tmpdir: None }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.exe);
        c.args(&self.prefix).args(args).stdin(Stdio::null());
        if let Some(dir) = &self.tmpdir {
            c.env("TMPDIR", dir);
        }
        c
    }

    /// Runs one protocol command as a measured child. `log`: where its stderr goes (inherited
    /// when `None`). Exit status 2 counts as success when `exit_2_ok` (an invalid proof is
    /// still a well-formed `verify` answer).
    pub fn call_measured<T: DeserializeOwned>(
        &self,
        args: &[&str],
        limits: Limits<'_>,
        log: Option<&Path>,
        exit_2_ok: bool,
    ) -> anyhow::Result<(CallOutcome<T>, Measured)> {
        let mut cmd = self.command(args);
        match log {
            Some(p) => {
                let f =
                    std::fs::OpenOptions::new().create(true).append(true).open(p).with_context(|| format!("log file {}", p.display()))?;
                cmd.stderr(f);
            }
            None => {
                cmd.stderr(Stdio::inherit());
            }
        }
        let m = run_measured_with(&mut cmd, limits).with_context(|| format!("cannot start backend {}", self.exe.display()))?;
        let verb = args.first().copied().unwrap_or("");
        let outcome = match m.ending {
            Ending::TimedOut => CallOutcome::TimedOut,
            Ending::Interrupted => CallOutcome::Interrupted,
            Ending::Exited(status) => {
                let stdout = String::from_utf8_lossy(&m.stdout);
                let answered = status.code() == Some(0) || (exit_2_ok && status.code() == Some(2));
                if answered {
                    match serde_json::from_str(&stdout) {
                        Ok(v) => CallOutcome::Ok(v),
                        Err(e) => CallOutcome::Failed(format!("{verb}: backend printed invalid JSON ({e}): {}", clip(&stdout))),
                    }
                } else if let Some(code) = status.code() {
                    let msg = serde_json::from_str::<ErrorReport>(&stdout).map(|e| e.error).unwrap_or_else(|_| clip(&stdout));
                    CallOutcome::Failed(format!("{verb} failed (exit {code}): {msg}"))
                } else {
                    let sig = status.signal().unwrap_or(0);
                    let hint = if sig == libc::SIGKILL { " (SIGKILL: out of memory?)" } else { "" };
                    CallOutcome::Failed(format!("{verb} was killed by signal {sig}{hint}"))
                }
            }
        };
        Ok((outcome, m))
    }

    /// Runs one protocol command, unmeasured and without a time limit, as the CLI does; Ctrl-C
    /// ([`INTERRUPTED`]) stops it.
    fn call<T: DeserializeOwned>(&self, args: &[&str], exit_2_ok: bool) -> anyhow::Result<T> {
        let limits = Limits { timeout: None, interrupt: Some(&INTERRUPTED) };
        let (outcome, _) = self.call_measured(args, limits, None, exit_2_ok)?;
        match outcome {
            CallOutcome::Ok(v) => Ok(v),
            CallOutcome::Failed(msg) => bail!("backend {}: {msg}", self.exe.display()),
            CallOutcome::TimedOut => bail!("backend {} was stopped", self.exe.display()),
            CallOutcome::Interrupted => bail!("interrupted: backend {} stopped, nothing written", self.exe.display()),
        }
    }

    pub fn info(&self) -> anyhow::Result<BackendInfo> {
        let info: BackendInfo = self.call(&["info"], false)?;
        if info.protocol_version != PROTOCOL_VERSION {
            bail!(
                "backend {} speaks protocol {} but this harness speaks {PROTOCOL_VERSION}: rebuild it",
                self.exe.display(),
                info.protocol_version
            );
        }
        Ok(info)
    }

    pub fn execute(&self, input: &Path, precompiles: Precompiles) -> anyhow::Result<ExecuteReport> {
        self.call(&["execute", "--input", &path_str(input)?, "--precompiles", precompiles.as_str()], false)
    }

    pub fn prove(&self, input: &Path, out: &Path, mode: Option<&str>, precompiles: Precompiles) -> anyhow::Result<ProveReport> {
        self.call(&prove_args(input, out, mode, precompiles)?.iter().map(String::as_str).collect::<Vec<_>>(), false)
    }

    /// Verifies; an invalid proof is `Ok(report)` with `valid == false`.
    pub fn verify(&self, proof: &Path) -> anyhow::Result<VerifyReport> {
        self.call(&["verify", "--proof", &path_str(proof)?], true)
    }

    /// Proves one chunk (a chunk-input file) into a chunk proof (issue #36).
    pub fn prove_chunk(&self, input: &Path, out: &Path) -> anyhow::Result<ChunkReport> {
        self.call(&["prove-chunk", "--input", &path_str(input)?, "--out", &path_str(out)?], false)
    }

    /// Verifies a chunk proof; an invalid one is `Ok(report)` with `valid == false`.
    pub fn verify_chunk(&self, proof: &Path) -> anyhow::Result<ChunkReport> {
        self.call(&["verify-chunk", "--proof", &path_str(proof)?], true)
    }

    /// Aggregates chunk proofs (chunks 0..K, in order) into one proof file.
    pub fn aggregate(&self, chunks: &[std::path::PathBuf], out: &Path) -> anyhow::Result<ProveReport> {
        let mut args = vec!["aggregate".to_string()];
        for c in chunks {
            args.extend(["--chunk".to_string(), path_str(c)?]);
        }
        args.extend(["--out".to_string(), path_str(out)?]);
        self.call(&args.iter().map(String::as_str).collect::<Vec<_>>(), false)
    }
}

/// The arguments of a `prove` call.
pub fn prove_args(input: &Path, out: &Path, mode: Option<&str>, precompiles: Precompiles) -> anyhow::Result<Vec<String>> {
    let mut args: Vec<String> = ["prove", "--input", &path_str(input)?, "--out", &path_str(out)?, "--precompiles", precompiles.as_str()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(m) = mode {
        args.extend(["--mode".to_string(), m.to_string()]);
    }
    Ok(args)
}

pub fn path_str(p: &Path) -> anyhow::Result<String> {
    p.to_str().map(str::to_string).ok_or_else(|| anyhow::anyhow!("path {} is not valid UTF-8", p.display()))
}

/// The last 600 characters of a backend's output, for error messages.
fn clip(s: &str) -> String {
    let s = s.trim();
    let start = s.char_indices().rev().nth(600).map(|(i, _)| i).unwrap_or(0);
    s[start..].to_string()
}

//! Drives a backend binary through the protocol: one child process per command, JSON on its
//! stdout, its logs passed through on stderr.

use anyhow::{bail, Context};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use zkml_protocol::*;

/// A backend binary.
#[derive(Debug, Clone)]
pub struct ProcessBackend {
    pub exe: PathBuf,
}

/// The result of a `verify`: the report, whether the process said valid (exit 0) or not (2).
pub type VerifyOutcome = VerifyReport;

impl ProcessBackend {
    pub fn new(exe: impl Into<PathBuf>) -> Self {
        ProcessBackend { exe: exe.into() }
    }

    /// Runs the backend; returns its stdout JSON parsed as `T`, or the backend's own error.
    fn call<T: DeserializeOwned>(&self, args: &[&str], allow_exit_2: bool) -> anyhow::Result<T> {
        let output = Command::new(&self.exe)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("cannot start backend {}", self.exe.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        match output.status.code() {
            Some(0) => {}
            Some(2) if allow_exit_2 => {}
            Some(code) => {
                let msg = serde_json::from_str::<ErrorReport>(&stdout).map(|e| e.error).unwrap_or_else(|_| stdout.trim().to_string());
                bail!("backend {} {} failed (exit {code}): {msg}", self.exe.display(), args.first().unwrap_or(&""));
            }
            None => bail!("backend {} {} was killed by a signal (out of memory?)", self.exe.display(), args.first().unwrap_or(&"")),
        }
        serde_json::from_str(&stdout).with_context(|| format!("backend {} printed invalid JSON: {stdout}", self.exe.display()))
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
        let (input, out) = (path_str(input)?, path_str(out)?);
        let mut args = vec!["prove", "--input", &input, "--out", &out, "--precompiles", precompiles.as_str()];
        if let Some(m) = mode {
            args.extend(["--mode", m]);
        }
        self.call(&args, false)
    }

    pub fn verify(&self, proof: &Path) -> anyhow::Result<VerifyOutcome> {
        self.call(&["verify", "--proof", &path_str(proof)?], true)
    }
}

fn path_str(p: &Path) -> anyhow::Result<String> {
    p.to_str().map(str::to_string).ok_or_else(|| anyhow::anyhow!("path {} is not valid UTF-8", p.display()))
}

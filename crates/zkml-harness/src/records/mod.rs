//! The results file: one JSON record per measured run, appended to `runs.jsonl`.
//!
//! Each record is written with a single `write` of one complete line on an `O_APPEND` file,
//! then `fsync`ed: a crash can at worst leave one incomplete last line, which [`load`] reports
//! and skips (that run is then simply run again on resume).

pub mod data;
pub mod host;
pub mod sitting;

use host::HostInfo;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use zkml_protocol::BackendInfo;
use zkml_protocol::{Cycles, Phases, Precompiles};

pub const RESULTS_FILE: &str = "runs.jsonl";
pub const SCHEMA_VERSION: u32 = 1;

/// What the results directory records about each requested backend.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BackendEntry {
    pub available: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<BackendInfo>,
    /// Non-blank, non-comment lines of the guest's Rust sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_loc: Option<usize>,
    /// Seconds of the last cold build of guest and host by the harness (measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_s: Option<f64>,
}

pub const BACKENDS_FILE: &str = "backends.json";

/// A revision for people: 12 hex digits, keeping a `-dirty` mark.
pub fn short_rev(r: &str) -> String {
    let (sha, dirty) = r.strip_suffix("-dirty").map(|s| (s, "-dirty")).unwrap_or((r, ""));
    format!("{}{dirty}", sha.chars().take(12).collect::<String>())
}

/// What identifies a run within a sweep; resume skips keys already recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RunKey {
    pub zkvm: String,
    pub model: String,
    pub rows: u32,
    pub precompiles: Precompiles,
    pub mode: String,
    pub repetition: u32,
    /// Issue #36: rows per chunk of a `chunked` run (absent for every other mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunk_rows: Option<u32>,
}

impl RunKey {
    /// The configuration and its repetition, e.g. `risc0 ridge 100 rows, precompiles on, composite #2`.
    pub fn label(&self) -> String {
        format!("{} #{}", self.config_label(), self.repetition)
    }

    /// The configuration alone (what every repetition shares).
    pub fn config_label(&self) -> String {
        let chunks = self.chunk_rows.map(|c| format!(" ({c}-row chunks)")).unwrap_or_default();
        format!("{} {} {} rows, precompiles {}, {}{chunks}", self.zkvm, self.model, self.rows, self.precompiles, self.mode)
    }
}

/// What a system's name adds when it ran without its accelerator (`", precompiles off"`);
/// nothing with it, or for the native baseline, which has none. One wording for every table,
/// chart legend and sentence of the report.
pub fn precompiles_note(zkvm: &str, p: Precompiles) -> &'static str {
    if p == Precompiles::Off && !crate::catalogue::is_baseline(zkvm) {
        ", precompiles off"
    } else {
        ""
    }
}

/// A system's name as every table, legend and sentence of the report writes it: zkVM, mode and,
/// where it ran without its accelerator, [`precompiles_note`].
pub fn system_name(zkvm: &str, mode: &str, p: Precompiles) -> String {
    format!("{zkvm} {mode}{}", precompiles_note(zkvm, p))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum RunStatus {
    Ok,
    Failed {
        reason: String,
        /// Wall time the attempt took before it failed (prove, plus verify where that was
        /// reached), and the prover's peak resident set: an out-of-memory attempt costs machine
        /// time too. Absent in records written before they were kept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_s: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peak_rss_bytes: Option<u64>,
    },
    Timeout {
        after_s: f64,
    },
}

impl RunStatus {
    /// A failure for `reason`, its duration not known.
    pub fn failed(reason: impl Into<String>) -> Self {
        RunStatus::Failed { reason: reason.into(), after_s: None, peak_rss_bytes: None }
    }
    /// Wall time the run took to succeed, fail or time out, where recorded.
    pub fn spent_s(&self, metrics: Option<&RunMetrics>) -> Option<f64> {
        match self {
            RunStatus::Ok => metrics.map(|m| m.prove_wall_s + m.verify_wall_s.unwrap_or(0.0)),
            RunStatus::Failed { after_s, .. } => *after_s,
            RunStatus::Timeout { after_s } => Some(*after_s),
        }
    }
    pub fn is_ok(&self) -> bool {
        matches!(self, RunStatus::Ok)
    }
    /// A word for a chart: `OOM` (out of memory, including a size refused as too large),
    /// `timeout` or `failed`; `None` when the run succeeded.
    pub fn chart_tag(&self) -> Option<&'static str> {
        match self {
            RunStatus::Ok => None,
            RunStatus::Failed { reason, .. } if reason.contains("out of memory") => Some("OOM"),
            RunStatus::Failed { .. } => Some("failed"),
            RunStatus::Timeout { .. } => Some("timeout"),
        }
    }
    pub fn short(&self) -> String {
        match self {
            RunStatus::Ok => "ok".into(),
            RunStatus::Failed { reason, after_s, peak_rss_bytes } => {
                let mut s = "failed".to_string();
                if let Some(t) = after_s {
                    s.push_str(&format!(" after {t:.0}s"));
                }
                if let Some(b) = peak_rss_bytes {
                    s.push_str(&format!(" (peak {:.1} GiB)", zkml_protocol::memory_guard::gib(*b)));
                }
                format!("{s}: {reason}")
            }
            RunStatus::Timeout { after_s } => format!("timeout after {after_s:.0}s"),
        }
    }
}

/// The backend, as its `info` described it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendSummary {
    pub name: String,
    pub sdk: String,
    pub isa: String,
    pub proof_system: String,
}

/// What was measured. Wall times and peak RSS are the harness's own measurements of the
/// backend process (`wait4`); `phases` are what the backend reported from inside.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycles: Option<Cycles>,
    pub phases: Phases,
    pub prove_wall_s: f64,
    pub prove_peak_rss_bytes: u64,
    pub prove_cpu_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_wall_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_peak_rss_bytes: Option<u64>,
    pub proof_bytes: u64,
    /// Cycles per second of proving, in kHz (cycles / backend-reported prove seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub khz: Option<f64>,
    pub r2: f64,
    pub mse: f64,
    pub model_hash: String,
    pub data_commitment: String,
    /// The backend's notes on this proof (segment limits, client start-up, settings in effect).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A backend with its own fixed point (EZKL): its claim against the native one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<zkml_protocol::Agreement>,
    /// Issue #36, a `chunked` run: what each chunk proof and the aggregation cost (the run's
    /// `prove_wall_s` is their sum, its peak their maximum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunked: Option<ChunkedParts>,
}

/// The processes of one chunked proof, each measured from outside: chunk `i`'s prove process,
/// then the aggregation's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChunkedParts {
    pub chunk_rows: u32,
    pub chunk_wall_s: Vec<f64>,
    pub chunk_peak_rss_bytes: Vec<u64>,
    /// Each chunk's prove time as its backend reported it (without process start-up).
    pub chunk_prove_s: Vec<f64>,
    pub aggregate_wall_s: f64,
    pub aggregate_peak_rss_bytes: u64,
}

/// One measured run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema: u32,
    pub run_id: String,
    pub key: RunKey,
    /// Fingerprint of the sweep's data and models: resume only reuses records with the same.
    pub workload_id: String,
    pub started_unix: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_revision: Option<String>,
    pub host: HostInfo,
    pub backend: BackendSummary,
    /// False for the native baseline and any dev/mock mode: never a proof.
    pub real_proof: bool,
    /// How repetitions were taken (recorded with every run).
    pub repetition_policy: String,
    pub repetitions: u32,
    pub status: RunStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<RunMetrics>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// The sweep sitting this run belongs to, with the machine's speed probe at its start
    /// (absent in records written before the probe existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sitting: Option<sitting::Sitting>,
}

/// The distinct sittings in `records`, in order of start.
pub fn sittings<'a>(records: impl IntoIterator<Item = &'a RunRecord>) -> Vec<sitting::Sitting> {
    let mut s: Vec<sitting::Sitting> = Vec::new();
    for r in records.into_iter().filter_map(|r| r.sitting) {
        if !s.iter().any(|x| x.started_unix == r.started_unix) {
            s.push(r);
        }
    }
    s.sort_by_key(|x| x.started_unix);
    s
}

/// Appends one record as one line, durably.
pub fn append(dir: &Path, record: &RunRecord) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut f = std::fs::OpenOptions::new().create(true).read(true).append(true).open(dir.join(RESULTS_FILE))?;
    // A record cut short (power loss, a full disk, a kill mid-write) must not swallow this
    // one: start on a line of its own, leaving the broken line to be reported as unreadable.
    let len = f.metadata()?.len();
    if len > 0 {
        use std::io::{Read as _, Seek as _};
        let mut last = [0u8; 1];
        f.seek(std::io::SeekFrom::Start(len - 1))?;
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            line.insert(0, b'\n');
        }
    }
    f.write_all(&line)?;
    f.sync_data()
}

/// Records loaded from a results directory, and lines that could not be read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub records: Vec<RunRecord>,
    pub skipped: Vec<String>,
}

/// Loads `dir/runs.jsonl` (or a `.jsonl` file given directly).
pub fn load(path: &Path) -> anyhow::Result<Loaded> {
    let file: PathBuf = if path.is_dir() { path.join(RESULTS_FILE) } else { path.to_path_buf() };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && path.is_dir() => return Ok(Loaded::default()),
        Err(e) => anyhow::bail!("{}: {e}", file.display()),
    };
    let mut out = Loaded::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<RunRecord>(line) {
            Ok(r) if r.schema == SCHEMA_VERSION => out.records.push(r),
            Ok(r) => out.skipped.push(format!("{}:{}: schema {} (expected {SCHEMA_VERSION})", file.display(), i + 1, r.schema)),
            Err(e) => out.skipped.push(format!("{}:{}: unreadable record ({e})", file.display(), i + 1)),
        }
    }
    Ok(out)
}

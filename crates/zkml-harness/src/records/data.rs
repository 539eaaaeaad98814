//! The records of one or more results directories, loaded and grouped: what the report
//! computes its analysis from and what the runner's estimate reads earlier runs from.

use super::host::HostInfo;
use super::{short_rev, BackendEntry, RunKey, RunMetrics, RunRecord, RunStatus, BACKENDS_FILE};
use crate::stats::{stats, Stats};
use std::collections::BTreeMap;
use std::path::PathBuf;
use zkml_protocol::memory_guard::gib;
use zkml_protocol::{Precompiles, ProofFamily};

/// A quantity the report tabulates and plots.
pub struct Metric {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    /// Value of one run (rows given for per-row metrics), in `unit`.
    pub get: fn(&RunMetrics, u32) -> Option<f64>,
    /// What a failed run recorded of it, in `unit`, where it records any (how much memory an
    /// attempt that ran out of it had reached): charted for configurations that never succeeded.
    pub failed: Option<fn(&RunStatus) -> Option<f64>>,
}

fn positive(x: f64) -> Option<f64> {
    (x > 0.0 && x.is_finite()).then_some(x)
}

pub const METRICS: [Metric; 7] = [
    Metric {
        id: "prove_time",
        title: "Proving time (backend-reported, setup excluded; native: evaluation)",
        unit: "s",
        get: |m, _| m.phases.prove_s.map(|p| p + m.phases.compress_s.unwrap_or(0.0)).or(m.phases.execute_s).and_then(positive),
        failed: None,
    },
    Metric {
        id: "prove_wall",
        title: "Prove process wall time (harness-measured, incl. setup)",
        unit: "s",
        get: |m, _| positive(m.prove_wall_s),
        failed: None,
    },
    Metric {
        id: "verify_time",
        title: "Verification time (backend-reported)",
        unit: "s",
        get: |m, _| m.phases.verify_s.and_then(positive),
        failed: None,
    },
    Metric { id: "proof_size", title: "Proof size", unit: "KiB", get: |m, _| positive(m.proof_bytes as f64 / 1024.0), failed: None },
    Metric {
        id: "peak_rss",
        title: "Peak memory of the prove process",
        unit: "GiB",
        get: |m, _| positive(gib(m.prove_peak_rss_bytes)),
        failed: Some(|s| match s {
            RunStatus::Failed { peak_rss_bytes: Some(b), .. } => positive(gib(*b)),
            _ => None,
        }),
    },
    Metric {
        id: "cycles_per_row",
        title: "Cycles per test row",
        unit: "cycles",
        get: |m, rows| m.cycles.as_ref().and_then(|c| positive(c.total as f64 / rows as f64)),
        failed: None,
    },
    Metric { id: "khz", title: "Proving speed", unit: "kHz", get: |m, _| m.khz.and_then(positive), failed: None },
];

/// A configuration measured on one host: its repetitions are aggregated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    pub host: usize,
    pub model: String,
    pub zkvm: String,
    pub precompiles: Precompiles,
    pub mode: String,
    pub rows: u32,
}

impl GroupKey {
    /// The configuration of a run recorded on host `host`.
    pub fn of(host: usize, k: &RunKey) -> GroupKey {
        GroupKey { host, model: k.model.clone(), zkvm: k.zkvm.clone(), precompiles: k.precompiles, mode: k.mode.clone(), rows: k.rows }
    }
    /// The same system at any size (`rows` 0): what a fit over sizes is keyed by.
    pub fn system(&self) -> GroupKey {
        GroupKey { rows: 0, ..self.clone() }
    }
}

/// Everything the report is computed from.
pub struct Data {
    pub sources: Vec<PathBuf>,
    pub hosts: Vec<HostInfo>,
    pub records: Vec<(usize, RunRecord)>,
    pub backends: BTreeMap<String, BackendEntry>,
    pub skipped_lines: Vec<String>,
}

impl Data {
    pub fn load(dirs: &[PathBuf]) -> anyhow::Result<Self> {
        let mut data =
            Data { sources: dirs.to_vec(), hosts: Vec::new(), records: Vec::new(), backends: BTreeMap::new(), skipped_lines: Vec::new() };
        for dir in dirs {
            if !dir.exists() {
                anyhow::bail!("{}: no such results directory", dir.display());
            }
            let loaded = super::load(dir)?;
            data.skipped_lines.extend(loaded.skipped);
            for r in loaded.records {
                let h = match data.hosts.iter().position(|h| *h == r.host) {
                    Some(i) => i,
                    None => {
                        data.hosts.push(r.host.clone());
                        data.hosts.len() - 1
                    }
                };
                data.records.push((h, r));
            }
            if let Ok(bytes) = std::fs::read(dir.join(BACKENDS_FILE)) {
                let entries: BTreeMap<String, BackendEntry> =
                    serde_json::from_slice(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", dir.join(BACKENDS_FILE).display()))?;
                for (k, v) in entries {
                    if v.available || !data.backends.get(&k).is_some_and(|e| e.available) {
                        data.backends.insert(k, v);
                    }
                }
            }
        }
        if data.records.is_empty() {
            anyhow::bail!("no run records in {}", dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "));
        }
        Ok(data)
    }

    /// The git revisions of the records, with how many records each.
    pub fn revisions(&self) -> BTreeMap<String, usize> {
        let mut revs = BTreeMap::new();
        for (_, r) in &self.records {
            *revs.entry(r.git_revision.clone().unwrap_or_else(|| "unknown".into())).or_insert(0) += 1;
        }
        revs
    }

    /// Numbers measured on different code must not be merged silently: an error naming the
    /// revisions unless `allow_mixed`.
    pub fn check_one_revision(&self, allow_mixed: bool) -> anyhow::Result<()> {
        let revs = self.revisions();
        if revs.len() > 1 && !allow_mixed {
            anyhow::bail!(
                "these records come from {} revisions ({}); a report compares numbers measured on one revision. \
                 Report one revision's results, or pass --allow-mixed-revisions (the report then lists the revisions)",
                revs.len(),
                revs.iter().map(|(r, n)| format!("{} x{n}", short_rev(r))).collect::<Vec<_>>().join(", ")
            );
        }
        Ok(())
    }

    /// Successful runs grouped by configuration.
    pub fn groups(&self) -> BTreeMap<GroupKey, Vec<&RunRecord>> {
        let mut g: BTreeMap<GroupKey, Vec<&RunRecord>> = BTreeMap::new();
        for (h, r) in &self.records {
            if r.status.is_ok() && r.metrics.is_some() {
                g.entry(GroupKey::of(*h, &r.key)).or_default().push(r);
            }
        }
        g
    }

    /// Configurations that ran and never succeeded, with why (`OOM`, `timeout`, `failed`): what
    /// a chart draws in an empty slot and a fit lists beside its sizes.
    pub fn failure_tags(&self) -> BTreeMap<GroupKey, &'static str> {
        let ok: std::collections::BTreeSet<GroupKey> =
            self.records.iter().filter(|(_, r)| r.status.is_ok() && r.metrics.is_some()).map(|(h, r)| GroupKey::of(*h, &r.key)).collect();
        let mut tags = BTreeMap::new();
        for (h, r) in &self.records {
            let k = GroupKey::of(*h, &r.key);
            if let (false, Some(tag)) = (ok.contains(&k), r.status.chart_tag()) {
                tags.entry(k).or_insert(tag);
            }
        }
        tags
    }

    /// For the configurations that never succeeded (`tags`: [`Data::failure_tags`]), the highest
    /// value of `metric` their failed runs recorded ([`Metric::failed`]: the prover's peak of
    /// an out-of-memory attempt), with the failure's chart tag.
    pub fn failure_values(&self, tags: &BTreeMap<GroupKey, &'static str>, metric: &Metric) -> BTreeMap<GroupKey, (f64, &'static str)> {
        let mut values: BTreeMap<GroupKey, (f64, &'static str)> = BTreeMap::new();
        let Some(recorded) = metric.failed else { return values };
        for (h, r) in &self.records {
            let k = GroupKey::of(*h, &r.key);
            if let (Some(tag), Some(v)) = (tags.get(&k), recorded(&r.status)) {
                let e = values.entry(k).or_insert((v, tag));
                e.0 = e.0.max(v);
            }
        }
        values
    }

    pub fn metric_stats(&self, runs: &[&RunRecord], rows: u32, metric: &Metric) -> Option<Stats> {
        let values: Vec<f64> = runs.iter().filter_map(|r| r.metrics.as_ref().and_then(|m| (metric.get)(m, rows))).collect();
        stats(&values)
    }
}

/// Proof family and zero-knowledge of a run's backend and mode, from the backends' `info`.
/// Records from before the protocol said so per mode fall back to the mode's name and the
/// backend's zero-knowledge statement.
pub fn mode_info(data: &Data, zkvm: &str, mode: &str) -> (ProofFamily, bool) {
    let Some(info) = data.backends.get(zkvm).and_then(|e| e.info.as_ref()) else {
        return (ProofFamily::None, false);
    };
    match info.mode(mode) {
        Some(m) if m.family != ProofFamily::None || !info.produces_proofs => (m.family, m.zero_knowledge && info.produces_proofs),
        _ => {
            let family = match mode {
                "composite" | "core" | "app" => ProofFamily::Segmented,
                "succinct" | "compressed" | "stark" => ProofFamily::Aggregated,
                "groth16" | "plonk" | "evm" => ProofFamily::Snark,
                _ => ProofFamily::None,
            };
            let zk = info.produces_proofs && ["yes", "claimed"].iter().any(|w| info.zero_knowledge.starts_with(w));
            (family, zk)
        }
    }
}

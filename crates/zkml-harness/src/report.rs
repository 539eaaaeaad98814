//! `zkml-bench report`: results directories in, a markdown report with tables and PNG/SVG
//! plots out. Several directories (e.g. an x86 and an ARM machine) merge into one report,
//! grouped by host. Everything shown is computed from the records; nothing is typed in.

use crate::bench::{BackendEntry, BACKENDS_FILE};
use crate::hostinfo::HostInfo;
use crate::plots::{self, Point, Series};
use crate::results::{self, RunMetrics, RunRecord};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use zkml_protocol::{Precompiles, ProofFamily};

/// A quantity the report tabulates and plots.
pub struct Metric {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    /// Value of one run (rows given for per-row metrics), in `unit`.
    pub get: fn(&RunMetrics, u32) -> Option<f64>,
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
    },
    Metric {
        id: "prove_wall",
        title: "Prove process wall time (harness-measured, incl. setup)",
        unit: "s",
        get: |m, _| positive(m.prove_wall_s),
    },
    Metric {
        id: "verify_time",
        title: "Verification time (backend-reported)",
        unit: "s",
        get: |m, _| m.phases.verify_s.and_then(positive),
    },
    Metric { id: "proof_size", title: "Proof size", unit: "KiB", get: |m, _| positive(m.proof_bytes as f64 / 1024.0) },
    Metric {
        id: "peak_rss",
        title: "Peak memory of the prove process",
        unit: "GiB",
        get: |m, _| positive(crate::measure::gib(m.prove_peak_rss_bytes)),
    },
    Metric {
        id: "cycles_per_row",
        title: "Cycles per test row",
        unit: "cycles",
        get: |m, rows| m.cycles.as_ref().and_then(|c| positive(c.total as f64 / rows as f64)),
    },
    Metric { id: "khz", title: "Proving speed", unit: "kHz", get: |m, _| m.khz.and_then(positive) },
];

/// Median, min and max of a set of values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

pub fn stats(values: &[f64]) -> Option<Stats> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    Some(Stats { median, min: v[0], max: v[n - 1], n })
}

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
    pub fn of(host: usize, k: &crate::results::RunKey) -> GroupKey {
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
            let loaded = results::load(dir)?;
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

    pub fn metric_stats(&self, runs: &[&RunRecord], rows: u32, metric: &Metric) -> Option<Stats> {
        let values: Vec<f64> = runs.iter().filter_map(|r| r.metrics.as_ref().and_then(|m| (metric.get)(m, rows))).collect();
        stats(&values)
    }
}

/// A revision for people: 12 hex digits, keeping a `-dirty` mark.
pub fn short_rev(r: &str) -> String {
    let (sha, dirty) = r.strip_suffix("-dirty").map(|s| (s, "-dirty")).unwrap_or((r, ""));
    format!("{}{dirty}", sha.chars().take(12).collect::<String>())
}

pub fn host_id(i: usize) -> String {
    format!("H{}", i + 1)
}

fn fmt_num(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e6 {
        format!("{:.3e}", x)
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a >= 1e-3 {
        format!("{x:.4}")
    } else {
        format!("{x:.2e}")
    }
}

/// A row count for people: `1,150`.
pub fn thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A machine-time total: seconds, minutes or hours, whichever reads best.
fn fmt_duration(s: f64) -> String {
    if s >= 3600.0 {
        format!("{:.2} h", s / 3600.0)
    } else if s >= 60.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{s:.0} s")
    }
}

fn fmt_stats(s: Option<Stats>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.n == 1 || s.min == s.max => fmt_num(s.median),
        Some(s) => format!("{} ({}–{})", fmt_num(s.median), fmt_num(s.min), fmt_num(s.max)),
    }
}

fn series_label(k: &GroupKey, multi_host: bool, modes: usize) -> String {
    let mut s = k.zkvm.clone();
    if modes > 1 {
        write!(s, " {}", k.mode).unwrap();
    }
    s.push_str(results::precompiles_note(&k.zkvm, k.precompiles));
    if multi_host {
        write!(s, " @{}", host_id(k.host)).unwrap();
    }
    s
}

/// `path` as seen from the directory `base` (both made absolute first), so that a published
/// report names its result directories relative to itself, never by a machine's absolute path.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    pathdiff::diff_paths(abs(path), abs(base)).unwrap_or_else(|| path.to_path_buf())
}

/// The HTML anchor of a model's results table (the verdict links its numbers there).
pub fn results_anchor(model: &str) -> String {
    format!("results-{model}")
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

/// Writes `out/README.md` and the plots; returns the markdown path.
pub fn write_report(data: &Data, out: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(out.join("plots"))?;
    let groups = data.groups();
    let failure_tags = data.failure_tags();
    let multi_host = data.hosts.len() > 1;
    let models: Vec<String> = {
        let mut m: Vec<String> = groups.keys().map(|k| k.model.clone()).collect();
        m.dedup();
        m.sort();
        m.dedup();
        m
    };
    // Every proof mode in the records, segmented ones first: a mode keeps its marker shape in
    // every chart.
    let modes: Vec<String> = {
        let mut m: Vec<(ProofFamily, String)> =
            groups.keys().filter(|k| k.mode != "none").map(|k| (mode_info(data, &k.zkvm, &k.mode).0, k.mode.clone())).collect();
        m.sort();
        m.dedup();
        m.into_iter().map(|(_, name)| name).collect()
    };
    let n_modes = modes.len();
    // Marker shape (and bar shade) by proof family: segmented, aggregated, SNARK.
    let family_index = |zkvm: &str, mode: &str| plots::family_marker(mode_info(data, zkvm, mode).0);
    let mut md = String::new();
    writeln!(md, "# zkml-bench report\n")?;
    let ok = data.records.iter().filter(|(_, r)| r.status.is_ok()).count();
    writeln!(
        md,
        "{} runs ({} ok, {} failed or timed out) from {}. Every number below is computed from these run records \
         (`runs.jsonl`): medians over repetitions, with (min–max) when they differ.\n",
        data.records.len(),
        ok,
        data.records.len() - ok,
        data.sources.iter().map(|s| format!("`{}`", relative_to(s, out).display())).collect::<Vec<_>>().join(", ")
    )?;
    // What the records cost the machine: every run's wall time to succeed, fail or time out.
    let spent: Vec<(bool, Option<f64>)> =
        data.records.iter().map(|(_, r)| (r.status.is_ok(), r.status.spent_s(r.metrics.as_ref()))).collect();
    let total = |ok: bool| fmt_duration(spent.iter().filter(|(o, _)| *o == ok).filter_map(|(_, t)| *t).fold(0.0, |a, b| a + b));
    let unknown = spent.iter().filter(|(_, t)| t.is_none()).count();
    write!(md, "Machine time in these records: {} proving and verifying in runs that succeeded", total(true))?;
    if spent.iter().any(|(ok, t)| !ok && t.is_some()) {
        write!(md, ", {} in runs that failed or timed out", total(false))?;
    }
    if unknown > 0 {
        write!(md, " ({unknown} failed runs recorded before their duration was kept are not counted)")?;
    }
    writeln!(md, ".\n")?;
    let revisions = data.revisions();
    if revisions.len() > 1 {
        writeln!(
            md,
            "> **Mixed revisions** (merged on request): {}. Numbers measured on different code are side by side.\n",
            revisions.iter().map(|(r, n)| format!("`{}` ({n} runs)", short_rev(r))).collect::<Vec<_>>().join(", ")
        )?;
    }
    if revisions.keys().any(|r| r.ends_with("-dirty")) {
        writeln!(md, "> Some records were measured on a **dirty** tree (uncommitted changes): not publishable as is.\n")?;
    }
    let sittings = crate::results::sittings(data.records.iter().map(|(_, r)| r));
    if let Some(ratio) = crate::probe::spread(&sittings).filter(|r| *r > crate::probe::COMPARABLE_RATIO) {
        writeln!(
            md,
            "> **Sittings of different machine speed**: the speed probe of the slowest sitting took {ratio:.2}× as long as the \
             fastest's (see [Machines](#machines)). Timings from different sittings are side by side below; compare within one.\n"
        )?;
    }
    if data.records.iter().any(|(_, r)| !r.real_proof && r.status.is_ok()) {
        writeln!(
            md,
            "> **native** is the baseline: the same fixed-point evaluation on the host, **no proof**. It is shown for comparison only.\n"
        )?;
    }

    let axes = crate::intensity::axes(data, &groups);
    let larger = crate::intensity::larger(data, &groups, &axes);
    let projected: BTreeMap<GroupKey, f64> = larger.iter().flat_map(|l| l.projections()).collect();
    md.push_str(&crate::verdict::verdict_markdown(data, &groups, &projected));
    md.push_str(&crate::versus::versus_markdown(data, &groups));
    md.push_str(&crate::scaling::scaling_markdown(data, &groups, &out.join("plots"))?);
    md.push_str(&crate::intensity::markdown(data, &axes, &larger, &out.join("plots"))?);

    writeln!(md, "## Machines\n")?;
    writeln!(md, "| id | machine | OS | runs | git revisions |\n|---|---|---|---|---|")?;
    for (i, h) in data.hosts.iter().enumerate() {
        let runs: Vec<&RunRecord> = data.records.iter().filter(|(hi, _)| *hi == i).map(|(_, r)| r).collect();
        let mut revs: Vec<String> = runs.iter().filter_map(|r| r.git_revision.as_deref().map(short_rev)).collect();
        revs.sort();
        revs.dedup();
        writeln!(md, "| {} | {} | {} {} | {} | {} |", host_id(i), h.label(), h.os, h.kernel, runs.len(), revs.join(", "))?;
    }
    if let Some((_, r)) = data.records.first() {
        writeln!(md, "\nRepetitions: {} per configuration; {}.\n", r.repetitions, r.repetition_policy)?;
    }
    if !sittings.is_empty() {
        let mut versions: Vec<u32> = sittings.iter().map(|s| s.version).collect();
        versions.sort();
        versions.dedup();
        writeln!(
            md,
            "Sittings (a sweep resumes over several; each starts with a speed probe, compared only with probes of the same \
             version — {}):\n\n\
             | sitting started (UTC) | runs | speed probe | × fastest sitting (same probe) |\n|---|---|---|---|",
            versions.iter().map(|v| crate::probe::work(*v)).collect::<Vec<_>>().join("; ")
        )?;
        for s in &sittings {
            let runs = data.records.iter().filter(|(_, r)| r.sitting.is_some_and(|x| x.started_unix == s.started_unix)).count();
            let when = chrono::DateTime::from_timestamp(s.started_unix as i64, 0)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            let fastest = crate::probe::fastest(&sittings, s.version);
            writeln!(md, "| {when} | {runs} | {:.2} s (v{}) | {:.2} |", s.probe_s, s.version, s.probe_s / fastest)?;
        }
        let without = data.records.iter().filter(|(_, r)| r.sitting.is_none()).count();
        if without > 0 {
            writeln!(md, "\n{without} runs were recorded without a speed probe (before it existed).")?;
        }
        md.push('\n');
    }

    writeln!(md, "## Backends\n")?;
    writeln!(md, "| backend | SDK | ISA | proof system | zero-knowledge | security bits | proof modes here | guest LOC | build time |")?;
    writeln!(md, "|---|---|---|---|---|---|---|---|---|")?;
    for (name, e) in &data.backends {
        match &e.info {
            Some(i) => {
                let modes: Vec<String> = i
                    .proof_modes
                    .iter()
                    .map(|m| {
                        if m.available {
                            m.name.clone()
                        } else {
                            format!("~~{}~~ ({})", m.name, m.reason.as_deref().unwrap_or("unavailable"))
                        }
                    })
                    .collect();
                writeln!(
                    md,
                    "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    i.sdk,
                    i.isa,
                    i.proof_system,
                    i.zero_knowledge,
                    i.security_bits.map(|b| b.to_string()).unwrap_or_else(|| "–".into()),
                    modes.join(", "),
                    e.guest_loc.map(|n| n.to_string()).unwrap_or_else(|| "–".into()),
                    e.build_s.map(|s| format!("{s:.0}s")).unwrap_or_else(|| "–".into())
                )?;
            }
            None => writeln!(
                md,
                "| {name} | – | – | – | – | – | not available: {} | – | – |",
                e.reason.as_deref().unwrap_or("?").replace('|', "/")
            )?,
        }
    }

    // Native medians per (host, model, rows): the denominator of the overhead factor.
    let native: BTreeMap<(usize, String, u32), f64> = groups
        .iter()
        .filter(|(k, _)| k.zkvm == "native")
        .filter_map(|(k, runs)| data.metric_stats(runs, k.rows, &METRICS[1]).map(|s| ((k.host, k.model.clone(), k.rows), s.median)))
        .collect();

    for model in &models {
        writeln!(md, "\n<a id=\"{}\"></a>\n\n## {model}\n", results_anchor(model))?;
        writeln!(md, "| host | family | backend | precompiles | mode | rows | runs | prove (s) | prove wall (s) | verify (s) | proof (KiB) | peak RSS (GiB) | cycles/row | kHz | × native wall |")?;
        writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")?;
        // Grouped by proof family: zkVMs are compared like with like.
        let mut rows: Vec<(&GroupKey, &Vec<&RunRecord>)> = groups.iter().filter(|(k, _)| &k.model == model).collect();
        rows.sort_by_key(|(k, _)| (k.host, mode_info(data, &k.zkvm, &k.mode).0, (*k).clone()));
        for (k, runs) in rows {
            let cells: Vec<String> = METRICS.iter().map(|m| fmt_stats(data.metric_stats(runs, k.rows, m))).collect();
            let overhead = match (native.get(&(k.host, k.model.clone(), k.rows)), data.metric_stats(runs, k.rows, &METRICS[1])) {
                (Some(n), Some(s)) if k.zkvm != "native" && *n > 0.0 => format!("{:.0}×", s.median / n),
                _ => "–".into(),
            };
            writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {overhead} |",
                host_id(k.host),
                mode_info(data, &k.zkvm, &k.mode).0,
                k.zkvm,
                if k.zkvm == "native" { "–".to_string() } else { k.precompiles.to_string() },
                k.mode,
                k.rows,
                runs.len(),
                cells.join(" | ")
            )?;
        }
        writeln!(md)?;
        for metric in &METRICS {
            let series = series_for(&groups, model, multi_host, n_modes, &family_index, |runs, rows| data.metric_stats(runs, rows, metric));
            let name = format!("{}-{model}", metric.id);
            plots::line_chart(&out.join("plots"), &name, &format!("{} — {model}", metric.title), metric.unit, &series)?;
            writeln!(md, "![{} — {model}](plots/{name}.png)", metric.title)?;
        }
        // The original study's charts: proving and verification time as grouped bars, one group
        // per test-set size, one bar per backend and mode (accelerator on where it exists), one
        // pair of charts per machine.
        for h in 0..data.hosts.len() {
            // Configurations that only failed keep their slot: a size (or a system) where every
            // run ran out of memory is shown as such, not left out of the chart.
            let charted = || groups.keys().chain(failure_tags.keys()).filter(|k| &k.model == model && k.host == h && k.zkvm != "native");
            let mut contenders: Vec<(ProofFamily, String, String)> =
                charted().map(|k| (mode_info(data, &k.zkvm, &k.mode).0, k.zkvm.clone(), k.mode.clone())).collect();
            contenders.sort();
            contenders.dedup();
            let mut families: Vec<ProofFamily> = contenders.iter().map(|c| c.0).collect();
            families.dedup();
            // One pair of charts per proof family: like with like.
            for family in families {
                // The sizes this family was charted at (another family's sizes would be empty groups).
                let mut sizes: Vec<u32> = charted().filter(|k| mode_info(data, &k.zkvm, &k.mode).0 == family).map(|k| k.rows).collect();
                sizes.sort();
                sizes.dedup();
                // Proving as the verdict ranks it: time to a proof (set-up included).
                for (metric, what) in [(&METRICS[1], "prove"), (&METRICS[2], "verify")] {
                    let bars: Vec<plots::Bars> = contenders
                        .iter()
                        .filter(|c| c.0 == family)
                        .map(|(_, zkvm, mode)| {
                            // Each size's slot shows the accelerated configuration where the
                            // system has one, else the one without; a failure (every run of it
                            // failed) where neither succeeded.
                            let shown: Vec<Option<GroupKey>> = sizes
                                .iter()
                                .map(|&rows| {
                                    let keys = [Precompiles::On, Precompiles::Off].map(|precompiles| GroupKey {
                                        host: h,
                                        model: model.clone(),
                                        zkvm: zkvm.clone(),
                                        precompiles,
                                        mode: mode.clone(),
                                        rows,
                                    });
                                    let found = keys
                                        .iter()
                                        .find(|k| groups.contains_key(*k))
                                        .or_else(|| keys.iter().find(|k| failure_tags.contains_key(*k)));
                                    found.cloned()
                                })
                                .collect();
                            let values = shown
                                .iter()
                                .map(|k| {
                                    let k = k.as_ref()?;
                                    data.metric_stats(groups.get(k)?, k.rows, metric).map(|s| Point {
                                        x: k.rows as f64,
                                        y: s.median,
                                        lo: s.min,
                                        hi: s.max,
                                    })
                                })
                                .collect();
                            // No successful run but a failed one: its kind marks the empty slot.
                            let failed = shown
                                .iter()
                                .map(|k| k.as_ref().filter(|k| !groups.contains_key(*k)).and_then(|k| failure_tags.get(k)).copied())
                                .collect();
                            // Slots without the accelerator (a bar, or a failure's stub): the legend
                            // says so where all of them were; where only some were, each is marked.
                            let off: Vec<bool> =
                                shown.iter().map(|k| k.as_ref().is_some_and(|k| k.precompiles == Precompiles::Off)).collect();
                            let all_off = off.contains(&true) && shown.iter().zip(&off).all(|(k, &o)| o || k.is_none());
                            plots::Bars {
                                label: results::system_name(zkvm, mode, if all_off { Precompiles::Off } else { Precompiles::On }),
                                backend: zkvm.clone(),
                                family: family_index(zkvm, mode),
                                marked: if all_off { vec![false; sizes.len()] } else { off },
                                values,
                                failed,
                            }
                        })
                        .collect();
                    let name =
                        format!("bars-{what}-{model}-{family}{}", if multi_host { format!("-{}", host_id(h)) } else { String::new() });
                    let title = format!(
                        "{}, {family} proofs — {model}{}",
                        if what == "prove" { "Time to a proof" } else { "Verification time" },
                        if multi_host { format!(" — {}, {}", host_id(h), data.hosts[h].arch) } else { String::new() }
                    );
                    let labels: Vec<String> = sizes.iter().map(|r| r.to_string()).collect();
                    plots::bar_chart(&out.join("plots"), &name, &title, metric.unit, &labels, &bars, "* precompiles off")?;
                    writeln!(md, "![{title}](plots/{name}.png)")?;
                }
            }
        }
        // Overhead vs native and the precompile speedup are ratios of medians.
        let mut over: BTreeMap<String, Series> = BTreeMap::new();
        let mut speed: BTreeMap<String, Series> = BTreeMap::new();
        for (k, runs) in groups.iter().filter(|(k, _)| &k.model == model && k.zkvm != "native") {
            let wall = data.metric_stats(runs, k.rows, &METRICS[1]);
            if let (Some(n), Some(s)) = (native.get(&(k.host, k.model.clone(), k.rows)), wall) {
                let label = series_label(k, multi_host, n_modes);
                over.entry(label.clone())
                    .or_insert_with(|| Series::new(label, &k.zkvm, k.precompiles, family_index(&k.zkvm, &k.mode), k.host))
                    .points
                    .push(Point { x: k.rows as f64, y: s.median / n, lo: s.min / n, hi: s.max / n });
            }
            if k.precompiles == Precompiles::On {
                let off = GroupKey { precompiles: Precompiles::Off, ..k.clone() };
                if let (Some(on_s), Some(off_runs)) = (data.metric_stats(runs, k.rows, &METRICS[0]), groups.get(&off)) {
                    if let Some(off_s) = data.metric_stats(off_runs, k.rows, &METRICS[0]) {
                        let label = series_label(k, multi_host, n_modes);
                        let r = off_s.median / on_s.median;
                        speed
                            .entry(label.clone())
                            .or_insert_with(|| Series::new(label, &k.zkvm, Precompiles::On, family_index(&k.zkvm, &k.mode), k.host))
                            .points
                            .push(Point { x: k.rows as f64, y: r, lo: r, hi: r });
                    }
                }
            }
        }
        let name = format!("overhead-{model}");
        plots::line_chart(
            &out.join("plots"),
            &name,
            &format!("Prove wall time ÷ native evaluation wall time — {model}"),
            "×",
            &over.into_values().collect::<Vec<_>>(),
        )?;
        writeln!(md, "![overhead vs native — {model}](plots/{name}.png)")?;
        let name = format!("precompile-speedup-{model}");
        plots::line_chart(
            &out.join("plots"),
            &name,
            &format!("Proving time, precompiles off ÷ on — {model}"),
            "×",
            &speed.into_values().collect::<Vec<_>>(),
        )?;
        writeln!(md, "![precompile speedup — {model}](plots/{name}.png)")?;
    }

    let failures: Vec<&(usize, RunRecord)> = data.records.iter().filter(|(_, r)| !r.status.is_ok()).collect();
    writeln!(md, "\n## Failed runs\n")?;
    if failures.is_empty() {
        writeln!(md, "None.")?;
    } else {
        writeln!(md, "| host | run | status |\n|---|---|---|")?;
        for (h, r) in failures {
            writeln!(md, "| {} | {} | {} |", host_id(*h), r.key.label(), r.status.short().replace('|', "/").replace('\n', " "))?;
        }
    }
    if !data.skipped_lines.is_empty() {
        writeln!(md, "\n## Unreadable records (skipped)\n")?;
        for s in &data.skipped_lines {
            // Name the file relative to the report, like the sources above.
            let line = data
                .sources
                .iter()
                .fold(s.clone(), |l, src| l.replace(&src.display().to_string(), &relative_to(src, out).display().to_string()));
            writeln!(md, "- {line}")?;
        }
    }
    writeln!(md, "\nPlots are also written as SVG beside each PNG (`plots/*.svg`).")?;
    let path = out.join("README.md");
    zkml_protocol::files::write_bytes_atomically(&path, md.as_bytes())?;
    Ok(path)
}

/// One series per (host, backend, precompiles, mode) for `model`, over rows.
/// The native baseline is left out: its microseconds would squash every zkVM line into the top
/// of a shared log axis (it stays in the tables and is the denominator of the overhead chart).
fn series_for(
    groups: &BTreeMap<GroupKey, Vec<&RunRecord>>,
    model: &str,
    multi_host: bool,
    n_modes: usize,
    family_index: &dyn Fn(&str, &str) -> usize,
    value: impl Fn(&[&RunRecord], u32) -> Option<Stats>,
) -> Vec<Series> {
    let mut out: BTreeMap<String, Series> = BTreeMap::new();
    for (k, runs) in groups.iter().filter(|(k, _)| k.model == model && k.zkvm != "native") {
        if let Some(s) = value(runs, k.rows) {
            let label = series_label(k, multi_host, n_modes);
            out.entry(label.clone())
                .or_insert_with(|| Series::new(label, &k.zkvm, k.precompiles, family_index(&k.zkvm, &k.mode), k.host))
                .points
                .push(Point { x: k.rows as f64, y: s.median, lo: s.min, hi: s.max });
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(100), "100");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(39_000), "39,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}

//! The compute-intensity axis (issue #32): at one test-set size on one machine, how time to a
//! proof grows with the work a row asks for. The work is the row's RV32IM hand count
//! ([`crate::budget::hand_count_rv32`], `docs/cycle-budget.md`): the same number for every
//! system, so that a zkVM, EZKL's circuit and the baseline are placed on one axis. Per system
//! (backend, accelerator, mode) a least-squares line `time = fixed + per_instruction × work`
//! over its measured models, and from it the model sizes of [`LADDER`] it was not measured at —
//! always labelled *projected*, never mixed with measurements. A system that failed at a size
//! (out of memory, timeout) is not projected there.
//!
//! Computed as data ([`axes`]), rendered apart ([`markdown`]).

use crate::catalogue::{is_baseline, Backend};
use crate::records::data::{mode_info, Data, GroupKey, METRICS};
use crate::records::RunRecord;
use crate::report::plots::{self, FitLine, Point, Series};
use crate::report::scaling::seconds;
use crate::stats::{linear_fit, stats, Stats};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use zkml_protocol::{Precompiles, ProofFamily};

/// The model sizes of the axis, cheapest first: the sizes (trees 10 / 100 / 500, hidden
/// width 8 / 32 / 128) beside ridge and poly2.
pub const LADDER: &[&str] = &["ridge", "poly2", "gbdt-10", "mlp-8", "gbdt", "mlp", "gbdt-500", "mlp-128"];

/// What reading, committing (SHA-256 accelerated) and scoring one row costs on RV32IM, whatever
/// the model (`docs/cycle-budget.md`: read 3, load 6, commit 27, metrics 31, loop 3).
pub const ROW_HANDLING_RV32: u64 = 70;
/// The same with SHA-256 in software (the commitment ~960 instead of ~27).
pub const ROW_HANDLING_RV32_SOFTWARE: u64 = ROW_HANDLING_RV32 - 27 + 960;

/// A model's place on the axis: its RV32IM hand count per row.
pub fn work(model: &str) -> Option<u64> {
    crate::budget::hand_count_rv32(model)
}

/// The share of a row's instructions that the model's arithmetic takes, with the SHA-256
/// accelerator and without: where it passes one half, compute and not reading + hashing is
/// the main cost.
pub fn compute_share(model: &str) -> Option<(f64, f64)> {
    let w = work(model)?;
    let compute = w.saturating_sub(ROW_HANDLING_RV32) as f64;
    Some((compute / w as f64, compute / (compute + ROW_HANDLING_RV32_SOFTWARE as f64)))
}

/// A model's kind: `gbdt-500` → `gbdt`.
fn kind(model: &str) -> &str {
    model.split('-').next().unwrap_or(model)
}

/// One model a system proved at the axis's size.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub model: String,
    pub work: u64,
    /// Time to a proof (prove process wall time), over repetitions.
    pub time: Stats,
    /// Cycles per row as the backend counted them (user cycles where it separates them), fixed
    /// costs included.
    pub cycles_per_row: Option<f64>,
}

/// A model size a system was not measured at, read off its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Projected {
    pub model: String,
    pub work: u64,
    pub seconds: f64,
    /// Beyond the largest measured work: an extrapolation, not an interpolation.
    pub extrapolated: bool,
}

/// One system along the axis.
#[derive(Debug, Clone)]
pub struct SystemAxis {
    /// The system (`model` empty, `rows` the axis's size).
    pub key: GroupKey,
    pub family: ProofFamily,
    pub zk: bool,
    pub measured: Vec<Measured>,
    /// Models where every run of this system failed, with why (`OOM`, `timeout`, `failed`).
    pub failed: Vec<(String, u64, &'static str)>,
    /// `(fixed seconds, seconds per instruction of a row)`, over every repetition; `None` under
    /// two measured models.
    pub fit: Option<(f64, f64)>,
    pub projected: Vec<Projected>,
}

impl SystemAxis {
    pub fn name(&self) -> String {
        crate::records::system_name(&self.key.zkvm, &self.key.mode, self.key.precompiles)
    }
    /// Whether a failure rules `model` out at `work` instructions a row (at the axis's size): a
    /// failure rules out the larger sizes of its own kind (a forest that ran out of memory says
    /// nothing about a network of the same hand count).
    fn ruled_out(&self, model: &str, work: f64) -> bool {
        self.failed.iter().any(|(f, fw, _)| kind(f) == kind(model) && work >= *fw as f64)
    }
    /// Time to a proof of `model`: measured (median) or projected, with which.
    pub fn time(&self, model: &str) -> Option<(f64, bool)> {
        self.measured
            .iter()
            .find(|m| m.model == model)
            .map(|m| (m.time.median, true))
            .or_else(|| self.projected.iter().find(|p| p.model == model).map(|p| (p.seconds, false)))
    }
}

/// The fastest system at one model size: the system, its time to a proof (s), and whether that
/// time was measured (else projected).
pub type Fastest<'a> = (&'a SystemAxis, f64, bool);

/// The axis at one size on one machine.
#[derive(Debug, Clone)]
pub struct Axis {
    pub host: usize,
    pub rows: u32,
    /// The models measured there (by any system), cheapest first.
    pub models: Vec<String>,
    pub systems: Vec<SystemAxis>,
}

impl Axis {
    /// Per model of the ladder: the fastest system to a proof (zero-knowledge only or not),
    /// with its time and whether that time was measured. Projections compete only where no
    /// system was measured at that model.
    pub fn fastest(&self, zk_only: bool) -> Vec<(String, Option<Fastest<'_>>)> {
        LADDER
            .iter()
            .map(|model| {
                let candidates = self.systems.iter().filter(|s| !zk_only || s.zk).filter_map(|s| s.time(model).map(|(t, m)| (s, t, m)));
                let all: Vec<_> = candidates.collect();
                let any_measured = all.iter().any(|c| c.2);
                let best = all.into_iter().filter(|c| c.2 || !any_measured).min_by(|a, b| a.1.total_cmp(&b.1));
                (model.to_string(), best)
            })
            .collect()
    }
}

/// The axes in `data`: every (machine, size) where real systems proved at least three models
/// of the ladder. Systems with the accelerator on only (the compute axis is about compute).
pub fn axes(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>) -> Vec<Axis> {
    let on_axis = |k: &GroupKey| !is_baseline(&k.zkvm) && k.precompiles == Precompiles::On && work(&k.model).is_some();
    let mut sizes: BTreeMap<(usize, u32), BTreeSet<String>> = BTreeMap::new();
    for (k, _) in groups.iter().filter(|(k, runs)| on_axis(k) && runs.iter().all(|r| r.real_proof)) {
        sizes.entry((k.host, k.rows)).or_default().insert(k.model.clone());
    }
    let tags = data.failure_tags();
    let mut out = Vec::new();
    for ((host, rows), models) in sizes.into_iter().filter(|(_, m)| m.len() >= 3) {
        let mut systems: BTreeMap<GroupKey, SystemAxis> = BTreeMap::new();
        let system_of = |k: &GroupKey| GroupKey { model: String::new(), ..k.clone() };
        let mut points: BTreeMap<GroupKey, Vec<(f64, f64)>> = BTreeMap::new();
        for (k, runs) in
            groups.iter().filter(|(k, runs)| on_axis(k) && k.host == host && k.rows == rows && runs.iter().all(|r| r.real_proof))
        {
            let w = work(&k.model).unwrap_or(0);
            let walls: Vec<f64> = runs.iter().filter_map(|r| r.metrics.as_ref()).map(|m| m.prove_wall_s).filter(|t| *t > 0.0).collect();
            let Some(time) = stats(&walls) else { continue };
            let cycles: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.metrics.as_ref()?.cycles.as_ref())
                .map(|c| c.user.unwrap_or(c.total) as f64 / rows as f64)
                .collect();
            let key = system_of(k);
            points.entry(key.clone()).or_default().extend(walls.iter().map(|t| (w as f64, *t)));
            let (family, zk) = mode_info(data, &k.zkvm, &k.mode);
            systems
                .entry(key.clone())
                .or_insert_with(|| SystemAxis { key, family, zk, measured: vec![], failed: vec![], fit: None, projected: vec![] })
                .measured
                .push(Measured { model: k.model.clone(), work: w, time, cycles_per_row: stats(&cycles).map(|s| s.median) });
        }
        for (k, tag) in tags.iter().filter(|(k, _)| on_axis(k) && k.host == host && k.rows == rows) {
            if let Some(s) = systems.get_mut(&system_of(k)) {
                if !s.measured.iter().any(|m| m.model == k.model) {
                    s.failed.push((k.model.clone(), work(&k.model).unwrap_or(0), tag));
                }
            }
        }
        for (key, s) in systems.iter_mut() {
            s.measured.sort_by_key(|m| m.work);
            s.failed.sort_by_key(|f| f.1);
            s.fit = linear_fit(&points[key]);
            let largest = s.measured.iter().map(|m| m.work).max().unwrap_or(0);
            if let Some((fixed, per)) = s.fit {
                s.projected = LADDER
                    .iter()
                    .filter(|m| !s.measured.iter().any(|x| &x.model == *m))
                    .filter_map(|m| Some((m.to_string(), work(m)?)))
                    .filter(|(m, w)| !s.ruled_out(m, *w as f64))
                    .map(|(model, w)| Projected { model, work: w, seconds: fixed + per * w as f64, extrapolated: w > largest })
                    .filter(|p| p.seconds > 0.0)
                    .collect();
            }
        }
        let mut models: Vec<String> = models.into_iter().collect();
        models.sort_by_key(|m| work(m));
        let mut systems: Vec<SystemAxis> = systems.into_values().collect();
        systems.sort_by(|a, b| {
            (a.family, a.key.zkvm.as_str(), a.key.mode.as_str()).cmp(&(b.family, b.key.zkvm.as_str(), b.key.mode.as_str()))
        });
        out.push(Axis { host, rows, models, systems });
    }
    out
}

/// The test-set sizes of the rows axis beyond the compute axis's own (issue #32: 100 / 1,000 /
/// 10,000 rows at each model's default size).
pub const ROWS_AXIS: &[u32] = &[1_000, 10_000];

/// The default-size models, whose rows axis is projected beside the compute axis.
pub const DEFAULT_MODELS: &[&str] = &["ridge", "poly2", "gbdt", "mlp"];

/// The time to a proof (the prove process's wall time) among the report's [`METRICS`].
const PROVE_WALL: usize = 1;

/// One system at one (model, test-set size) beyond the axis's size.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Measured there; with what the axis's line projects for it (the check of the projection).
    Measured { time: Stats, projected: Option<f64> },
    /// Every run there failed (`OOM`, `timeout`, `failed`).
    Failed(&'static str),
    /// Not measured: read off the axis's line, the work of the whole test set (rows × the
    /// model's instructions per row) placed on it.
    Projected(f64),
    /// Neither: no line, or ruled out by a failure at a smaller size of the same kind.
    Unknown,
}

/// One system along the larger sizes.
#[derive(Debug, Clone)]
pub struct LargerSystem {
    /// The system (`model` empty, `rows` the axis's size).
    pub key: GroupKey,
    pub family: ProofFamily,
    pub zk: bool,
    /// One per column of [`Larger::columns`].
    pub cells: Vec<Cell>,
}

/// The default-size models at larger test sets on one machine: measured where a sitting
/// allowed, else projected from the compute axis's lines.
#[derive(Debug, Clone)]
pub struct Larger {
    pub host: usize,
    /// The compute axis's size, the lines' origin.
    pub from_rows: u32,
    /// (model, rows), model by model.
    pub columns: Vec<(String, u32)>,
    pub systems: Vec<LargerSystem>,
}

impl Larger {
    /// Every projected cell, keyed as the runs it stands for would be (accelerator on): for the
    /// verdict to name who was not run in a block.
    pub fn projections(&self) -> BTreeMap<GroupKey, f64> {
        let mut out = BTreeMap::new();
        for s in &self.systems {
            for ((model, rows), cell) in self.columns.iter().zip(&s.cells) {
                if let Cell::Projected(t) = cell {
                    out.insert(GroupKey { host: self.host, model: model.clone(), rows: *rows, ..s.key.clone() }, *t);
                }
            }
        }
        out
    }
}

/// What the line of `s` (fitted at `axis_rows`) projects for `model` at `rows`: the test set's
/// instructions (rows × work per row) read as that many at the axis's size. `None` without a
/// line, or where a failure of the same kind at a smaller size rules it out.
fn project(s: &SystemAxis, axis_rows: u32, model: &str, rows: u32, failed_below: bool) -> Option<f64> {
    let (fixed, per) = s.fit?;
    let w = work(model)? as f64 * rows as f64 / axis_rows as f64;
    let t = fixed + per * w;
    (!failed_below && !s.ruled_out(model, w) && t > 0.0).then_some(t)
}

/// For each axis: the default-size models it measured, at [`ROWS_AXIS`] and every larger size
/// measured on its machine, for each of its systems.
pub fn larger(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>, axes: &[Axis]) -> Vec<Larger> {
    let tags = data.failure_tags();
    let mut out = Vec::new();
    for axis in axes {
        let mut columns: Vec<(String, u32)> = Vec::new();
        for m in DEFAULT_MODELS.iter().filter(|m| axis.models.iter().any(|x| x == *m)) {
            let mut sizes: BTreeSet<u32> = ROWS_AXIS.iter().copied().filter(|r| *r > axis.rows).collect();
            let beyond = |k: &&GroupKey| k.host == axis.host && k.model == *m && k.rows > axis.rows;
            sizes.extend(groups.keys().chain(tags.keys()).filter(beyond).map(|k| k.rows));
            columns.extend(sizes.into_iter().map(|r| (m.to_string(), r)));
        }
        if columns.is_empty() {
            continue;
        }
        let systems = axis
            .systems
            .iter()
            .map(|s| {
                let key_at = |model: &str, rows: u32| GroupKey { model: model.to_string(), rows, ..s.key.clone() };
                let cells = columns
                    .iter()
                    .map(|(model, rows)| {
                        let key = key_at(model, *rows);
                        let failed_below = tags.keys().any(|k| k.rows < *rows && *k == key_at(model, k.rows));
                        let measured = groups
                            .get(&key)
                            .filter(|runs| runs.iter().all(|r| r.real_proof))
                            .and_then(|runs| data.metric_stats(runs, *rows, &METRICS[PROVE_WALL]));
                        match (measured, tags.get(&key)) {
                            (Some(time), _) => Cell::Measured { time, projected: project(s, axis.rows, model, *rows, false) },
                            (None, Some(&tag)) => Cell::Failed(tag),
                            (None, None) => project(s, axis.rows, model, *rows, failed_below).map(Cell::Projected).unwrap_or(Cell::Unknown),
                        }
                    })
                    .collect();
                LargerSystem { key: s.key.clone(), family: s.family, zk: s.zk, cells }
            })
            .collect();
        out.push(Larger { host: axis.host, from_rows: axis.rows, columns, systems });
    }
    out
}

/// The markdown of [`larger`]: one table per machine.
fn larger_markdown(md: &mut String, larger: &[Larger], multi_host: bool) -> std::fmt::Result {
    for l in larger {
        let host = if multi_host { format!(", machine {}", crate::report::text::host_id(l.host)) } else { String::new() };
        writeln!(md, "### Larger test sets, default-size models{host}\n")?;
        writeln!(
            md,
            "Time to a proof (s) at more rows: measured where a sitting allowed (its line's projection beside it, \
             the check of the method), else *projected* (italics) from the {}-row line above by placing the whole \
             test set's instructions on it (rows × instructions per row). **OOM** / **timeout**: every run there \
             failed; – : no line, or ruled out by a failure at a smaller size. A projection ignores memory: see each \
             model's peak memory in its table.\n",
            l.from_rows
        )?;
        write!(md, "| system | family | zero-knowledge |")?;
        for (m, r) in &l.columns {
            write!(md, " {m}, {} rows |", crate::report::text::thousands(*r))?;
        }
        writeln!(md, "\n|---|---|---|{}", "---|".repeat(l.columns.len()))?;
        for s in &l.systems {
            let name = crate::records::system_name(&s.key.zkvm, &s.key.mode, s.key.precompiles);
            write!(md, "| {name} | {} | {} |", s.family, if s.zk { "yes" } else { "no" })?;
            for c in &s.cells {
                let cell = match c {
                    Cell::Measured { time, projected: Some(p) } => format!("{} (line: {:.0})", fmt_time(time), p),
                    Cell::Measured { time, projected: None } => fmt_time(time),
                    Cell::Failed(tag) => format!("**{tag}**"),
                    Cell::Projected(t) => format!("*{t:.0}*"),
                    Cell::Unknown => "–".into(),
                };
                write!(md, " {cell} |")?;
            }
            writeln!(md)?;
        }
        writeln!(md)?;
    }
    Ok(())
}

/// The report's section: the axis's tables (measured and projected, labelled), the fastest
/// system per model size, where compute overtakes reading + hashing, and two charts.
pub fn markdown(data: &Data, axes: &[Axis], larger: &[Larger], plots_dir: &Path) -> anyhow::Result<String> {
    let mut md = String::new();
    if axes.is_empty() {
        return Ok(md);
    }
    let multi_host = data.hosts.len() > 1;
    writeln!(md, "## Compute intensity\n")?;
    writeln!(
        md,
        "How time to a proof grows with the work a row asks for, at one test-set size on one machine. The work of a model \
         is its **RV32IM hand count of instructions per row** (`docs/cycle-budget.md`; the same number for every system, \
         EZKL included): ridge {}, poly2 {}, gbdt-N 67 N + 90, mlp-W 8 (W² + 6W) + 16 (2W + 1) + 165. Each system's \
         line is a least-squares fit over the models it proved (every repetition); sizes it was not measured at are read \
         off that line and marked *projected* (↗ beyond the largest measured work). A projection ignores steps \
         (segments and shards are padded to powers of two; EZKL's circuit doubles), so it is an estimate, not a result. \
         Accelerator on; time to a proof = the prove process's wall time.\n",
        work("ridge").unwrap_or(0),
        work("poly2").unwrap_or(0)
    )?;
    writeln!(md, "Where compute overtakes reading + hashing (share of a row's instructions that is the model's arithmetic; reading, committing and scoring a row cost {ROW_HANDLING_RV32} with the SHA-256 accelerator, ~{ROW_HANDLING_RV32_SOFTWARE} without):\n")?;
    writeln!(
        md,
        "| model | instructions per row | compute share (SHA-256 accelerated) | compute share (software SHA-256) |\n|---|---|---|---|"
    )?;
    for m in LADDER {
        if let (Some(w), Some((a, s))) = (work(m), compute_share(m)) {
            writeln!(md, "| {m} | {w} | {:.0} % | {:.0} % |", a * 100.0, s * 100.0)?;
        }
    }
    writeln!(md)?;
    for axis in axes {
        let host = if multi_host { format!(", machine {}", crate::report::text::host_id(axis.host)) } else { String::new() };
        writeln!(md, "### {} rows{host}\n", axis.rows)?;
        writeln!(md, "Time to a proof (s): measured medians (min–max), *projected* in italics.\n")?;
        write!(md, "| system | family | zero-knowledge |")?;
        for m in LADDER {
            write!(md, " {m} ({}) |", work(m).unwrap_or(0))?;
        }
        writeln!(md, " s per 1,000 instructions of a row |")?;
        writeln!(md, "|---|---|---|{}---|", "---|".repeat(LADDER.len()))?;
        for s in &axis.systems {
            write!(md, "| {} | {} | {} |", s.name(), s.family, if s.zk { "yes" } else { "no" })?;
            for m in LADDER {
                let cell = if let Some(x) = s.measured.iter().find(|x| x.model == *m) {
                    fmt_time(&x.time)
                } else if let Some((_, _, tag)) = s.failed.iter().find(|f| f.0 == *m) {
                    format!("**{tag}**")
                } else if let Some(p) = s.projected.iter().find(|p| p.model == *m) {
                    format!("*{:.0}*{}", p.seconds, if p.extrapolated { " ↗" } else { "" })
                } else {
                    "–".into()
                };
                write!(md, " {cell} |")?;
            }
            writeln!(md, " {} |", s.fit.map(|(_, b)| format!("{:.1}", b * 1000.0)).unwrap_or_else(|| "–".into()))?;
        }
        writeln!(md)?;
        writeln!(md, "Fastest to a proof per model size (measured where any system was; else projected):\n")?;
        writeln!(md, "| model | instructions per row | fastest | fastest zero-knowledge |\n|---|---|---|---|")?;
        let (all, zk) = (axis.fastest(false), axis.fastest(true));
        for ((model, a), (_, z)) in all.iter().zip(&zk) {
            let cell = |c: &Option<Fastest>| match c {
                Some((s, t, true)) => format!("{} ({})", s.name(), seconds(*t)),
                Some((s, t, false)) => format!("*{} ({}, projected)*", s.name(), seconds(*t)),
                None => "–".into(),
            };
            writeln!(md, "| {model} | {} | {} | {} |", work(model).unwrap_or(0), cell(a), cell(z))?;
        }
        writeln!(md)?;
        // Cycles per row against the hand count.
        let counted: Vec<&SystemAxis> = axis.systems.iter().filter(|s| s.measured.iter().any(|m| m.cycles_per_row.is_some())).collect();
        let mut seen = BTreeSet::new();
        let counted: Vec<&SystemAxis> = counted.into_iter().filter(|s| seen.insert(s.key.zkvm.clone())).collect();
        if !counted.is_empty() {
            writeln!(
                md,
                "Cycles per row as each zkVM counted them at {} rows (fixed costs included), beside the hand count:\n",
                axis.rows
            )?;
            write!(md, "| zkVM |")?;
            for m in &axis.models {
                write!(md, " {m} |")?;
            }
            writeln!(md, "\n|---|{}", "---|".repeat(axis.models.len()))?;
            write!(md, "| hand count (RV32IM) |")?;
            for m in &axis.models {
                write!(md, " {} |", work(m).unwrap_or(0))?;
            }
            writeln!(md)?;
            for s in &counted {
                write!(
                    md,
                    "| {} ({}) |",
                    s.key.zkvm,
                    data.backends.get(&s.key.zkvm).and_then(|e| e.info.as_ref()).map(|i| i.isa.as_str()).unwrap_or("?")
                )?;
                for m in &axis.models {
                    let c = s.measured.iter().find(|x| &x.model == m).and_then(|x| x.cycles_per_row);
                    write!(
                        md,
                        " {} |",
                        c.map(|c| format!("{c:.0} ({:.2}×)", c / work(m).unwrap_or(1) as f64)).unwrap_or_else(|| "–".into())
                    )?;
                }
                writeln!(md)?;
            }
            writeln!(md)?;
        }
        let suffix = if multi_host { format!("-{}", crate::report::text::host_id(axis.host)) } else { String::new() };
        let lines: Vec<FitLine> = axis
            .systems
            .iter()
            .filter_map(|s| {
                let (fixed, per) = s.fit?;
                let mut series = Series::new(s.name(), &s.key.zkvm, s.key.precompiles, s.family, 0);
                series.points =
                    s.measured.iter().map(|m| Point { x: m.work as f64, y: m.time.median, lo: m.time.min, hi: m.time.max }).collect();
                // The line ends at a failure past every measured size.
                let largest = s.measured.iter().map(|m| m.work).max().unwrap_or(0);
                let ends = s.failed.iter().find(|f| f.1 > largest).map(|f| (f.1 as f64, f.2));
                Some(FitLine { series, fixed, per_row: per, ends })
            })
            .collect();
        let x_max = LADDER.iter().filter_map(|m| work(m)).max().unwrap_or(1) as f64;
        let name = format!("intensity-time-{}{suffix}", axis.rows);
        let title = format!("Time to a proof against work per row — {} rows", axis.rows);
        let x_desc = "instructions per row (RV32IM hand count, log; markers measured, lines fitted and projected)";
        plots::draw_split(&mut md, lines, false, &name, &title, "\n", |name, title, lines| {
            plots::fit_chart_x(plots_dir, name, title, "s", x_desc, lines, x_max)
        })?;
        let cycle_series: Vec<Series> = counted
            .iter()
            .map(|s| {
                let mut series = Series::new(s.key.zkvm.clone(), &s.key.zkvm, Precompiles::On, ProofFamily::None, 0);
                series.points =
                    s.measured.iter().filter_map(|m| m.cycles_per_row.map(|c| Point { x: m.work as f64, y: c, lo: c, hi: c })).collect();
                series
            })
            .collect();
        // The target every guest is held to: twice the hand count (dashed, grey).
        let mut target = Series::new("2 × hand count (the target)".into(), Backend::Native.name(), Precompiles::Off, ProofFamily::None, 0);
        target.points = axis
            .models
            .iter()
            .filter_map(|m| work(m))
            .map(|w| Point { x: w as f64, y: 2.0 * w as f64, lo: 2.0 * w as f64, hi: 2.0 * w as f64 })
            .collect();
        let cycle_series: Vec<Series> = cycle_series.into_iter().chain(std::iter::once(target)).collect();
        let name = format!("intensity-cycles-{}{suffix}", axis.rows);
        let title = format!("Cycles per row against the hand count — {} rows", axis.rows);
        plots::line_chart_x(plots_dir, &name, &title, "cycles per row", "instructions per row (RV32IM hand count, log)", &cycle_series)?;
        writeln!(md, "![{title}](plots/{name}.png)\n")?;
    }
    larger_markdown(&mut md, larger, multi_host)?;
    writeln!(
        md,
        "A projection is of time only: memory is not projected, and a size can outgrow the machine first (see each \
         model's peak memory in its table; EZKL's circuit grows with the model, and its 100-row forest ran out of 24 GiB).\n"
    )?;
    Ok(md)
}

fn fmt_time(s: &Stats) -> String {
    if s.n > 1 && s.max > s.min {
        format!("{:.0} ({:.0}–{:.0})", s.median, s.min, s.max)
    } else {
        format!("{:.0}", s.median)
    }
}

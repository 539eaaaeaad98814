//! The answer at the top of a report, computed from the run records:
//! - for each model, proof family and test-set size, who proves fastest, verifies fastest,
//!   makes the smallest proof and needs the least memory — each with its ratio to the
//!   runner-up — and whether the winner's proof hides the private rows (zero-knowledge), beside
//!   the fastest prover that does;
//! - the fixed and per-row cost of each system and where one overtakes another;
//! - one paragraph per system: what it is best at, what it costs, where it failed.
//!
//! Every number links to the table it comes from. zkVMs are compared within a proof family
//! only (segmented with segmented, aggregated with aggregated), with the SHA-256 accelerator on
//! where a backend has one.

use crate::catalogue::is_baseline;
use crate::records::data::{mode_info, Data, GroupKey, METRICS};
use crate::records::RunRecord;
use crate::report::scaling::{self, cost_anchor, seconds, Fit};
use crate::report::text::{results_anchor, thousands};
use crate::stats::Stats;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use zkml_protocol::{Precompiles, ProofFamily};

/// One contender: a backend and mode on one configuration, with its medians.
struct Entry<'a> {
    key: &'a GroupKey,
    zk: bool,
    stats: Vec<Option<Stats>>,
}

/// The metric "fastest to prove" ranks (an index into [`METRICS`]): the time to a proof, the
/// prove process's wall time (start-up, set-up, proving and compression) — what a user waits
/// for, and the measure the cost fits below are made of, so a cell and a fit never disagree.
const PROVE: usize = 1;

/// Metrics the verdict ranks (indices into [`METRICS`]) with their column titles, in
/// [`Category::ALL`]'s order; lower is better for each.
const RANKED: [(usize, &str); 4] = [
    (Category::Prove.metric(), "fastest to prove"),
    (Category::Verify.metric(), "fastest to verify"),
    (Category::ProofSize.metric(), "smallest proof"),
    (Category::Memory.metric(), "least memory"),
];

/// The smallest lead that counts as a win in a system's paragraph (5 %): closer results are
/// within the spread of repeated runs on these machines. The table shows every ratio.
const CLEAR_LEAD: f64 = 1.05;

/// The category of the verdict's last column. Being the only prover that hides the rows counts.
const ZK_PROVER: &str = "fastest zero-knowledge prover";

/// A system: one backend and proof mode on one host (accelerator on where it has one).
type System = (usize, String, String);

fn system_of(k: &GroupKey) -> System {
    (k.host, k.zkvm.clone(), k.mode.clone())
}

/// A category a system won in one cell of the verdict table.
struct Win {
    what: &'static str,
    model: String,
    rows: u32,
    /// Ratio of the runner-up's median to the winner's; `None` when it was the only contender.
    ahead: Option<f64>,
}

fn fmt_value(x: f64, unit: &str) -> String {
    let v = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.1}")
    } else if x >= 0.01 {
        format!("{x:.3}")
    } else {
        format!("{x:.1e}")
    };
    format!("{v} {unit}")
}

/// A contender's name; one ranked without its accelerator (the only setting measured) says so.
fn name(e: &Entry<'_>) -> String {
    let name = crate::records::system_name(&e.key.zkvm, &e.key.mode, e.key.precompiles);
    format!("{name}{}", if e.zk { " (ZK)" } else { "" })
}

/// Entries with a value for metric `m`, best first.
fn ranked<'e, 'a>(entries: &'e [Entry<'a>], m: usize) -> Vec<(&'e Entry<'a>, f64)> {
    let mut ranked: Vec<(&Entry<'_>, f64)> = entries.iter().filter_map(|e| e.stats[m].map(|s| (e, s.median))).collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    ranked
}

/// Each host's fastest speed probe per probe version (lower = faster machine).
fn host_probes(data: &Data) -> BTreeMap<(usize, u32), f64> {
    let mut probes: BTreeMap<(usize, u32), f64> = BTreeMap::new();
    for (h, r) in &data.records {
        if let Some(s) = r.sitting {
            let p = probes.entry((*h, s.version)).or_insert(f64::INFINITY);
            *p = p.min(s.probe_s);
        }
    }
    probes
}

/// The largest ratio between two hosts' median times to a proof of one configuration (system,
/// model, rows, precompiles); `None` when no configuration was proven on two hosts.
fn host_spread(times: &BTreeMap<GroupKey, BTreeMap<usize, f64>>) -> Option<f64> {
    times
        .values()
        .map(|hosts| hosts.values().copied().fold(0.0, f64::max) / hosts.values().copied().fold(f64::INFINITY, f64::min))
        .reduce(f64::max)
}

/// How much longer one host took than another on the configurations both proved (time to a
/// proof): the pace at which a time measured on one translates to the other, from the records
/// themselves, where the speed probe may not tell two machines apart.
struct Pace {
    /// Median of (time here / time there) over the configurations used.
    ratio: f64,
    min: f64,
    max: f64,
    n: usize,
    /// Whether only the contender's own backend and mode were used (else every shared one).
    same_system: bool,
}

/// Each configuration (the key with host 0) proven on more than one host: host -> median time
/// to a proof.
fn times_by_host(cells: &BTreeMap<(usize, String, ProofFamily, u32), Vec<Entry<'_>>>) -> BTreeMap<GroupKey, BTreeMap<usize, f64>> {
    let mut times: BTreeMap<GroupKey, BTreeMap<usize, f64>> = BTreeMap::new();
    for e in cells.values().flatten() {
        if let Some(s) = e.stats[PROVE].filter(|s| s.median > 0.0) {
            times.entry(GroupKey { host: 0, ..e.key.clone() }).or_default().insert(e.key.host, s.median);
        }
    }
    times.retain(|_, hosts| hosts.len() > 1);
    times
}

/// The pace of host `here` against host `there` for contender `e` (measured on `there`): from
/// the configurations of `e`'s backend and mode both hosts proved, else from every one.
fn pace(times: &BTreeMap<GroupKey, BTreeMap<usize, f64>>, there: usize, here: usize, e: &GroupKey) -> Option<Pace> {
    let shared = |same: bool| -> Vec<f64> {
        times
            .iter()
            .filter(|(k, _)| !same || (k.zkvm == e.zkvm && k.mode == e.mode))
            .filter_map(|(_, hosts)| Some(hosts.get(&here)? / hosts.get(&there)?))
            .collect()
    };
    let (ratios, same_system) = match shared(true) {
        own if !own.is_empty() => (own, true),
        _ => (shared(false), false),
    };
    crate::stats::stats(&ratios).map(|s| Pace { ratio: s.median, min: s.min, max: s.max, n: s.n, same_system })
}

/// For each verdict cell, the contenders (backend and mode) measured in the same cell on
/// another host but not on this one: one line per cell, each contender with its median time to
/// a proof, how much slower its host's speed probe was where both ran the same one, and the
/// time translated to this host's pace where the two hosts proved a configuration in common.
fn measured_elsewhere(
    data: &Data,
    cells: &BTreeMap<(usize, String, ProofFamily, u32), Vec<Entry<'_>>>,
    times: &BTreeMap<GroupKey, BTreeMap<usize, f64>>,
) -> Vec<String> {
    let probes = host_probes(data);
    let probe_ratio = |there: usize, here: usize| -> Option<f64> {
        probes.iter().filter(|((h, _), _)| *h == there).find_map(|((_, v), p)| probes.get(&(here, *v)).map(|q| p / q))
    };
    let mut lines = Vec::new();
    for ((host, model, family, rows), entries) in cells {
        let here = |e: &Entry<'_>| entries.iter().any(|x| x.key.zkvm == e.key.zkvm && x.key.mode == e.key.mode);
        let others: Vec<String> = cells
            .iter()
            .filter(|((h, m, f, r), _)| h != host && m == model && f == family && r == rows)
            .flat_map(|(_, es)| es.iter())
            .filter(|e| !here(e))
            .filter_map(|e| e.stats[PROVE].map(|s| (e, s.median)))
            .map(|(e, v)| {
                let (there, unit) = (e.key.host, METRICS[PROVE].unit);
                let mut notes: Vec<String> = Vec::new();
                if let Some(r) = probe_ratio(there, *host) {
                    notes.push(format!("H{}'s speed probe {r:.2}× H{}'s", there + 1, host + 1));
                }
                if let Some(p) = pace(times, there, *host, e.key) {
                    let range = if p.n > 1 { format!(" ({:.2}–{:.2}×)", p.min, p.max) } else { String::new() };
                    let basis = if p.same_system { format!("{} {}'s", e.key.zkvm, e.key.mode) } else { "the".to_string() };
                    notes.push(format!(
                        "≈{} at H{}'s pace: H{} took {:.2}× H{}'s time{range} on {basis} {} configuration{} both proved",
                        fmt_value(v * p.ratio, unit),
                        host + 1,
                        host + 1,
                        p.ratio,
                        there + 1,
                        p.n,
                        if p.n == 1 { "" } else { "s" }
                    ));
                }
                let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
                format!("{} on H{}: [{}](#{}) to a proof{notes}", name(e), there + 1, fmt_value(v, unit), results_anchor(model))
            })
            .collect();
        if !others.is_empty() {
            lines.push(format!("H{} {model} {family} {} rows: {}", host + 1, thousands(*rows), others.join("; ")));
        }
    }
    lines
}

/// Where the projections of systems not run at a size are shown (`intensity::larger`).
const PROJECTIONS_ANCHOR: &str = "larger-test-sets-default-size-models";

/// The systems of a verdict cell that were not run there but are projected (time to a proof,
/// from the compute-intensity lines), fastest first: never ranked, named beside the cell.
fn projected_in<'p>(
    data: &Data,
    projected: &'p BTreeMap<GroupKey, f64>,
    (host, model, family, rows): (usize, &str, ProofFamily, u32),
) -> Vec<(&'p GroupKey, bool, f64)> {
    let mut out: Vec<(&GroupKey, bool, f64)> = projected
        .iter()
        .filter(|(k, _)| k.host == host && k.model == model && k.rows == rows)
        .filter_map(|(k, t)| {
            let (f, zk) = mode_info(data, &k.zkvm, &k.mode);
            (f == family).then_some((k, zk, *t))
        })
        .collect();
    out.sort_by(|a, b| a.2.total_cmp(&b.2));
    out
}

fn projected_name(k: &GroupKey, zk: bool, t: f64) -> String {
    format!(
        "*{}{} ≈ [{}](#{PROJECTIONS_ANCHOR}) projected*",
        crate::records::system_name(&k.zkvm, &k.mode, k.precompiles),
        if zk { " (ZK)" } else { "" },
        seconds(t)
    )
}

/// The verdict section's markdown; empty when no real proofs were measured. `projected`: the
/// time to a proof projected for systems not run at a size (named beside a cell, never ranked).
/// What the verdict ranks in every cell, in the table's column order (lower is better in each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Time to a proof: the prove process's wall time.
    Prove,
    Verify,
    ProofSize,
    Memory,
}

impl Category {
    pub const ALL: [Category; 4] = [Category::Prove, Category::Verify, Category::ProofSize, Category::Memory];

    fn index(self) -> usize {
        self as usize
    }

    /// The category's metric: an index into [`METRICS`].
    const fn metric(self) -> usize {
        match self {
            Category::Prove => PROVE,
            Category::Verify => 2,
            Category::ProofSize => 3,
            Category::Memory => 4,
        }
    }
}

/// The best contender of one category in one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Pick {
    /// Its configuration (backend, mode, accelerator setting — on where it was measured).
    pub key: GroupKey,
    /// Its proof claims to hide the private rows.
    pub zk: bool,
    /// Its median in the category's unit ([`METRICS`]).
    pub median: f64,
    /// The runner-up's backend and its median ÷ this one's; `None` where it was the only contender.
    pub ahead_of: Option<(String, f64)>,
}

/// The cell's fastest prover whose proof hides the private rows.
#[derive(Debug, Clone, PartialEq)]
pub enum ZkProver {
    Fastest(Pick),
    /// None measured here; this one was not run at this size, its time to a proof projected (s).
    NotRunHere {
        key: GroupKey,
        projected_s: f64,
    },
    /// No proof measured or projected here hides the rows.
    NoneHides,
}

/// One row of the verdict table: a machine, model, proof family and test-set size.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub host: usize,
    pub model: String,
    pub family: ProofFamily,
    pub rows: u32,
    /// The best contender per [`Category`] (in [`Category::ALL`]'s order); `None` where no contender has the measurement.
    pub best: [Option<Pick>; 4],
    pub zk_prover: ZkProver,
    /// Systems not run at this size, projected (time to a proof, s) and never ranked, fastest first.
    pub not_run: Vec<(GroupKey, bool, f64)>,
}

impl Cell {
    pub fn best(&self, c: Category) -> Option<&Pick> {
        self.best[c.index()].as_ref()
    }
}

/// The verdict as data: one [`Cell`] per machine, model, family and size that has real proofs.
/// [`verdict_markdown`] renders it (with the cost fits and the systems' paragraphs).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Verdict {
    pub cells: Vec<Cell>,
}

impl Verdict {
    pub fn cell(&self, host: usize, model: &str, family: ProofFamily, rows: u32) -> Option<&Cell> {
        self.cells.iter().find(|c| c.host == host && c.model == model && c.family == family && c.rows == rows)
    }
}

/// The best entry by metric `m`, with the runner-up's ratio.
fn pick(entries: &[Entry<'_>], m: usize) -> Option<Pick> {
    let r = ranked(entries, m);
    let (e, v) = *r.first()?;
    let ahead_of = r.get(1).map(|(runner, rv)| (runner.key.zkvm.clone(), if v > 0.0 { rv / v } else { f64::INFINITY }));
    Some(Pick { key: e.key.clone(), zk: e.zk, median: v, ahead_of })
}

/// The contenders of every cell: (host, model, family, rows) -> entries.
type Contenders<'a> = BTreeMap<(usize, String, ProofFamily, u32), Vec<Entry<'a>>>;

fn contenders<'a>(data: &Data, groups: &'a BTreeMap<GroupKey, Vec<&RunRecord>>) -> Contenders<'a> {
    let mut cells: Contenders<'a> = BTreeMap::new();
    for (k, runs) in groups {
        if is_baseline(&k.zkvm) || !runs.iter().all(|r| r.real_proof) {
            continue;
        }
        let (family, zk) = mode_info(data, &k.zkvm, &k.mode);
        // Precompiles on where the backend ran it; off only for a backend measured without.
        if k.precompiles == Precompiles::Off && groups.contains_key(&GroupKey { precompiles: Precompiles::On, ..k.clone() }) {
            continue;
        }
        let stats = METRICS.iter().map(|m| data.metric_stats(runs, k.rows, m)).collect();
        cells.entry((k.host, k.model.clone(), family, k.rows)).or_default().push(Entry { key: k, zk, stats });
    }
    cells
}

fn cells_of(data: &Data, cells: &Contenders<'_>, projected: &BTreeMap<GroupKey, f64>) -> Vec<Cell> {
    cells
        .iter()
        .map(|((host, model, family, rows), entries)| {
            let zk: Vec<Entry<'_>> =
                entries.iter().filter(|e| e.zk).map(|e| Entry { key: e.key, zk: true, stats: e.stats.clone() }).collect();
            let not_run: Vec<(GroupKey, bool, f64)> = projected_in(data, projected, (*host, model.as_str(), *family, *rows))
                .into_iter()
                .map(|(k, z, t)| (k.clone(), z, t))
                .collect();
            let zk_prover = match (pick(&zk, PROVE), not_run.iter().find(|p| p.1)) {
                (Some(p), _) => ZkProver::Fastest(p),
                (None, Some((k, _, t))) => ZkProver::NotRunHere { key: k.clone(), projected_s: *t },
                (None, None) => ZkProver::NoneHides,
            };
            Cell {
                host: *host,
                model: model.clone(),
                family: *family,
                rows: *rows,
                best: RANKED.map(|(m, _)| pick(entries, m)),
                zk_prover,
                not_run,
            }
        })
        .collect()
}

/// The verdict's table as data (see [`Verdict`]); `projected` as for [`verdict_markdown`].
pub fn verdict(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>, projected: &BTreeMap<GroupKey, f64>) -> Verdict {
    Verdict { cells: cells_of(data, &contenders(data, groups), projected) }
}

/// A pick as a table cell, its number linked to the model's results table.
fn pick_cell(p: Option<&Pick>, m: usize, anchor: &str) -> String {
    let Some(p) = p else { return "–".into() };
    let name = format!("{}{}", crate::records::system_name(&p.key.zkvm, &p.key.mode, p.key.precompiles), if p.zk { " (ZK)" } else { "" });
    let value = format!("[{}](#{anchor})", fmt_value(p.median, METRICS[m].unit));
    match &p.ahead_of {
        None => format!("{name} {value} (only one measured)"),
        Some((runner, ratio)) => format!("**{name}** {value} — {ratio:.1}× ahead of {runner}"),
    }
}

/// The win a pick gives its system.
fn win_of_pick(p: &Pick, what: &'static str) -> (System, Win) {
    (system_of(&p.key), Win { what, model: p.key.model.clone(), rows: p.key.rows, ahead: p.ahead_of.as_ref().map(|(_, r)| *r) })
}

pub fn verdict_markdown(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>, projected: &BTreeMap<GroupKey, f64>) -> String {
    let cells = contenders(data, groups);
    if cells.is_empty() {
        return String::new();
    }
    let typed = cells_of(data, &cells, projected);
    let multi_host = data.hosts.len() > 1;
    let host_tag = |h: usize| if multi_host { format!(" (H{})", h + 1) } else { String::new() };
    let mut md = String::new();
    let _ = writeln!(md, "## Verdict\n");
    let _ = writeln!(
        md,
        "Computed from the records below: medians over repetitions, SHA-256 accelerator on where a backend has one, \
         zkVMs compared within a proof family only. \"Fastest to prove\" ranks the time to a proof (the prove \
         process's wall time: start-up, set-up, proving and compression), the measure of the cost fits below. \"ZK\" marks a proof that claims to hide the private rows \
         (zero-knowledge; sources in the Backends table); the last column names the fastest prover whose proof does. \
         Each number links to the table it comes from.\n"
    );
    let _ = writeln!(
        md,
        "| {}model | family | rows | {} | fastest zero-knowledge prover |",
        if multi_host { "host | " } else { "" },
        RANKED.iter().map(|(_, t)| *t).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(md, "|{}---|---|---|{}---|", if multi_host { "---|" } else { "" }, "---|".repeat(RANKED.len()));
    let mut wins: BTreeMap<System, Vec<Win>> = BTreeMap::new();
    let mut not_run_lines: Vec<String> = Vec::new();
    let mut systems: BTreeMap<System, (ProofFamily, bool)> = BTreeMap::new();
    for (((host, model, family, rows), entries), cell) in cells.iter().zip(&typed) {
        let anchor = results_anchor(model);
        let not_run = &cell.not_run;
        let zk_cell = match &cell.zk_prover {
            ZkProver::Fastest(p) => pick_cell(Some(p), PROVE, &anchor),
            ZkProver::NotRunHere { key, projected_s } => {
                format!("none measured (not run at this size: {})", projected_name(key, true, *projected_s))
            }
            ZkProver::NoneHides => "none measured: no proof here hides the rows".to_string(),
        };
        if !not_run.is_empty() {
            not_run_lines.push(format!(
                "{}{model} {family} {} rows: {}",
                if multi_host { format!("H{} ", host + 1) } else { String::new() },
                thousands(*rows),
                not_run.iter().map(|(k, zk, t)| projected_name(k, *zk, *t)).collect::<Vec<_>>().join("; ")
            ));
        }
        let _ = writeln!(
            md,
            "| {}{model} | {family} | {rows} | {} | {zk_cell} |",
            if multi_host { format!("H{} | ", host + 1) } else { String::new() },
            RANKED.iter().zip(&cell.best).map(|((m, _), p)| pick_cell(p.as_ref(), *m, &anchor)).collect::<Vec<_>>().join(" | ")
        );
        for e in entries {
            systems.insert(system_of(e.key), (*family, e.zk));
        }
        for ((_, what), p) in RANKED.iter().zip(&cell.best) {
            if let Some(p) = p {
                let (s, w) = win_of_pick(p, what);
                wins.entry(s).or_default().push(w);
            }
        }
        // The fastest prover that hides the rows, where a faster one does not.
        let overall = cell.best(Category::Prove).map(|p| system_of(&p.key));
        if let ZkProver::Fastest(p) = &cell.zk_prover {
            let (s, w) = win_of_pick(p, ZK_PROVER);
            if overall.as_ref() != Some(&s) {
                wins.entry(s).or_default().push(w);
            }
        }
    }
    let _ = writeln!(md);
    if !not_run_lines.is_empty() {
        let _ = writeln!(
            md,
            "**Not run at a size** (systems on the compute-intensity axis that were not run at this size, e.g. a proof \
             too long for one sitting: their time to a proof projected from their lines, never ranked in the cell): {}.\n",
            not_run_lines.join(" · ")
        );
    }
    let times = times_by_host(&cells);
    let elsewhere = measured_elsewhere(data, &cells, &times);
    if !elsewhere.is_empty() {
        // "Of the same description" only where they are: same architecture, CPU model and cores.
        let described = |h: &crate::records::host::HostInfo| (h.arch.clone(), h.cpu_model.clone(), h.logical_cores);
        let alike = data.hosts.windows(2).all(|w| described(&w[0]) == described(&w[1]));
        let machines = if alike { "machines of the same description" } else { "these machines (of different CPU models)" };
        let apart =
            host_spread(&times).map(|r| format!("{machines} proved one configuration up to {r:.1}× apart here; ")).unwrap_or_default();
        let _ = writeln!(
            md,
            "**Measured on another machine only** (named beside the cell, never ranked in it: {apart}their speed probes \
             are in [Machines](#machines); \"at H*n*'s pace\" scales a time by how much longer machine H*n* took on the \
             configurations both machines proved — the contender's own where there are any):\n"
        );
        for line in elsewhere {
            let _ = writeln!(md, "- {line}");
        }
        let _ = writeln!(md);
    }

    // Cost per row and crossovers, from the fits of "How cost grows".
    let fits = scaling::fits(data, groups);
    let chosen: Vec<&Fit> = fits
        .iter()
        .filter(|f| {
            f.key.precompiles == Precompiles::On
                || !fits.iter().any(|g| g.key == GroupKey { precompiles: Precompiles::On, ..f.key.clone() })
        })
        .filter(|f| systems.contains_key(&system_of(&f.key)))
        .collect();
    let mut by_model: BTreeMap<(usize, &str), Vec<&Fit>> = BTreeMap::new();
    for f in &chosen {
        by_model.entry((f.key.host, f.key.model.as_str())).or_default().push(f);
    }
    if !by_model.is_empty() {
        let _ = writeln!(md, "**What each proof costs** (time to a proof = fixed + per row × rows; fits over every size measured):\n");
        for ((host, model), fs) in &by_model {
            let anchor = cost_anchor(model, *host, multi_host);
            let mut fs = fs.clone();
            fs.sort_by(|a, b| (a.family, a.per_row).partial_cmp(&(b.family, b.per_row)).unwrap_or(std::cmp::Ordering::Equal));
            let terms: Vec<String> = fs
                .iter()
                .map(|f| format!("{} ({}) [{} + {:.2} ms/row](#{anchor})", f.name(), f.family, seconds(f.fixed), f.per_row * 1e3))
                .collect();
            let cross: Vec<String> = scaling::crossings(&fs)
                .iter()
                .map(|c| {
                    format!("{} overtakes {} at [≈{} rows](#{anchor})", c.faster.name(), c.slower.name(), thousands(c.rows.round() as u32))
                })
                .collect();
            let _ = writeln!(
                md,
                "- {model}{}: {}.{}",
                host_tag(*host),
                terms.join("; "),
                if cross.is_empty() { String::new() } else { format!(" {}.", cross.join("; ")) }
            );
        }
        let _ = writeln!(md);
    }

    // One paragraph per system.
    let tags = data.failure_tags();
    let _ = writeln!(md, "**What each system is best at:**\n");
    for (system, (family, zk)) in &systems {
        let (host, zkvm, mode) = system;
        let mut text = format!(
            "- **{zkvm} {mode}**{} — {family} proofs that {}.",
            host_tag(*host),
            if *zk { "claim to hide the private rows (zero-knowledge)" } else { "do not hide the private rows" }
        );
        let mine = wins.get(system).map(Vec::as_slice).unwrap_or(&[]);
        // Rows lists per model, e.g. "[ridge](#results-ridge) at 100 (2.6×) and 1,000 rows (1.6×)".
        let per_model = |wins: &[&Win], ratios: bool| -> String {
            let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for w in wins {
                let lead = match (ratios, w.ahead) {
                    (true, Some(r)) => format!(" ({r:.1}×)"),
                    _ => String::new(),
                };
                by.entry(w.model.as_str()).or_default().push(format!("{} rows{lead}", thousands(w.rows)));
            }
            by.iter()
                .map(|(m, at)| {
                    let at = match at.as_slice() {
                        [one] => one.clone(),
                        [init @ .., last] => format!("{} and {last}", init.join(", ")),
                        [] => String::new(),
                    };
                    format!("[{m}](#{}) at {at}", results_anchor(m))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Wins by a margin over a runner-up; a cell where it was the family's only contender, or
        // led by less than the noise of a repetition, is no win.
        let categories: Vec<String> = RANKED
            .iter()
            .map(|(_, w)| *w)
            .chain([ZK_PROVER])
            .filter_map(|what| {
                let at: Vec<&Win> = mine
                    .iter()
                    .filter(|w| w.what == what && (w.ahead.is_some_and(|r| r >= CLEAR_LEAD) || (w.what == ZK_PROVER && w.ahead.is_none())))
                    .collect();
                (!at.is_empty()).then(|| format!("{what} for {}", per_model(&at, true)))
            })
            .collect();
        if categories.is_empty() {
            text.push_str(" It leads no contested category here.");
        } else {
            let _ = write!(text, " Best: {}.", categories.join("; "));
        }
        let alone: Vec<&Win> = mine.iter().filter(|w| w.what == RANKED[0].1 && w.ahead.is_none()).collect();
        if !alone.is_empty() {
            let _ = write!(text, " The only {family} system measured for {}.", per_model(&alone, false));
        }
        let costs: Vec<String> = chosen
            .iter()
            .filter(|f| &system_of(&f.key) == system)
            .map(|f| {
                format!(
                    "{} [{} + {:.2} ms/row](#{})",
                    f.key.model,
                    seconds(f.fixed),
                    f.per_row * 1e3,
                    cost_anchor(&f.key.model, *host, multi_host)
                )
            })
            .collect();
        if !costs.is_empty() {
            let _ = write!(text, " Time to a proof: {}.", costs.join(", "));
        }
        let mut largest: BTreeMap<&str, u32> = BTreeMap::new();
        for k in groups.keys().filter(|k| &system_of(k) == system) {
            let l = largest.entry(k.model.as_str()).or_insert(0);
            *l = (*l).max(k.rows);
        }
        if !largest.is_empty() {
            let list: Vec<String> = largest.iter().map(|(m, r)| format!("{} rows ({m})", thousands(*r))).collect();
            let _ = write!(text, " Largest test set proven: {}.", list.join(", "));
        }
        let failed: Vec<String> = tags
            .iter()
            .filter(|(k, _)| &system_of(k) == system)
            .map(|(k, t)| {
                let off = crate::records::precompiles_note(&k.zkvm, k.precompiles);
                format!("{} {} rows ({t}{off})", k.model, thousands(k.rows))
            })
            .collect();
        if !failed.is_empty() {
            let _ = write!(text, " Failed: {}.", failed.join(", "));
        }
        let _ = writeln!(md, "{text}");
    }
    let _ = writeln!(md);
    md
}

//! `zkml-bench report`: results directories in, a markdown report with tables and PNG/SVG
//! plots out. Several directories (e.g. an x86 and an ARM machine) merge into one report,
//! grouped by host. Everything shown is computed from the records; nothing is typed in.

pub mod chunked;
pub mod intensity;
pub mod plots;
pub mod scaling;
pub mod text;
pub mod verdict;
pub mod versus;

use crate::catalogue::is_baseline;
use crate::records::data::{mode_info, Data, GroupKey, METRICS};
use crate::records::{self, short_rev, RunRecord};
use crate::stats::Stats;
use plots::{Point, Series};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use text::{host_id, results_anchor};
use zkml_protocol::{Precompiles, ProofFamily};

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

/// A line's legend entry. No machine in it: a chart draws one machine ([`plots::split_charts`]).
fn series_label(k: &GroupKey, modes: usize) -> String {
    let mut s = k.zkvm.clone();
    if modes > 1 {
        write!(s, " {}", k.mode).unwrap();
    }
    s.push_str(records::precompiles_note(&k.zkvm, k.precompiles));
    s
}

/// Draws `series` as line charts `plots/NAME[-part].png` (per machine, at most
/// [`plots::MAX_SERIES`] lines each: [`plots::split_charts`]) and links each from `md`.
fn line_charts(
    md: &mut String,
    out: &Path,
    name: &str,
    title: &str,
    unit: &str,
    series: Vec<Series>,
    multi_host: bool,
) -> anyhow::Result<()> {
    plots::draw_split(md, series, multi_host, name, title, "", |name, title, series| {
        plots::line_chart(&out.join("plots"), name, title, unit, series)
    })
}

/// The lines of one chart, one per machine and legend label: a configuration's value goes to
/// its line, which is started the first time it is needed. Lines come out by machine, then
/// label.
struct Lines<'a> {
    lines: BTreeMap<(usize, String), Series>,
    n_modes: usize,
    family_of: &'a dyn Fn(&str, &str) -> ProofFamily,
}

impl<'a> Lines<'a> {
    fn new(n_modes: usize, family_of: &'a dyn Fn(&str, &str) -> ProofFamily) -> Self {
        Lines { lines: BTreeMap::new(), n_modes, family_of }
    }

    /// The line of configuration `k`.
    fn of(&mut self, k: &GroupKey) -> &mut Series {
        let label = series_label(k, self.n_modes);
        let family = (self.family_of)(&k.zkvm, &k.mode);
        self.lines.entry((k.host, label.clone())).or_insert_with(|| Series::new(label, &k.zkvm, k.precompiles, family, k.host))
    }

    fn into_series(self) -> Vec<Series> {
        self.lines.into_values().collect()
    }
}

/// `path` as seen from the directory `base` (both made absolute first), so that a published
/// report names its result directories relative to itself, never by a machine's absolute path.
pub fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    pathdiff::diff_paths(abs(path), abs(base)).unwrap_or_else(|| path.to_path_buf())
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
    let family_of = |zkvm: &str, mode: &str| mode_info(data, zkvm, mode).0;
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
    let sittings = crate::records::sittings(data.records.iter().map(|(_, r)| r));
    if let Some(ratio) = crate::records::sitting::spread(&sittings).filter(|r| *r > crate::records::sitting::COMPARABLE_RATIO) {
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

    let axes = intensity::axes(data, &groups);
    let larger = intensity::larger(data, &groups, &axes);
    let projected: BTreeMap<GroupKey, f64> = larger.iter().flat_map(|l| l.projections()).collect();
    md.push_str(&verdict::verdict_markdown(data, &groups, &projected));
    md.push_str(&versus::versus_markdown(data, &groups));
    md.push_str(&scaling::scaling_markdown(data, &groups, &out.join("plots"))?);
    md.push_str(&chunked::markdown(data, &groups));
    md.push_str(&intensity::markdown(data, &axes, &larger, &out.join("plots"))?);

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
            versions.iter().map(|v| crate::records::sitting::work(*v)).collect::<Vec<_>>().join("; ")
        )?;
        for s in &sittings {
            let runs = data.records.iter().filter(|(_, r)| r.sitting.is_some_and(|x| x.started_unix == s.started_unix)).count();
            let when = chrono::DateTime::from_timestamp(s.started_unix as i64, 0)
                .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            let fastest = crate::records::sitting::fastest(&sittings, s.version);
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
        .filter(|(k, _)| is_baseline(&k.zkvm))
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
                (Some(n), Some(s)) if !is_baseline(&k.zkvm) && *n > 0.0 => format!("{:.0}×", s.median / n),
                _ => "–".into(),
            };
            writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {overhead} |",
                host_id(k.host),
                mode_info(data, &k.zkvm, &k.mode).0,
                k.zkvm,
                if is_baseline(&k.zkvm) { "–".to_string() } else { k.precompiles.to_string() },
                k.mode,
                k.rows,
                runs.len(),
                cells.join(" | ")
            )?;
        }
        writeln!(md)?;
        for metric in &METRICS {
            let mut lines = Lines::new(n_modes, &family_of);
            for (k, runs) in configurations(&groups, model) {
                if let Some(s) = data.metric_stats(runs, k.rows, metric) {
                    lines.of(k).points.push(Point { x: k.rows as f64, y: s.median, lo: s.min, hi: s.max });
                }
            }
            // What a configuration that never succeeded had reached when it failed (the peak
            // memory of an attempt that ran out of it): a cross, tagged.
            for (k, (value, tag)) in data.failure_values(&failure_tags, metric) {
                if k.model == *model && !is_baseline(&k.zkvm) {
                    lines.of(&k).failed.push((k.rows as f64, value, tag));
                }
            }
            let title = format!("{} — {model}", metric.title);
            line_charts(&mut md, out, &format!("{}-{model}", metric.id), &title, metric.unit, lines.into_series(), multi_host)?;
        }
        // The original study's charts: proving and verification time as grouped bars, one group
        // per test-set size, one bar per backend and mode (accelerator on where it exists), one
        // pair of charts per machine.
        for h in 0..data.hosts.len() {
            // Configurations that only failed keep their slot: a size (or a system) where every
            // run ran out of memory is shown as such, not left out of the chart.
            let charted = || groups.keys().chain(failure_tags.keys()).filter(|k| &k.model == model && k.host == h && !is_baseline(&k.zkvm));
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
                                label: records::system_name(zkvm, mode, if all_off { Precompiles::Off } else { Precompiles::On }),
                                backend: zkvm.clone(),
                                family: plots::family_marker(family_of(zkvm, mode)),
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
        let mut over = Lines::new(n_modes, &family_of);
        let mut speed = Lines::new(n_modes, &family_of);
        for (k, runs) in configurations(&groups, model) {
            let wall = data.metric_stats(runs, k.rows, &METRICS[1]);
            if let (Some(n), Some(s)) = (native.get(&(k.host, k.model.clone(), k.rows)), wall) {
                over.of(k).points.push(Point { x: k.rows as f64, y: s.median / n, lo: s.min / n, hi: s.max / n });
            }
            if k.precompiles == Precompiles::On {
                let off = GroupKey { precompiles: Precompiles::Off, ..k.clone() };
                if let (Some(on_s), Some(off_runs)) = (data.metric_stats(runs, k.rows, &METRICS[0]), groups.get(&off)) {
                    if let Some(off_s) = data.metric_stats(off_runs, k.rows, &METRICS[0]) {
                        let r = off_s.median / on_s.median;
                        speed.of(k).points.push(Point { x: k.rows as f64, y: r, lo: r, hi: r });
                    }
                }
            }
        }
        let title = format!("Prove wall time ÷ native evaluation wall time — {model}");
        line_charts(&mut md, out, &format!("overhead-{model}"), &title, "×", over.into_series(), multi_host)?;
        let title = format!("Proving time, precompiles off ÷ on — {model}");
        line_charts(&mut md, out, &format!("precompile-speedup-{model}"), &title, "×", speed.into_series(), multi_host)?;
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

/// The configurations of `model` a chart draws a line for. The native baseline is left out: its
/// microseconds would squash every zkVM line into the top of a shared log axis (it stays in the
/// tables and is the denominator of the overhead chart).
fn configurations<'g, 'r>(
    groups: &'g BTreeMap<GroupKey, Vec<&'r RunRecord>>,
    model: &'g str,
) -> impl Iterator<Item = (&'g GroupKey, &'g Vec<&'r RunRecord>)> + 'g {
    groups.iter().filter(move |(k, _)| k.model == model && !is_baseline(&k.zkvm))
}

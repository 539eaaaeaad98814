//! How cost grows with the test set: for every system (backend, mode, accelerator setting) on
//! every model, a least-squares fit of time to a proof = fixed + per-row × rows over all its
//! measured repetitions, with the fit's residual, the projection to a million rows, the sizes
//! that failed, and the row counts at which one system of a proof family overtakes another.
//!
//! Time to a proof is the prove process's wall time as the harness measures it (set-up, proving
//! and any compression): what a user waits for. A fit needs two sizes; its residual needs three.

use crate::catalogue::is_baseline;
use crate::records::data::{mode_info, Data, GroupKey};
use crate::records::RunRecord;
use crate::report::plots::{self, FitLine, Point, Series};
use crate::stats::{crossover, linear_fit};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use zkml_protocol::{Precompiles, ProofFamily};

/// The row count the report projects to: the size a user plans a large claim at.
pub const PROJECT_TO_ROWS: f64 = 1_000_000.0;

/// A fitted system: one (host, model, backend, accelerator, mode) over the sizes it proved.
#[derive(Debug, Clone)]
pub struct Fit {
    pub key: GroupKey,
    pub family: ProofFamily,
    pub zk: bool,
    pub sizes: Vec<u32>,
    /// Seconds.
    pub fixed: f64,
    /// Seconds per row.
    pub per_row: f64,
    /// Root-mean-square of the fit's errors over every run (seconds); `None` with two sizes
    /// (a line through two points fits exactly, so no residual is informative).
    pub rms: Option<f64>,
    /// The largest error relative to the run it misfits.
    pub worst_relative: Option<f64>,
    /// Sizes where every run of this system failed, with why (`OOM`, `timeout`, `failed`).
    pub failed: Vec<(u32, &'static str)>,
    points: Vec<(f64, f64)>,
}

impl Fit {
    pub fn at(&self, rows: f64) -> f64 {
        self.fixed + self.per_row * rows
    }
    pub fn name(&self) -> String {
        crate::records::system_name(&self.key.zkvm, &self.key.mode, self.key.precompiles)
    }
}

/// Every system with at least two measured sizes, fitted (the key's `rows` is 0).
pub fn fits(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>) -> Vec<Fit> {
    let mut points: BTreeMap<GroupKey, Vec<(f64, f64)>> = BTreeMap::new();
    for (k, runs) in groups.iter().filter(|(k, runs)| !is_baseline(&k.zkvm) && runs.iter().all(|r| r.real_proof)) {
        let series = points.entry(k.system()).or_default();
        series.extend(runs.iter().filter_map(|r| r.metrics.as_ref()).map(|m| (k.rows as f64, m.prove_wall_s)));
    }
    let tags = data.failure_tags();
    points
        .into_iter()
        .filter_map(|(key, pts)| {
            let (fixed, per_row) = linear_fit(&pts)?;
            let sizes: BTreeSet<u32> = pts.iter().map(|p| p.0 as u32).collect();
            let errors: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (y - (fixed + per_row * x), y)).collect();
            let (rms, worst_relative) = if sizes.len() >= 3 {
                let rms = (errors.iter().map(|e| e.0 * e.0).sum::<f64>() / errors.len() as f64).sqrt();
                let worst = errors.iter().map(|(e, y)| (e / y).abs()).fold(0.0, f64::max);
                (Some(rms), Some(worst))
            } else {
                (None, None)
            };
            let failed =
                tags.iter().filter(|(k, _)| k.system() == key && !sizes.contains(&k.rows)).map(|(k, tag)| (k.rows, *tag)).collect();
            let (family, zk) = mode_info(data, &key.zkvm, &key.mode);
            Some(Fit { key, family, zk, sizes: sizes.into_iter().collect(), fixed, per_row, rms, worst_relative, failed, points: pts })
        })
        .collect()
}

/// Where one fit overtakes another of the same proof family (accelerator on both).
pub struct Crossing<'a> {
    /// The system with the lower per-row cost: faster from `rows` on.
    pub faster: &'a Fit,
    pub slower: &'a Fit,
    pub rows: f64,
}

/// The crossovers among `fits` (one model on one host): within a proof family, accelerator on —
/// the lower fixed cost wins small test sets, the lower per-row cost large ones.
pub fn crossings<'a>(fits: &[&'a Fit]) -> Vec<Crossing<'a>> {
    let mut out = Vec::new();
    for (i, a) in fits.iter().enumerate() {
        for b in &fits[i + 1..] {
            if a.family != b.family || a.key.precompiles != Precompiles::On || b.key.precompiles != Precompiles::On {
                continue;
            }
            let (slower, faster) = if a.per_row > b.per_row { (*a, *b) } else { (*b, *a) };
            if let Some(rows) = crossover((slower.fixed, slower.per_row), (faster.fixed, faster.per_row)) {
                out.push(Crossing { faster, slower, rows });
            }
        }
    }
    out
}

/// The HTML anchor of a model's fit table (linked from the verdict).
pub fn cost_anchor(model: &str, host: usize, multi_host: bool) -> String {
    format!("cost-{model}{}", if multi_host { format!("-h{}", host + 1) } else { String::new() })
}

pub fn seconds(x: f64) -> String {
    if x.abs() >= 3600.0 {
        format!("{:.1} h", x / 3600.0)
    } else {
        format!("{x:.1} s")
    }
}

fn rows_list(sizes: &[u32]) -> String {
    sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
}

/// The section's markdown and its charts (`plots/scaling-MODEL.png`); empty when no system was
/// measured at two sizes.
pub fn scaling_markdown(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>, plots_dir: &Path) -> anyhow::Result<String> {
    let fits = fits(data, groups);
    let mut md = String::new();
    if fits.is_empty() {
        return Ok(md);
    }
    let multi_host = data.hosts.len() > 1;
    writeln!(md, "## How cost grows\n")?;
    writeln!(
        md,
        "Least-squares fits of **time to a proof** (the prove process's wall time: set-up, proving and compression) \
         = fixed + per-row × rows, over every repetition of every size a system proved. The residual is the root mean \
         square of the fit's errors (shown from three sizes on; a line through two sizes fits exactly) and the worst error \
         relative to the run. The 1,000,000-row column extrapolates the fit: it assumes the per-row cost stays linear and \
         says nothing about memory (see each system's peak at its largest size).\n"
    )?;
    let models: BTreeSet<&str> = fits.iter().map(|f| f.key.model.as_str()).collect();
    for model in models {
        for host in 0..data.hosts.len() {
            let mine: Vec<&Fit> = fits.iter().filter(|f| f.key.model == model && f.key.host == host).collect();
            if mine.is_empty() {
                continue;
            }
            let suffix = if multi_host { format!(" (H{})", host + 1) } else { String::new() };
            writeln!(md, "<a id=\"{}\"></a>\n\n### {model}{suffix}\n", cost_anchor(model, host, multi_host))?;
            writeln!(
                md,
                "| family | system | ZK | sizes fitted (rows) | fixed | per row | residual (RMS / worst) | projected at 1,000,000 rows | failed at |"
            )?;
            writeln!(md, "|---|---|---|---|---|---|---|---|---|")?;
            let mut sorted = mine.clone();
            sorted.sort_by(|a, b| {
                (a.family, a.key.precompiles, a.at(PROJECT_TO_ROWS))
                    .partial_cmp(&(b.family, b.key.precompiles, b.at(PROJECT_TO_ROWS)))
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            for f in &sorted {
                let residual = match (f.rms, f.worst_relative) {
                    (Some(r), Some(w)) => format!("{} / {:.0} %", seconds(r), w * 100.0),
                    _ => "– (2 sizes)".into(),
                };
                let failed = if f.failed.is_empty() {
                    "–".to_string()
                } else {
                    f.failed.iter().map(|(rows, tag)| format!("{rows} ({tag})")).collect::<Vec<_>>().join(", ")
                };
                writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {:.2} ms | {residual} | {} | {failed} |",
                    f.family,
                    f.name(),
                    if f.zk { "yes" } else { "no" },
                    rows_list(&f.sizes),
                    seconds(f.fixed),
                    f.per_row * 1e3,
                    seconds(f.at(PROJECT_TO_ROWS)),
                )?;
            }
            let crossings: Vec<String> = crossings(&sorted)
                .into_iter()
                .map(|c| {
                    format!(
                        "{} ({}) proves faster than {} from ≈{} rows on",
                        c.faster.name(),
                        c.faster.family,
                        c.slower.name(),
                        crate::report::text::thousands(c.rows.round() as u32)
                    )
                })
                .collect();
            writeln!(md)?;
            if !crossings.is_empty() {
                writeln!(md, "Crossovers of the fits (accelerator on, within a proof family): {}.\n", crossings.join("; "))?;
            }
            let name = format!("scaling-{model}{}", if multi_host { format!("-H{}", host + 1) } else { String::new() });
            let series: Vec<FitLine> = sorted
                .iter()
                .map(|f| {
                    let mut s = Series::new(format!("{} ({})", f.name(), f.family), &f.key.zkvm, f.key.precompiles, f.family, f.key.host);
                    s.points = f.points.iter().map(|&(x, y)| Point { x, y, lo: y, hi: y }).collect();
                    let largest = f.sizes.last().copied().unwrap_or(0);
                    let ends = f.failed.iter().find(|(rows, _)| *rows > largest).map(|&(rows, tag)| (rows as f64, tag));
                    FitLine { series: s, fixed: f.fixed, per_row: f.per_row, ends }
                })
                .collect();
            // One machine already; a crowded chart is cut further (by family, then setting).
            let title = format!("Time to a proof: measured (markers) and fitted (lines) — {model}{suffix}");
            plots::draw_split(&mut md, series, false, &name, &title, "\n", |name, title, lines| {
                plots::fit_chart(plots_dir, name, title, "s", lines, PROJECT_TO_ROWS)
            })?;
        }
    }
    Ok(md)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_and_crossovers() {
        let (a, b) = linear_fit(&[(100.0, 12.0), (1000.0, 102.0), (10_000.0, 1002.0)]).unwrap();
        assert!((a - 2.0).abs() < 1e-9 && (b - 0.1).abs() < 1e-12, "{a} {b}");
        assert!(linear_fit(&[(100.0, 1.0), (100.0, 2.0)]).is_none(), "one size cannot be fitted");
        // EZKL: 2 s + 0.1 s/row; zkVM: 50 s + 0.02 s/row -> equal at 600 rows.
        assert!((crossover((2.0, 0.1), (50.0, 0.02)).unwrap() - 600.0).abs() < 1e-9);
        assert_eq!(crossover((2.0, 0.01), (50.0, 0.02)), None, "a steeper zkVM never overtakes");
        assert_eq!(crossover((60.0, 0.1), (50.0, 0.02)), None, "already ahead at 0 rows: no crossing at positive rows");
    }
}

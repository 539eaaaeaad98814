//! How long a sweep will take, before it runs: every planned run's expected prove + verify
//! time from earlier run records (the same configuration measured at that size, else the
//! system's fit over the sizes one machine measured it at, else scaled from the measured size
//! nearest the planned one), and the total — with
//! [`crate::run::bench::BenchConfig::single_rep_above_s`] applied, so that a configuration expected
//! to exceed it is counted once.

use crate::records::data::{Data, GroupKey};
use crate::records::{RunKey, RunRecord};
use crate::stats::{linear_fit, stats};
use std::collections::{BTreeMap, BTreeSet};

/// Where an estimate comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// The median of this many runs of the same configuration and size.
    Measured(usize),
    /// The system's fit over these sizes.
    Fit(Vec<u32>),
    /// Proportional to the rows from the measured size nearest the planned one (by ratio).
    Scaled(u32),
    /// No record of this system, or it failed at this size before (`OOM`, `timeout`, `failed`).
    Unknown(Option<&'static str>),
}

impl std::fmt::Display for Basis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Basis::Measured(n) => write!(f, "measured (n = {n})"),
            Basis::Fit(sizes) => write!(f, "fit over {}", sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
            Basis::Scaled(rows) => write!(f, "scaled from {rows} rows"),
            Basis::Unknown(Some(tag)) => write!(f, "unknown: {tag} before at this size"),
            Basis::Unknown(None) => write!(f, "unknown: never measured"),
        }
    }
}

/// One configuration of the plan (its repetitions together).
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub basis: Basis,
    /// Expected seconds of one repetition (prove process + verify process).
    pub seconds: Option<f64>,
    /// Repetitions planned and repetitions counted (fewer when one is expected to exceed the
    /// single-repetition threshold).
    pub reps: u32,
    pub counted: u32,
}

#[derive(Debug, Clone)]
pub struct Estimate {
    pub lines: Vec<Line>,
    pub total_s: f64,
    pub unknown: usize,
}

fn wall(r: &RunRecord) -> Option<f64> {
    r.metrics.as_ref().map(|m| m.prove_wall_s + m.verify_wall_s.unwrap_or(0.0))
}

/// Estimates the planned runs `plan` (one key per repetition) from `data` (earlier records, of
/// any machine: the first that measured a configuration is used), counting a configuration once
/// where one repetition is expected to take over `single_rep_above_s`.
pub fn estimate(plan: &[&RunKey], single_rep_above_s: Option<u64>, data: &Data) -> Estimate {
    let groups = data.groups();
    let tags = data.failure_tags();
    // One line per configuration, in plan order.
    let mut order: Vec<(String, &RunKey)> = Vec::new();
    let mut reps: BTreeMap<String, u32> = BTreeMap::new();
    for &k in plan {
        let label = k.config_label();
        if !reps.contains_key(&label) {
            order.push((label.clone(), k));
        }
        *reps.entry(label).or_insert(0) += 1;
    }
    let mut lines = Vec::new();
    for (label, k) in order {
        let hosts = 0..data.hosts.len().max(1);
        // Best basis first, over every machine in the records: the configuration measured at
        // this size anywhere, else its failure there, else a fit, else scaling, each from the
        // first machine that has one (a fit on one machine never hides a measurement on another).
        let measured = hosts.clone().find_map(|host| {
            let runs = groups.get(&GroupKey::of(host, k))?;
            let v: Vec<f64> = runs.iter().filter_map(|r| wall(r)).collect();
            stats(&v).map(|s| (Basis::Measured(v.len()), Some(s.median)))
        });
        let failed = || hosts.clone().find_map(|host| tags.get(&GroupKey::of(host, k)).map(|tag| (Basis::Unknown(Some(*tag)), None)));
        // The same system at other sizes on one machine.
        let points_on = |host: usize| -> Vec<(f64, f64)> {
            let system = GroupKey::of(host, k).system();
            groups
                .iter()
                .filter(|(g, _)| g.system() == system)
                .flat_map(|(g, runs)| runs.iter().filter_map(|r| wall(r)).map(|w| (g.rows as f64, w)))
                .collect()
        };
        // Fitted where one machine measured two sizes or more.
        let fitted = || {
            hosts.clone().find_map(|host| {
                let points = points_on(host);
                let (fixed, per_row) = linear_fit(&points)?;
                let sizes: BTreeSet<u32> = points.iter().map(|p| p.0 as u32).collect();
                Some((Basis::Fit(sizes.into_iter().collect()), Some((fixed + per_row * k.rows as f64).max(0.0))))
            })
        };
        // Else proportional to the rows from the measured size nearest the planned one (by
        // ratio, over every machine): scaling 100 rows to 10,000 multiplies a fixed cost a
        // hundredfold, scaling 1,000 multiplies it only tenfold.
        let scaled = || {
            let distance = |size: u32| (k.rows.max(1) as f64 / size.max(1) as f64).ln().abs();
            groups
                .iter()
                .filter(|(g, _)| g.system() == GroupKey::of(g.host, k).system())
                .filter_map(|(g, runs)| stats(&runs.iter().filter_map(|r| wall(r)).collect::<Vec<_>>()).map(|s| (g.rows, s.median)))
                .min_by(|a, b| distance(a.0).total_cmp(&distance(b.0)))
                .map(|(size, median)| (Basis::Scaled(size), Some(median * k.rows as f64 / size as f64)))
        };
        let (basis, seconds) = measured.or_else(failed).or_else(fitted).or_else(scaled).unwrap_or((Basis::Unknown(None), None));
        let planned = reps[&label];
        let counted = match (seconds, single_rep_above_s) {
            (Some(s), Some(limit)) if s > limit as f64 => planned.min(1),
            _ => planned,
        };
        lines.push(Line { label, basis, seconds, reps: planned, counted });
    }
    let total_s = lines.iter().filter_map(|l| l.seconds.map(|s| s * l.counted as f64)).sum();
    let unknown = lines.iter().filter(|l| l.seconds.is_none()).count();
    Estimate { lines, total_s, unknown }
}

impl Estimate {
    /// A table for the terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let width = self.lines.iter().map(|l| l.label.chars().count()).max().unwrap_or(0);
        for l in &self.lines {
            let each = l.seconds.map(|s| format!("{:>8.0} s", s)).unwrap_or_else(|| "       ? s".into());
            let reps = if l.counted < l.reps { format!("x{} (1: over the single-rep limit)", l.reps) } else { format!("x{}", l.reps) };
            out.push_str(&format!("{:<width$}  {each} {reps:<34} {}\n", l.label, l.basis));
        }
        out.push_str(&format!(
            "estimated total: {:.1} h of proving and verifying{}\n",
            self.total_s / 3600.0,
            if self.unknown > 0 { format!(", plus {} configuration(s) with no estimate", self.unknown) } else { String::new() }
        ));
        out
    }
}

//! The answer at the top of a report, computed from the run records: for each model, proof
//! family and test-set size, who proves fastest, verifies fastest, makes the smallest proof and
//! needs the least memory — each with its ratio to the runner-up — and whether the winner's
//! proof hides the private rows (zero-knowledge), beside the fastest prover that does.
//!
//! zkVMs are compared within a proof family only (segmented with segmented, aggregated with
//! aggregated), with the SHA-256 accelerator on where a backend has one.

use crate::report::{mode_info, Data, GroupKey, Stats, METRICS};
use crate::results::RunRecord;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use zkml_protocol::{Precompiles, ProofFamily};

/// One contender: a backend and mode on one configuration, with its medians.
struct Entry<'a> {
    key: &'a GroupKey,
    zk: bool,
    stats: Vec<Option<Stats>>,
}

/// Metrics the verdict ranks (indices into [`METRICS`]), lower is better for each.
const RANKED: [(usize, &str); 4] = [(0, "fastest to prove"), (2, "fastest to verify"), (3, "smallest proof"), (4, "least memory")];

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

fn name(e: &Entry<'_>) -> String {
    format!("{} {}{}", e.key.zkvm, e.key.mode, if e.zk { " (ZK)" } else { "" })
}

/// The best entry by metric `m` and the runner-up ratio, as a table cell.
fn winner(entries: &[Entry<'_>], m: usize) -> String {
    let mut ranked: Vec<(&Entry<'_>, f64)> = entries.iter().filter_map(|e| e.stats[m].map(|s| (e, s.median))).collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    match ranked.as_slice() {
        [] => "–".into(),
        [(e, v)] => format!("{} {} (only one measured)", name(e), fmt_value(*v, METRICS[m].unit)),
        [(e, v), (r, rv), ..] => format!(
            "**{}** {} — {:.1}× ahead of {}",
            name(e),
            fmt_value(*v, METRICS[m].unit),
            if *v > 0.0 { rv / v } else { f64::INFINITY },
            r.key.zkvm
        ),
    }
}

/// The verdict section's markdown; empty when no real proofs were measured.
pub fn verdict_markdown(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>) -> String {
    // (host, model, family, rows) -> contenders.
    let mut cells: BTreeMap<(usize, String, ProofFamily, u32), Vec<Entry<'_>>> = BTreeMap::new();
    for (k, runs) in groups {
        if k.zkvm == "native" || !runs.iter().all(|r| r.real_proof) {
            continue;
        }
        let (family, zk) = mode_info(data, &k.zkvm, &k.mode);
        // Precompiles on where the backend ran it; off only for a backend measured without.
        let has_on = groups.contains_key(&GroupKey { precompiles: Precompiles::On, ..k.clone() });
        if k.precompiles == Precompiles::Off && has_on {
            continue;
        }
        let stats = METRICS.iter().map(|m| data.metric_stats(runs, k.rows, m)).collect();
        cells.entry((k.host, k.model.clone(), family, k.rows)).or_default().push(Entry { key: k, zk, stats });
    }
    if cells.is_empty() {
        return String::new();
    }
    let multi_host = data.hosts.len() > 1;
    let mut md = String::new();
    let _ = writeln!(md, "## Verdict\n");
    let _ = writeln!(
        md,
        "Computed from the records below: medians over repetitions, SHA-256 accelerator on where a backend has one, \
         zkVMs compared within a proof family only. \"ZK\" marks a proof that claims to hide the private rows \
         (zero-knowledge; sources in the Backends table); the last column names the fastest prover whose proof does.\n"
    );
    let _ = writeln!(
        md,
        "| {}model | family | rows | {} | fastest zero-knowledge prover |",
        if multi_host { "host | " } else { "" },
        RANKED.iter().map(|(_, t)| *t).collect::<Vec<_>>().join(" | ")
    );
    let _ = writeln!(md, "|{}---|---|---|{}---|", if multi_host { "---|" } else { "" }, "---|".repeat(RANKED.len()));
    for ((host, model, family, rows), entries) in &cells {
        let zk: Vec<Entry<'_>> = entries.iter().filter(|e| e.zk).map(|e| Entry { key: e.key, zk: true, stats: e.stats.clone() }).collect();
        let zk_cell = if zk.is_empty() { "none measured: no proof here hides the rows".to_string() } else { winner(&zk, 0) };
        let _ = writeln!(
            md,
            "| {}{model} | {family} | {rows} | {} | {zk_cell} |",
            if multi_host { format!("H{} | ", host + 1) } else { String::new() },
            RANKED.iter().map(|(m, _)| winner(entries, *m)).collect::<Vec<_>>().join(" | ")
        );
    }
    let _ = writeln!(md);
    md
}

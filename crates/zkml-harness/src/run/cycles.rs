//! The cycle profile: executes each zkVM's guest on the workload's inputs (no proving) and
//! reports user cycles per private test row, held against the targets of
//! `docs/cycle-budget.md`. The per-row figure is the marginal cost between the smallest and
//! the largest size, so that the fixed part (reading the model, hashing it, finishing the
//! metrics) does not flatter small inputs.

use crate::budget::target_per_row;
use crate::run::bench::targets;
use crate::run::config::BenchConfig;
use crate::run::workload::prepare_workload;
use serde::{Deserialize, Serialize};
use std::path::Path;
use zkml_protocol::Precompiles;

/// One guest execution.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CycleRecord {
    pub zkvm: String,
    pub isa: String,
    pub model: String,
    pub precompiles: Precompiles,
    pub rows: u32,
    /// User cycles where the backend separates them (RISC Zero), else its total.
    pub cycles: u64,
}

/// Executes every (zkVM, model, size, precompiles) of `config` once. `progress` gets a line per
/// execution; a backend that cannot run or fails is reported there and skipped.
pub fn measure(config: &BenchConfig, dir: &Path, self_exe: &Path, mut progress: impl FnMut(&str)) -> anyhow::Result<Vec<CycleRecord>> {
    let inputs = prepare_workload(config, dir)?;
    let (backends, entries) = targets(config, self_exe, true);
    for (name, e) in entries.iter().filter(|(_, e)| !e.available) {
        progress(&format!("{name}: unavailable: {}", e.reason.as_deref().unwrap_or("?")));
    }
    let mut out = Vec::new();
    for t in backends.iter().filter(|t| t.info.produces_proofs) {
        for input in &inputs {
            for &p in config.precompiles.iter().filter(|p| t.info.precompiles.contains(p)) {
                match t.driver.execute(&input.path, p) {
                    Ok(report) => {
                        let cycles = report.cycles.as_ref().map(|c| c.user.unwrap_or(c.total));
                        let Some(cycles) = cycles else {
                            progress(&format!("{}: reports no cycles", t.name));
                            continue;
                        };
                        progress(&format!("{} {} {} rows, precompiles {p}: {cycles} cycles", t.name, input.model, input.rows));
                        out.push(CycleRecord {
                            zkvm: t.name.clone(),
                            isa: t.info.isa.clone(),
                            model: input.model.clone(),
                            precompiles: p,
                            rows: input.rows,
                            cycles,
                        });
                    }
                    Err(e) => progress(&format!("{} {} {} rows, precompiles {p}: failed: {e:#}", t.name, input.model, input.rows)),
                }
            }
        }
    }
    Ok(out)
}

/// Marginal cycles per row between the smallest and the largest size of one configuration;
/// `None` with a single size.
pub fn marginal_per_row(records: &[&CycleRecord]) -> Option<f64> {
    let lo = records.iter().min_by_key(|r| r.rows)?;
    let hi = records.iter().max_by_key(|r| r.rows)?;
    (hi.rows > lo.rows).then(|| (hi.cycles as f64 - lo.cycles as f64) / (hi.rows - lo.rows) as f64)
}

/// The markdown table: one line per (zkVM, model, precompiles), cycles at each size, the
/// marginal cycles per row, and the target where there is one (accelerator on).
pub fn markdown(records: &[CycleRecord]) -> String {
    let mut sizes: Vec<u32> = records.iter().map(|r| r.rows).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut keys: Vec<(String, String, String, Precompiles)> =
        records.iter().map(|r| (r.zkvm.clone(), r.isa.clone(), r.model.clone(), r.precompiles)).collect();
    keys.sort_by(|a, b| (&a.0, &a.2, a.3 != Precompiles::On).cmp(&(&b.0, &b.2, b.3 != Precompiles::On)));
    keys.dedup();
    let mut s = String::from("| zkVM (ISA) | model | SHA-256 |");
    for n in &sizes {
        s += &format!(" cycles, {n} rows |");
    }
    s += " cycles per row (marginal) | target | within |\n|---|---|---|";
    s += &"---:|".repeat(sizes.len() + 2);
    s += "---|\n";
    for (zkvm, isa, model, p) in keys {
        let group: Vec<&CycleRecord> = records.iter().filter(|r| r.zkvm == zkvm && r.model == model && r.precompiles == p).collect();
        let hash = if p == Precompiles::On { "accelerated" } else { "software" };
        s += &format!("| {zkvm} ({isa}) | {model} | {hash} |");
        for n in &sizes {
            match group.iter().find(|r| r.rows == *n) {
                Some(r) => s += &format!(" {} |", r.cycles),
                None => s += " – |",
            }
        }
        let per_row = marginal_per_row(&group);
        let target = target_per_row(&model).filter(|_| p == Precompiles::On);
        s += &match per_row {
            Some(c) => format!(" {c:.1} |"),
            None => " – |".into(),
        };
        s += &match (per_row, target) {
            (Some(c), Some(t)) => format!(" {t} | {} |\n", if c <= t as f64 { "yes" } else { "**no**" }),
            _ => " – | – |\n".into(),
        };
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(zkvm: &str, model: &str, p: Precompiles, rows: u32, cycles: u64) -> CycleRecord {
        CycleRecord { zkvm: zkvm.into(), isa: "RV32IM".into(), model: model.into(), precompiles: p, rows, cycles }
    }

    #[test]
    fn marginal_cost_excludes_the_fixed_part_and_table_judges_the_target() {
        let r = [
            rec("risc0", "ridge", Precompiles::On, 100, 50_000 + 100 * 300),
            rec("risc0", "ridge", Precompiles::On, 1000, 50_000 + 1000 * 300),
            rec("risc0", "poly2", Precompiles::On, 100, 60_000 + 100 * 900),
            rec("risc0", "poly2", Precompiles::On, 1000, 60_000 + 1000 * 900),
            rec("risc0", "ridge", Precompiles::Off, 1000, 2_000_000),
        ];
        let group: Vec<&CycleRecord> = r[..2].iter().collect();
        assert_eq!(marginal_per_row(&group), Some(300.0));
        assert_eq!(marginal_per_row(&group[..1]), None);
        let md = markdown(&r);
        let line = |model: &str, hash: &str| md.lines().find(|l| l.contains(model) && l.contains(hash)).unwrap().to_string();
        assert!(line("ridge", "accelerated").ends_with("| 300.0 | 320 | yes |"), "{md}");
        assert!(line("poly2", "accelerated").ends_with("| 900.0 | 800 | **no** |"), "{md}");
        // software hashing has no target and a missing size is shown as such
        assert!(line("ridge", "software").contains("| – | 2000000 | – | – | – |"), "{md}");
    }
}

//! EZKL beside the zkVMs: the circuit tool a user would pick instead, against the zkVMs'
//! constant-size (aggregated) proofs of the same job, size by size, with the row count from which
//! the zkVM proves faster (measured, and from a fixed + per-row fit of each system).
//!
//! Time to a proof is the prove process's wall time as the harness measures it: for EZKL it
//! includes the circuit's settings, compilation and key generation, which a new test-set size
//! always needs (one circuit per size); for a zkVM its program set-up (key generation), which
//! does not depend on the rows. Backend-reported setup and proving times are shown apart.

use crate::catalogue::Backend;
use crate::records::data::{mode_info, Data, GroupKey};
use crate::records::{RunMetrics, RunRecord};
use crate::stats::{crossover, linear_fit, stats, Stats};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use zkml_protocol::{Precompiles, ProofFamily};

const EZKL: &str = Backend::Ezkl.name();

fn med(runs: &[&RunRecord], get: impl Fn(&RunMetrics) -> Option<f64>) -> Option<Stats> {
    let v: Vec<f64> = runs.iter().filter_map(|r| r.metrics.as_ref().and_then(&get)).collect();
    stats(&v)
}

/// The proving key's size on disk in GiB, from the EZKL backend's note ("proving key 314.1 MiB on disk").
fn proving_key_gib(m: &RunMetrics) -> Option<f64> {
    m.notes.iter().find_map(|n| {
        let rest = &n[n.find("proving key ")? + "proving key ".len()..];
        let mib: f64 = rest.split(' ').next()?.parse().ok()?;
        rest[rest.find(' ')?..].trim_start().starts_with("MiB").then_some(mib / 1024.0)
    })
}

/// A failure's reason for a table cell: without the protocol's prefixes, no pipes, at most about
/// 120 characters cut at a word.
fn short_reason(status: &str) -> String {
    let mut r = status.replace('|', "/");
    for prefix in ["prove failed (exit 1): ", "ezkl backend: "] {
        r = r.replace(prefix, "");
    }
    if r.chars().count() <= 120 {
        return r;
    }
    let cut: String = r.chars().take(120).collect();
    format!("{}…", cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut))
}

fn cell(s: Option<Stats>, digits: usize) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.n > 1 && s.max > s.min => format!("{:.*} ({:.*}–{:.*})", digits, s.median, digits, s.min, digits, s.max),
        Some(s) => format!("{:.*}", digits, s.median),
    }
}

/// The section's markdown; empty when no EZKL run is in the records.
pub fn versus_markdown(data: &Data, groups: &BTreeMap<GroupKey, Vec<&RunRecord>>) -> String {
    let ezkl_records: Vec<&(usize, RunRecord)> = data.records.iter().filter(|(_, r)| r.key.zkvm == EZKL).collect();
    if ezkl_records.is_empty() {
        return String::new();
    }
    let mut md = String::new();
    let _ = writeln!(md, "## EZKL beside the zkVMs\n");
    let _ = writeln!(
        md,
        "EZKL (halo2/KZG circuit compiled from ONNX; a constant-size SNARK) against the fastest zkVM with a constant-size \
         proof (aggregated family, SHA-256 accelerator on) at each size. *Time to a proof* is the prove process's wall time \
         measured by the harness: EZKL's includes settings, compilation and key generation, which every new test-set size \
         needs (one circuit per size; its SRS, generated once per circuit size, is not included); a zkVM's includes its \
         program set-up, which does not depend on the rows. EZKL's claim is its own quantisation: the last column gives \
         its R² difference from the native claim against the tolerance derived in `crates/zkml-protocol/src/own_quantisation.rs`.\n"
    );
    let hosts: BTreeSet<usize> = ezkl_records.iter().map(|(h, _)| *h).collect();
    let models: BTreeSet<String> = ezkl_records.iter().map(|(_, r)| r.key.model.clone()).collect();
    for &host in &hosts {
        for model in &models {
            let ezkl_mode = if ezkl_records.iter().any(|(h, r)| *h == host && &r.key.model == model && r.key.mode == "hashed") {
                "hashed"
            } else {
                "private"
            };
            let sizes: BTreeSet<u32> = ezkl_records
                .iter()
                .filter(|(h, r)| *h == host && &r.key.model == model && r.key.mode == ezkl_mode)
                .map(|(_, r)| r.key.rows)
                .collect();
            let zkvm_groups: Vec<(&GroupKey, &Vec<&RunRecord>)> = groups
                .iter()
                .filter(|(k, runs)| {
                    k.host == host
                        && &k.model == model
                        && k.zkvm != EZKL
                        && k.precompiles == Precompiles::On
                        && runs.iter().all(|r| r.real_proof)
                        && mode_info(data, &k.zkvm, &k.mode).0 == ProofFamily::Aggregated
                })
                .collect();
            let _ = writeln!(md, "### {model}{}\n", if hosts.len() > 1 { format!(" (H{})", host + 1) } else { String::new() });
            let _ = writeln!(
                md,
                "| rows | EZKL ({ezkl_mode}) time to a proof (s) | EZKL setup / prove (s) | EZKL verify (s) | EZKL proof (KiB) | \
                 EZKL peak (GiB) | EZKL proving key (GiB) | fastest aggregated zkVM | its time to a proof (s) | its verify (s) | its proof (KiB) | its \
                 peak (GiB) | faster to a proof | EZKL R² vs native |"
            );
            let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            let mut ezkl_points = Vec::new();
            let mut zkvm_points: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
            for (k, runs) in &zkvm_groups {
                for r in runs.iter() {
                    let wall = r.metrics.as_ref().map(|m| m.prove_wall_s).unwrap_or(0.0);
                    zkvm_points.entry(format!("{} {}", k.zkvm, k.mode)).or_default().push((k.rows as f64, wall));
                }
            }
            let mut first_zkvm_win: Option<u32> = None;
            let mut ezkl_wins_after = false;
            for &rows in &sizes {
                let key =
                    GroupKey { host, model: model.clone(), zkvm: EZKL.into(), precompiles: Precompiles::On, mode: ezkl_mode.into(), rows };
                let ezkl_runs = groups.get(&key).cloned().unwrap_or_default();
                let e_wall = med(&ezkl_runs, |m| Some(m.prove_wall_s));
                for r in &ezkl_runs {
                    ezkl_points.push((rows as f64, r.metrics.as_ref().map(|m| m.prove_wall_s).unwrap_or(0.0)));
                }
                let ezkl_cells = if ezkl_runs.is_empty() {
                    let why = ezkl_records
                        .iter()
                        .find(|(h, r)| *h == host && &r.key.model == model && r.key.mode == ezkl_mode && r.key.rows == rows)
                        .map(|(_, r)| r.status.short())
                        .unwrap_or_default();
                    let why = short_reason(&why);
                    format!("**{why}** | – | – | – | – | –")
                } else {
                    format!(
                        "{} | {} / {} | {} | {} | {} | {}",
                        cell(e_wall, 1),
                        cell(med(&ezkl_runs, |m| m.phases.setup_s), 1),
                        cell(med(&ezkl_runs, |m| m.phases.prove_s), 1),
                        cell(med(&ezkl_runs, |m| m.phases.verify_s), 3),
                        cell(med(&ezkl_runs, |m| Some(m.proof_bytes as f64 / 1024.0)), 1),
                        cell(med(&ezkl_runs, |m| Some(zkml_protocol::memory_guard::gib(m.prove_peak_rss_bytes))), 2),
                        cell(med(&ezkl_runs, proving_key_gib), 2),
                    )
                };
                // The fastest aggregated zkVM at this size.
                let best = zkvm_groups
                    .iter()
                    .filter(|(k, _)| k.rows == rows)
                    .filter_map(|(k, runs)| med(runs, |m| Some(m.prove_wall_s)).map(|s| (k, runs, s)))
                    .min_by(|a, b| a.2.median.total_cmp(&b.2.median));
                let (zkvm_cells, verdict) = match best {
                    None => ("none measured | – | – | – | –".to_string(), "–".to_string()),
                    Some((k, runs, wall)) => {
                        let verdict = match e_wall {
                            Some(e) if e.median <= wall.median => {
                                if first_zkvm_win.is_some() {
                                    ezkl_wins_after = true;
                                }
                                format!("EZKL, {:.1}×", wall.median / e.median)
                            }
                            Some(e) => {
                                first_zkvm_win.get_or_insert(rows);
                                format!("{}, {:.1}×", k.zkvm, e.median / wall.median)
                            }
                            None => {
                                first_zkvm_win.get_or_insert(rows);
                                format!("{} (EZKL did not finish)", k.zkvm)
                            }
                        };
                        (
                            format!(
                                "{} {} | {} | {} | {} | {}",
                                k.zkvm,
                                k.mode,
                                cell(Some(wall), 1),
                                cell(med(runs, |m| m.phases.verify_s), 3),
                                cell(med(runs, |m| Some(m.proof_bytes as f64 / 1024.0)), 1),
                                cell(med(runs, |m| Some(zkml_protocol::memory_guard::gib(m.prove_peak_rss_bytes))), 2),
                            ),
                            verdict,
                        )
                    }
                };
                let agreement = ezkl_runs
                    .iter()
                    .filter_map(|r| r.metrics.as_ref().and_then(|m| m.agreement.as_ref()))
                    .map(|a| ((a.r2_backend - a.r2_native).abs(), a.r2_tolerance))
                    .fold(None, |acc: Option<(f64, f64)>, (d, t)| Some(acc.map_or((d, t), |(ad, at)| (ad.max(d), at.min(t)))));
                let agreement = agreement.map(|(d, t)| format!("Δ {d:.1e} ≤ {t:.1e}")).unwrap_or_else(|| "–".into());
                let _ = writeln!(md, "| {rows} | {ezkl_cells} | {zkvm_cells} | {verdict} | {agreement} |");
            }
            let _ = writeln!(md);
            // The answer: from which size on the zkVM is faster.
            match first_zkvm_win {
                Some(rows) if !ezkl_wins_after => {
                    let _ = writeln!(md, "**{model}: from {rows} rows on (of the sizes measured) a zkVM is faster to a proof than EZKL.**");
                }
                Some(_) => {
                    let _ =
                        writeln!(md, "**{model}: neither system is faster at every size above some row count (the lead changes back).**");
                }
                None if !sizes.is_empty() => {
                    let _ = writeln!(md, "**{model}: EZKL is faster to a proof at every size measured.**");
                }
                None => {}
            }
            if let Some(e_fit) = linear_fit(&ezkl_points) {
                let _ =
                    write!(md, "\nFits of time to a proof = fixed + per-row × rows: EZKL {:.1} s + {:.2} ms/row", e_fit.0, e_fit.1 * 1e3);
                for (name, pts) in &zkvm_points {
                    if let Some(z_fit) = linear_fit(pts) {
                        let _ = write!(md, "; {name} {:.1} s + {:.2} ms/row", z_fit.0, z_fit.1 * 1e3);
                        if let Some(x) = crossover(e_fit, z_fit) {
                            let _ = write!(md, " (crosses EZKL at ≈{x:.0} rows)");
                        }
                    }
                }
                let _ = writeln!(md, " (fits over the sizes EZKL completed; a size EZKL could not prove is not in its fit).");
            }
            let _ = writeln!(md);
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_reasons_fit_a_cell() {
        let long =
            format!("failed: prove failed (exit 1): out of memory: the EZKL prover's resident set | {}", "reached a lot ".repeat(20));
        let r = short_reason(&long);
        assert!(r.starts_with("failed: out of memory: the EZKL prover's") && !r.contains('|') && r.ends_with('…'), "{r}");
        assert!(r.chars().count() <= 121);
        assert_eq!(short_reason("timeout after 60s"), "timeout after 60s");
    }
}

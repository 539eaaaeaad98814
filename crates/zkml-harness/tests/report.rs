//! Every table cell and plot of the report comes from the results file.

use std::path::Path;
use zkml_harness::records::data::{Data, METRICS};
use zkml_harness::records::host::HostInfo;
use zkml_harness::records::{append, BackendSummary, RunKey, RunMetrics, RunRecord, RunStatus, SCHEMA_VERSION};
use zkml_harness::report::write_report;
use zkml_harness::stats::stats;
use zkml_protocol::{Cycles, Phases, Precompiles, ProofFamily};

fn host() -> HostInfo {
    HostInfo {
        hostname: "h".into(),
        cpu_model: "Test CPU".into(),
        logical_cores: 2,
        physical_cores: Some(2),
        arch: "x86_64".into(),
        ram_bytes: 24 << 30,
        os: "Linux".into(),
        kernel: "6".into(),
        gpus: vec![],
    }
}

fn record(zkvm: &str, p: Precompiles, rows: u32, rep: u32, wall: f64, prove: f64, cycles: u64) -> RunRecord {
    RunRecord {
        schema: SCHEMA_VERSION,
        run_id: format!("{zkvm}-{rows}-{rep}-{p}"),
        key: RunKey { zkvm: zkvm.into(), model: "ridge".into(), rows, precompiles: p, mode: "m".into(), repetition: rep, chunk_rows: None },
        workload_id: "w".into(),
        started_unix: 0,
        git_revision: Some("abc".into()),
        host: host(),
        backend: BackendSummary { name: zkvm.into(), sdk: "s".into(), isa: "rv32im".into(), proof_system: "stark".into() },
        real_proof: zkvm != "native",
        repetition_policy: "test".into(),
        repetitions: 3,
        status: RunStatus::Ok,
        metrics: Some(RunMetrics {
            cycles: (cycles > 0).then(|| Cycles { total: cycles, ..Default::default() }),
            phases: Phases { prove_s: Some(prove), verify_s: Some(0.05), ..Default::default() },
            prove_wall_s: wall,
            prove_peak_rss_bytes: 100 << 20,
            prove_cpu_s: wall,
            verify_wall_s: Some(0.1),
            verify_peak_rss_bytes: Some(10 << 20),
            proof_bytes: 256 * 1024,
            khz: (cycles > 0).then(|| cycles as f64 / prove / 1e3),
            r2: 0.66,
            mse: 1.0,
            model_hash: "m".into(),
            data_commitment: "d".into(),
            notes: vec![],
            agreement: None,
            chunked: None,
        }),
        log: None,
        sitting: None,
    }
}

#[test]
fn tables_and_plots_are_computed_from_the_records() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("results");
    for rep in 1..=3 {
        let r = rep as f64;
        append(&dir, &record("native", Precompiles::Off, 100, rep, 0.01, 0.001, 0)).unwrap();
        append(&dir, &record("native", Precompiles::Off, 1000, rep, 0.02, 0.002, 0)).unwrap();
        // zkvm, precompiles on: prove 1, 2, 3 s -> median 2 (1-3); wall 10 s
        append(&dir, &record("zk", Precompiles::On, 100, rep, 10.0, r, 100_000)).unwrap();
        append(&dir, &record("zk", Precompiles::Off, 100, rep, 14.0, 2.0 * r, 300_000)).unwrap();
        append(&dir, &record("zk", Precompiles::On, 1000, rep, 40.0, 10.0 * r, 1_000_000)).unwrap();
    }
    let mut failed = record("zk", Precompiles::Off, 1000, 1, 0.0, 1.0, 0);
    failed.status = RunStatus::failed("prove was killed by signal 9 (SIGKILL: out of memory?)");
    failed.metrics = None;
    append(&dir, &failed).unwrap();
    // A torn last line (a crash mid-write) is skipped and reported, not fatal.
    std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("runs.jsonl"))
        .map(|mut f| std::io::Write::write_all(&mut f, b"{\"schema\":1,\"run"))
        .unwrap()
        .unwrap();

    let data = Data::load(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(data.records.len(), 16);
    assert_eq!(data.skipped_lines.len(), 1);
    let out = tmp.path().join("report");
    let md = std::fs::read_to_string(write_report(&data, &out).unwrap()).unwrap();
    // prove time median (min-max), cycles per row, kHz (cycles / prove s), overhead vs native wall.
    let row = md.lines().find(|l| l.starts_with("| H1 | none | zk | on | m | 100 |")).expect("row for zk on 100");
    assert!(row.contains("| 3 | 2.00 (1.00–3.00) | 10.00 |"), "{row}");
    assert!(row.contains("| 1000 |"), "cycles per row 100000/100: {row}");
    assert!(row.contains("| 50.00 (33.33–100) |"), "kHz: {row}");
    assert!(row.ends_with("| 1000× |"), "10 s / 0.01 s: {row}");
    let off = md.lines().find(|l| l.starts_with("| H1 | none | zk | off | m | 100 |")).unwrap();
    assert!(off.contains("4.00 (2.00–6.00)") && off.contains("| 3000 |") && off.contains("1400×"), "{off}");
    assert!(md.contains("signal 9") && md.contains("unreadable record"), "{md}");
    // Every plot of every metric, plus overhead and precompile speedup, in both formats.
    let mut ids: Vec<String> = METRICS.iter().map(|m| m.id.to_string()).collect();
    ids.extend(["overhead".to_string(), "precompile-speedup".to_string()]);
    for id in ids {
        for ext in ["png", "svg"] {
            let p = out.join(format!("plots/{id}-ridge.{ext}"));
            assert!(std::fs::metadata(&p).map(|m| m.len() > 1000).unwrap_or(false), "{}", p.display());
            if ext == "png" {
                assert!(md.contains(&format!("plots/{id}-ridge.png")), "{id} not in the report");
            }
        }
    }
    // The speedup plot has the one series the records allow (zk has both on and off only at
    // 100 rows), and the prove-time plot one legend entry per (backend, precompiles).
    let svg = std::fs::read_to_string(out.join("plots/precompile-speedup-ridge.svg")).unwrap();
    assert_eq!(svg.matches("\nzk\n</text>").count(), 1, "speedup series legend");
    let svg = std::fs::read_to_string(out.join("plots/prove_time-ridge.svg")).unwrap();
    for label in ["zk", "zk, precompiles off"] {
        assert_eq!(svg.matches(&format!("\n{label}\n</text>")).count(), 1, "{label}");
    }
    // The baseline's microseconds stay off the time axes (they are in the tables).
    assert!(!svg.contains("\nnative"), "native drawn on a time axis");
    // The legend draws the series' own line: precompiles off is dashed there too.
    assert!(svg.matches("stroke-dasharray").count() == 0 || svg.contains("<polyline"), "svg has lines");
    // Grouped bars of proving and verification time per system and size, medians written on them.
    for what in ["prove", "verify"] {
        let svg = std::fs::read_to_string(out.join(format!("plots/bars-{what}-ridge-none.svg"))).unwrap();
        assert!(md.contains(&format!("plots/bars-{what}-ridge-none.png")));
        assert!(svg.contains("\nzk m\n</text>") && svg.contains("\n100\n</text>") && svg.contains("\n1000\n</text>"), "{what}");
    }
    let bars = std::fs::read_to_string(out.join("plots/bars-prove-ridge-none.svg")).unwrap();
    assert!(bars.contains("\n10\n</text>") && bars.contains("\n40\n</text>"), "medians 10 s and 40 s (time to a proof) on the bars");
    // The verdict is computed: one contender per cell here, so no ratio is invented.
    let verdict = md.split("## Verdict").nth(1).expect("verdict section").split("## Machines").next().unwrap();
    assert!(verdict.contains("| ridge | none | 100 | zk m [10.0 s](#results-ridge) (only one measured)"), "{verdict}");
    assert!(md.contains("<a id=\"results-ridge\"></a>"), "the verdict's links land on the model's table");
    assert!(verdict.contains("none measured: no proof here hides the rows"), "{verdict}");
    // Result directories are named relative to the report, never by absolute path.
    assert!(md.contains("from `../results`"), "{}", md.lines().nth(2).unwrap());
    assert!(!md.contains(&tmp.path().display().to_string()));
    let svg = std::fs::read_to_string(out.join("plots/cycles_per_row-ridge.svg")).unwrap();
    assert!(!svg.contains("\nnative\n</text>"), "native has no cycles: no series");
}

#[test]
fn stats_are_median_min_max() {
    let s = stats(&[3.0, 1.0, 2.0]).unwrap();
    assert_eq!((s.median, s.min, s.max, s.n), (2.0, 1.0, 3.0, 3));
    let s = stats(&[4.0, 1.0, 2.0, 3.0]).unwrap();
    assert_eq!(s.median, 2.5);
    assert!(stats(&[]).is_none());
}

/// A backend's info with one proof mode, for `backends.json`.
fn info(name: &str, mode: &str, family: ProofFamily) -> zkml_harness::records::BackendEntry {
    zkml_harness::records::BackendEntry {
        available: true,
        reason: None,
        info: Some(zkml_protocol::BackendInfo {
            protocol_version: 1,
            name: name.into(),
            sdk: "s".into(),
            isa: "i".into(),
            proof_system: "p".into(),
            produces_proofs: true,
            zero_knowledge: "yes".into(),
            security_bits: None,
            proof_modes: vec![zkml_protocol::ProofMode::new(mode, family, true)],
            precompiles: vec![Precompiles::On],
            gpu: false,
            notes: vec![],
            own_quantisation: None,
            programs: Vec::new(),
        }),
        guest_loc: None,
        build_s: None,
    }
}

/// `r` in proof mode `mode`.
fn moded(mut r: RunRecord, mode: &str) -> RunRecord {
    r.key.mode = mode.into();
    r
}

/// A run of `zkvm` in proof mode `mode` with its accelerator, 1,000 cycles, one repetition.
fn run(zkvm: &str, mode: &str, rows: u32, wall: f64, prove: f64) -> RunRecord {
    moded(record(zkvm, Precompiles::On, rows, 1, wall, prove, 1000), mode)
}

/// `r` as a run that failed for `reason`: no metrics.
fn failed(mut r: RunRecord, reason: &str) -> RunRecord {
    r.status = RunStatus::failed(reason);
    r.metrics = None;
    r
}

/// The report of `runs` by the systems `(name, proof mode, family)` described in
/// `backends.json`, both written under `tmp` (`results/`, `report/`): its markdown.
fn report_of(tmp: &Path, systems: &[(&str, &str, ProofFamily)], runs: &[RunRecord]) -> String {
    let dir = tmp.join("results");
    std::fs::create_dir_all(&dir).unwrap();
    let entries = systems.iter().map(|&(n, m, f)| (n.to_string(), info(n, m, f))).collect();
    zkml_harness::run::bench::write_backends(&dir, &entries).unwrap();
    for r in runs {
        append(&dir, r).unwrap();
    }
    let data = Data::load(&[dir]).unwrap();
    std::fs::read_to_string(write_report(&data, &tmp.join("report")).unwrap()).unwrap()
}

/// The report's section under `heading`, up to the next one.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    md.split(heading).nth(1).unwrap_or_else(|| panic!("no {heading}: {md}")).split("\n## ").next().unwrap()
}

const OOM: &str = "prove failed (exit 1): out of memory: resident set reached 21.9 GiB";

#[test]
fn ezkl_is_set_beside_the_fastest_aggregated_zkvm_with_the_crossover() {
    let tmp = tempfile::tempdir().unwrap();
    // EZKL: 2 s + 0.1 s/row (12 s at 100 rows, 102 s at 1,000), out of memory at 10,000.
    let mut small = moded(record("ezkl", Precompiles::On, 100, 1, 12.0, 5.0, 0), "hashed");
    small.metrics.as_mut().unwrap().notes =
        vec!["setup: graph 0.01 s, key generation 6.26 s (proving key 512.0 MiB on disk, verifying key 77.8 KiB)".into()];
    small.metrics.as_mut().unwrap().agreement = Some(zkml_protocol::Agreement {
        mse_native: 1.0,
        mse_backend: 1.0,
        mse_tolerance: 0.1,
        r2_native: 0.5,
        r2_backend: 0.50002,
        r2_tolerance: 0.001,
        within_tolerance: true,
    });
    let mut runs = vec![
        small,
        moded(record("ezkl", Precompiles::On, 1000, 1, 102.0, 50.0, 0), "hashed"),
        failed(
            moded(record("ezkl", Precompiles::On, 10_000, 1, 0.0, 1.0, 0), "hashed"),
            "out of memory: the EZKL prover's resident set reached 22.0 GiB",
        ),
    ];
    // The aggregated zkVM: 50 s + 0.02 s/row; a faster segmented one must not be chosen.
    for (rows, wall) in [(100, 52.0), (1000, 70.0), (10_000, 250.0)] {
        runs.push(run("vm", "stark", rows, wall, wall - 5.0));
        runs.push(run("seg", "app", rows, wall / 10.0, 1.0));
    }
    let systems =
        [("ezkl", "hashed", ProofFamily::Snark), ("vm", "stark", ProofFamily::Aggregated), ("seg", "app", ProofFamily::Segmented)];
    let md = report_of(tmp.path(), &systems, &runs);
    let ezkl = section(&md, "## EZKL beside the zkVMs");
    assert!(ezkl.contains("| 100 | 12.0 | – / 5.0 | 0.050 | 256.0 | 0.10 | 0.50 |"), "proving key 512 MiB: {ezkl}");
    assert!(ezkl.contains("| vm stark | 52.0 |") && !ezkl.contains("seg app"), "{ezkl}");
    assert!(ezkl.contains("| EZKL, 4.3× |"), "52 / 12: {ezkl}");
    assert!(ezkl.contains("| vm, 1.5× |"), "102 / 70: {ezkl}");
    assert!(ezkl.contains("**failed: out of memory") && ezkl.contains("vm (EZKL did not finish)"), "{ezkl}");
    // Every table row has exactly the header's number of cells (no stray pipes).
    let cells = |l: &str| l.matches('|').count();
    assert!(ezkl.contains("| Δ 2.0e-5 ≤ 1.0e-3 |"), "{ezkl}");
    let header = ezkl.lines().find(|l| l.starts_with("| rows")).unwrap();
    assert!(ezkl.lines().filter(|l| l.starts_with("| ")).all(|l| cells(l) == cells(header)), "{ezkl}");
    assert!(ezkl.contains("from 1000 rows on (of the sizes measured) a zkVM is faster"), "{ezkl}");
    // Fits: EZKL 2 s + 100 ms/row, vm ≈ 50 s + 20 ms/row: they cross at ≈600 rows.
    assert!(ezkl.contains("EZKL 2.0 s + 100.00 ms/row") && ezkl.contains("(crosses EZKL at ≈"), "{ezkl}");
}

#[test]
fn scaling_fits_every_system_with_residuals_failures_and_crossovers() {
    let tmp = tempfile::tempdir().unwrap();
    let rep =
        |zkvm: &str, mode: &str, rows: u32, rep: u32, wall: f64| moded(record(zkvm, Precompiles::On, rows, rep, wall, wall, 1000), mode);
    // a: exactly 50 s + 20 ms/row, two repetitions a size (one 1 s high, one 1 s low).
    let mut runs = vec![];
    for rows in [100u32, 1000, 10_000] {
        let y = 50.0 + 0.02 * rows as f64;
        runs.push(rep("a", "stark", rows, 1, y + 1.0));
        runs.push(rep("a", "stark", rows, 2, y - 1.0));
    }
    // b: 10 s + 100 ms/row at two sizes, out of memory at 10,000: a crosses b at 500 rows.
    runs.push(rep("b", "compressed", 100, 1, 20.0));
    runs.push(rep("b", "compressed", 1000, 1, 110.0));
    runs.push(failed(rep("b", "compressed", 10_000, 1, 0.0), OOM));
    // c: another family, cheaper everywhere: never a crossover with a or b.
    runs.push(rep("c", "app", 100, 1, 2.0));
    runs.push(rep("c", "app", 1000, 1, 3.0));
    let systems =
        [("a", "stark", ProofFamily::Aggregated), ("b", "compressed", ProofFamily::Aggregated), ("c", "app", ProofFamily::Segmented)];
    let md = report_of(tmp.path(), &systems, &runs);
    let out = tmp.path().join("report");
    let cost = section(&md, "## How cost grows");
    let row = |name: &str| cost.lines().find(|l| l.contains(&format!("| {name} |"))).unwrap_or_else(|| panic!("{name}: {cost}"));
    // a: the fit recovers 50 s + 20 ms/row; the residual is the ±1 s scatter; 1M rows ≈ 20,050 s = 5.6 h.
    let a = row("a stark");
    assert!(a.contains("| aggregated |") && a.contains("| 100, 1000, 10000 | 50.0 s | 20.00 ms | 1.0 s / 2 % | 5.6 h | – |"), "{a}");
    let b = row("b compressed");
    assert!(b.contains("| 100, 1000 | 10.0 s | 100.00 ms | – (2 sizes) |") && b.ends_with("| 10000 (OOM) |"), "{b}");
    assert!(cost.contains("a stark (aggregated) proves faster than b compressed from ≈500 rows on"), "{cost}");
    assert!(!cost.contains("c app (segmented) proves faster"), "no crossing across families: {cost}");
    let cells = |l: &str| l.matches('|').count();
    let header = cost.lines().find(|l| l.starts_with("| family")).unwrap();
    assert!(cost.lines().filter(|l| l.starts_with("| ")).all(|l| cells(l) == cells(header)), "{cost}");
    // The chart: measured markers and fitted lines, one legend entry per system, x out to 1M rows.
    let svg = std::fs::read_to_string(out.join("plots/scaling-ridge.svg")).unwrap();
    assert!(md.contains("plots/scaling-ridge.png"));
    for label in ["a stark (aggregated)", "b compressed (aggregated)", "c app (segmented)"] {
        assert_eq!(svg.matches(&format!("\n{label}\n</text>")).count(), 1, "{label}");
    }
    assert!(svg.contains("\n1M\n</text>") && svg.contains("\n10k\n</text>"), "x ticks out to 1M rows");
    assert_eq!(svg.matches("\nOOM\n</text>").count(), 1, "b's line ends where it ran out of memory, tagged");

    // The verdict: winners per cell with the runner-up ratio, the fits and crossover, and one
    // paragraph per system, every number linked to its table.
    let verdict = section(&md, "## Verdict");
    assert!(md.contains("<a id=\"cost-ridge\"></a>") && md.contains("<a id=\"results-ridge\"></a>"), "link targets");
    let cell = verdict.lines().find(|l| l.starts_with("| ridge | aggregated | 100 |")).expect("aggregated 100");
    assert!(cell.contains("**b compressed (ZK)** [20.0 s](#results-ridge) — 2.6× ahead of a"), "20 s vs 52 s: {cell}");
    let cell = verdict.lines().find(|l| l.starts_with("| ridge | aggregated | 1000 |")).expect("aggregated 1000");
    assert!(cell.contains("**a stark (ZK)** [70.0 s](#results-ridge) — 1.6× ahead of b"), "70 s vs 110 s: {cell}");
    assert!(verdict.contains("a stark (aggregated) [50.0 s + 20.00 ms/row](#cost-ridge)"), "{verdict}");
    assert!(verdict.contains("a stark overtakes b compressed at [≈500 rows](#cost-ridge)"), "{verdict}");
    let para = |s: &str| verdict.lines().find(|l| l.starts_with(&format!("- **{s}**"))).unwrap_or_else(|| panic!("{s}: {verdict}"));
    let a = para("a stark");
    assert!(a.contains("aggregated proofs that claim to hide the private rows"), "{a}");
    assert!(a.contains("Best: fastest to prove for [ridge](#results-ridge) at 1,000 rows (1.6×)."), "ties are no wins: {a}");
    assert!(a.contains("The only aggregated system measured for [ridge](#results-ridge) at 10,000 rows."), "{a}");
    assert!(a.contains("Largest test set proven: 10,000 rows (ridge)") && !a.contains("Failed"), "{a}");
    let b = para("b compressed");
    assert!(b.contains("fastest to prove for [ridge](#results-ridge) at 100 rows (2.6×)"), "{b}");
    assert!(b.contains("Largest test set proven: 1,000 rows (ridge). Failed: ridge 10,000 rows (OOM)."), "{b}");
    let c = para("c app");
    assert!(c.contains("segmented proofs") && c.contains("It leads no contested category here."), "{c}");

    // The same verdict as data (issue #34): the cells asserted on the struct, not on markdown.
    use zkml_harness::report::verdict::{self as typed, Category, ZkProver};
    let data = Data::load(&[tmp.path().join("results")]).unwrap();
    let v = typed::verdict(&data, &data.groups(), &Default::default());
    assert_eq!(v.cells.len(), 5, "aggregated at 100, 1,000 and 10,000 rows; segmented at 100 and 1,000");
    let cell = |rows| v.cell(0, "ridge", ProofFamily::Aggregated, rows).unwrap_or_else(|| panic!("{rows}: {v:?}"));
    let fastest = |rows| cell(rows).best(Category::Prove).cloned().expect("a fastest prover");
    let (p, q, r) = (fastest(100), fastest(1000), fastest(10_000));
    assert_eq!((p.key.zkvm.as_str(), p.key.mode.as_str(), p.median, p.zk), ("b", "compressed", 20.0, true));
    assert!(matches!(&p.ahead_of, Some((runner, ratio)) if runner == "a" && (ratio - 52.0 / 20.0).abs() < 1e-9), "{p:?}");
    assert_eq!((q.key.zkvm.as_str(), q.median), ("a", 70.0));
    assert!(matches!(&q.ahead_of, Some((runner, ratio)) if runner == "b" && (ratio - 110.0 / 70.0).abs() < 1e-9), "{q:?}");
    assert_eq!((r.key.zkvm.as_str(), r.ahead_of.clone()), ("a", None), "b ran out of memory at 10,000 rows: a alone");
    // Every proof here claims zero-knowledge, so the fastest zero-knowledge prover is the fastest prover.
    assert_eq!(cell(100).zk_prover, ZkProver::Fastest(p));
    assert!(cell(1000).not_run.is_empty());
    let seg = v.cell(0, "ridge", ProofFamily::Segmented, 100).expect("segmented cell");
    assert_eq!(seg.best(Category::Prove).map(|p| p.key.zkvm.as_str()), Some("c"));
}

#[test]
fn sittings_of_different_machine_speed_are_listed_and_flagged() {
    use zkml_harness::records::sitting::Sitting;
    let tmp = tempfile::tempdir().unwrap();
    let report = |probes: &[f64]| {
        let dir = tmp.path().join(format!("results-{}", probes.len()));
        for (i, &p) in probes.iter().enumerate() {
            let mut r = record("zk", Precompiles::On, 100 * (i as u32 + 1), 1, 10.0, 5.0, 1000);
            r.sitting = Some(Sitting { started_unix: 1_795_600_000 + 86_400 * i as u64, probe_s: p, version: 2 });
            append(&dir, &r).unwrap();
        }
        // One record from before the probe existed.
        append(&dir, &record("zk", Precompiles::On, 5000, 1, 10.0, 5.0, 1000)).unwrap();
        let data = Data::load(std::slice::from_ref(&dir)).unwrap();
        std::fs::read_to_string(write_report(&data, &dir.join("report")).unwrap()).unwrap()
    };
    // Two sittings, the second 1.9x slower (as two of this project's VMs were): flagged at the
    // top, both listed with their ratio.
    let md = report(&[1.0, 1.9]);
    assert!(md.contains("**Sittings of different machine speed**") && md.contains("1.90× as long"), "{md}");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| 2026-")).collect();
    assert_eq!(rows.len(), 2, "{md}");
    assert!(rows[0].ends_with("| 1 | 1.00 s (v2) | 1.00 |") && rows[1].ends_with("| 1 | 1.90 s (v2) | 1.90 |"), "{rows:?}");
    assert!(md.contains("1 runs were recorded without a speed probe"), "{md}");
    // Three sittings within the comparable ratio: listed, not flagged.
    let md = report(&[1.0, 1.05, 1.1]);
    assert!(!md.contains("Sittings of different machine speed"), "{md}");
    assert_eq!(md.lines().filter(|l| l.starts_with("| 2026-")).count(), 3, "{md}");
}

#[test]
fn a_size_or_system_that_only_failed_keeps_its_slot_in_the_bar_charts() {
    let tmp = tempfile::tempdir().unwrap();
    // a proves 100 rows; at 10,000 rows both systems ran out of memory; b never succeeded.
    let runs = [
        run("a", "stark", 100, 30.0, 30.0),
        failed(run("a", "stark", 10_000, 30.0, 30.0), OOM),
        failed(run("b", "compressed", 100, 30.0, 30.0), OOM),
        failed(run("b", "compressed", 10_000, 30.0, 30.0), OOM),
    ];
    report_of(tmp.path(), &[("a", "stark", ProofFamily::Aggregated), ("b", "compressed", ProofFamily::Aggregated)], &runs);
    let svg = std::fs::read_to_string(tmp.path().join("report/plots/bars-prove-ridge-aggregated.svg")).unwrap();
    assert!(svg.contains("\n100\n</text>") && svg.contains("\n10000\n</text>"), "the size where every run failed is a group");
    assert!(svg.contains("\nb compressed\n</text>"), "the system that never succeeded is in the legend");
    assert_eq!(svg.matches("\nOOM\n</text>").count(), 3, "each failed slot is tagged");
}

#[test]
fn a_bar_charted_without_its_accelerator_is_marked_where_its_series_mixes_settings() {
    let tmp = tempfile::tempdir().unwrap();
    // b ran with its accelerator at 100 rows, without it at 1,000 (and with it nowhere there);
    // c ran without it at every size.
    let off = |mut r: RunRecord| {
        r.key.precompiles = Precompiles::Off;
        r
    };
    let runs = [
        run("b", "compressed", 100, 20.0, 20.0),
        off(run("b", "compressed", 1000, 90.0, 90.0)),
        off(run("c", "stark", 100, 40.0, 40.0)),
        off(run("c", "stark", 1000, 70.0, 70.0)),
        // A SNARK at a size no aggregated proof was charted at.
        run("e", "hashed", 5000, 30.0, 30.0),
    ];
    let md = report_of(
        tmp.path(),
        &[("b", "compressed", ProofFamily::Aggregated), ("c", "stark", ProofFamily::Aggregated), ("e", "hashed", ProofFamily::Snark)],
        &runs,
    );
    let svg = std::fs::read_to_string(tmp.path().join("report/plots/bars-prove-ridge-aggregated.svg")).unwrap();
    // Groups are the family's own sizes: no empty 5,000-row group among the aggregated proofs.
    assert!(svg.contains("\n1000\n</text>") && !svg.contains("\n5000\n</text>"), "{svg}");
    let snark = std::fs::read_to_string(tmp.path().join("report/plots/bars-prove-ridge-snark.svg")).unwrap();
    assert!(snark.contains("\n5000\n</text>") && !snark.contains("\n1000\n</text>"), "{snark}");
    // b's legend names no setting (it had both); its one bar without the accelerator is marked.
    assert!(svg.contains("\nb compressed\n</text>"), "{svg}");
    assert_eq!(svg.matches("*\n</text>").count(), 1, "one bar is marked: {svg}");
    assert!(svg.contains("\n90*\n</text>"), "b's 1,000-row bar is: {svg}");
    // c ran without it throughout: its legend says so, its bars need no mark.
    assert!(svg.contains("\nc stark, precompiles off\n</text>"), "{svg}");
    assert!(svg.contains("\n* precompiles off\n</text>"), "the mark is explained: {svg}");
    // The verdict names each cell's own setting.
    let verdict = section(&md, "## Verdict");
    let at =
        |rows: &str| verdict.lines().find(|l| l.starts_with(&format!("| ridge | aggregated | {rows} |"))).expect("the cell").to_string();
    assert!(at("100").contains("**b compressed (ZK)** [20.0 s]"), "{}", at("100"));
    assert!(at("1000").contains("**c stark, precompiles off (ZK)** [70.0 s]"), "{}", at("1000"));
}

#[test]
fn the_estimate_prefers_a_measurement_on_any_machine_to_a_fit_or_scaling() {
    use zkml_harness::run::estimate::{estimate, Basis};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("results");
    let on_host_b = |mut r: RunRecord| {
        r.host.kernel = "7".into();
        r
    };
    // Machine A: precompiles on at 100 and 1,000 rows (a fit: 0.1 s/row, + 0.1 s verify), off
    // at 100 rows only (scaled).
    for rep in 1..=3 {
        append(&dir, &record("zk", Precompiles::On, 100, rep, 10.0, 9.0, 1000)).unwrap();
        append(&dir, &record("zk", Precompiles::On, 1000, rep, 100.0, 90.0, 1000)).unwrap();
    }
    append(&dir, &record("zk", Precompiles::Off, 100, 1, 20.0, 19.0, 1000)).unwrap();
    // Machine B measured 10,000 rows (the fit on A would say 1,000 s), and ran out of memory at
    // 20,000.
    append(&dir, &on_host_b(record("zk", Precompiles::On, 10_000, 1, 500.0, 490.0, 1000))).unwrap();
    let mut oom = on_host_b(record("zk", Precompiles::On, 20_000, 1, 0.0, 1.0, 0));
    oom.status = RunStatus::failed("out of memory");
    oom.metrics = None;
    append(&dir, &oom).unwrap();
    // A third system measured once on each machine, 100 rows on A and 1,000 on B: 10,000 rows
    // scale from B's 1,000 (tenfold), not from A's 100 (a hundredfold, fixed cost and all).
    append(&dir, &record("third", Precompiles::On, 100, 1, 50.0, 49.0, 1000)).unwrap();
    append(&dir, &on_host_b(record("third", Precompiles::On, 1000, 1, 80.0, 79.0, 1000))).unwrap();
    let data = Data::load(&[dir]).unwrap();
    assert_eq!(data.hosts.len(), 2);

    let planned =
        |zkvm: &str, p: Precompiles, rows: u32| (1..=3).map(move |rep| record(zkvm, p, rows, rep, 0.0, 0.0, 0).key).collect::<Vec<_>>();
    let keys: Vec<RunKey> = [
        planned("zk", Precompiles::On, 1000),
        planned("zk", Precompiles::On, 10_000),
        planned("zk", Precompiles::On, 5000),
        planned("zk", Precompiles::Off, 1000),
        planned("zk", Precompiles::On, 20_000),
        planned("other", Precompiles::On, 100),
        planned("third", Precompiles::On, 10_000),
    ]
    .concat();
    let plan: Vec<&RunKey> = keys.iter().collect();
    let e = estimate(&plan, Some(120), &data);
    let got: Vec<(Basis, Option<f64>, u32, u32)> =
        e.lines.iter().map(|l| (l.basis.clone(), l.seconds.map(|s| (s * 10.0).round() / 10.0), l.reps, l.counted)).collect();
    assert_eq!(
        got,
        vec![
            (Basis::Measured(3), Some(100.1), 3, 3),
            // Measured on B wins over A's fit.
            (Basis::Measured(1), Some(500.1), 3, 1),
            // No measurement at 5,000 rows anywhere: A's fit (B's one size would only scale).
            (Basis::Fit(vec![100, 1000]), Some(500.1), 3, 1),
            (Basis::Scaled(100), Some(201.0), 3, 1),
            (Basis::Unknown(Some("OOM")), None, 3, 3),
            (Basis::Unknown(None), None, 3, 3),
            (Basis::Scaled(1000), Some(801.0), 3, 1),
        ]
    );
    assert_eq!(e.unknown, 2);
    assert!((e.total_s - (100.1 * 3.0 + 500.1 + 500.1 + 201.0 + 801.0)).abs() < 1e-6, "{}", e.total_s);
    assert!(e.render().contains("estimated total: 0.6 h"), "{}", e.render());
}

#[test]
fn a_contender_measured_on_another_machine_is_named_beside_the_cell_not_ranked_in_it() {
    use zkml_harness::records::sitting::Sitting;
    let tmp = tempfile::tempdir().unwrap();
    // Two VMs of one description (only the kernel build differs), the second's probe 1.25x slower.
    let on = |kernel: &str, probe_s: f64, mut r: RunRecord| {
        r.host.kernel = kernel.into();
        r.sitting = Some(Sitting { started_unix: 1_795_600_000 + (probe_s * 1000.0) as u64, probe_s, version: 2 });
        r
    };
    let poly2 = |mut r: RunRecord| {
        r.key.model = "poly2".into();
        r
    };
    // At 1,000 rows H2 measured b only, and only without its accelerator: ranked, named so.
    let mut off = run("b", "compressed", 1000, 90.0, 90.0);
    off.key.precompiles = Precompiles::Off;
    let runs = [
        on("v1", 0.4, run("a", "stark", 100, 50.0, 50.0)),
        on("v1", 0.4, run("b", "compressed", 100, 20.0, 20.0)),
        on("v2", 0.5, run("a", "stark", 100, 60.0, 60.0)),
        on("v2", 0.5, off),
        // b on poly2 at 300 rows on both machines: H2 took 1.5x H1's time (a at 100 rows: 1.2x).
        on("v1", 0.4, poly2(run("b", "compressed", 300, 30.0, 30.0))),
        on("v2", 0.5, poly2(run("b", "compressed", 300, 45.0, 45.0))),
        // c on H1 only: translated at the pace of every configuration both proved.
        on("v1", 0.4, run("c", "stark", 100, 70.0, 70.0)),
    ];
    let systems =
        [("a", "stark", ProofFamily::Aggregated), ("b", "compressed", ProofFamily::Aggregated), ("c", "stark", ProofFamily::Aggregated)];
    let md = report_of(tmp.path(), &systems, &runs);
    let verdict = section(&md, "## Verdict");
    // H1 ranks both; H2 measured a only and ranks it alone, never against H1's b.
    let h1 = verdict.lines().find(|l| l.starts_with("| H1 | ridge | aggregated | 100 |")).expect("H1's cell");
    assert!(h1.contains("**b compressed (ZK)** [20.0 s](#results-ridge) — 2.5× ahead of a"), "{h1}");
    let h2 = verdict.lines().find(|l| l.starts_with("| H2 | ridge | aggregated | 100 |")).expect("H2's cell");
    assert!(h2.contains("a stark (ZK) [60.0 s](#results-ridge) (only one measured)") && !h2.contains("b compressed"), "{h2}");
    let h2_1000 = verdict.lines().find(|l| l.starts_with("| H2 | ridge | aggregated | 1000 |")).expect("H2's 1,000-row cell");
    assert!(h2_1000.contains("b compressed, precompiles off (ZK) [90.0 s](#results-ridge) (only one measured)"), "{h2_1000}");
    assert!(!h1.contains("precompiles off"), "{h1}");
    let bars = |h: &str| std::fs::read_to_string(tmp.path().join(format!("report/plots/bars-prove-ridge-aggregated-{h}.svg"))).unwrap();
    assert!(bars("H2").contains("\nb compressed, precompiles off\n</text>"), "the bars' legend says so too");
    assert!(bars("H1").contains("\nb compressed\n</text>"), "H1's b ran with its accelerator");
    // Line charts never mix machines (issue #34): one per machine, named and titled by it, and no
    // legend entry needs a machine tag; the merged chart of every machine is gone.
    let plots = tmp.path().join("report/plots");
    let md = std::fs::read_to_string(tmp.path().join("report/README.md")).unwrap();
    for h in ["H1", "H2"] {
        let svg = std::fs::read_to_string(plots.join(format!("prove_wall-ridge-{h}.svg"))).expect("a chart per machine");
        assert!(svg.contains(&format!("(harness-measured, incl. setup) — ridge — {h}")), "{h}: title");
        assert!(!svg.contains(" @H"), "{h}: a legend entry names a machine");
        assert!(md.contains(&format!("(plots/prove_wall-ridge-{h}.png)")), "{h} linked from the report");
    }
    assert!(!plots.join("prove_wall-ridge.png").exists(), "no chart mixes the two machines");
    // b is named beside H2's cell with its time and the two machines' probe ratio; H1's cell
    // lacks nothing, so it gets no line.
    assert!(verdict.contains("**Measured on another machine only**"), "{verdict}");
    assert!(
        verdict.contains("machines of the same description proved one configuration up to 1.5× apart here"),
        "b compressed: 45 s on H2, 30 s on H1: {verdict}"
    );
    // Were H2 another CPU model, the report would not call the two machines alike.
    let other_cpu: Vec<RunRecord> = runs
        .iter()
        .cloned()
        .map(|mut r| {
            if r.host.kernel == "v2" {
                r.host.cpu_model = "Intel(R) Xeon(R) Processor".into();
            }
            r
        })
        .collect();
    let tmp2 = tempfile::tempdir().unwrap();
    let md2 = report_of(tmp2.path(), &systems, &other_cpu);
    assert!(md2.contains("these machines (of different CPU models) proved one configuration up to 1.5× apart"), "{md2}");
    let lines: Vec<&str> = verdict.lines().filter(|l| l.starts_with("- H")).collect();
    assert_eq!(
        lines,
        // Translated at b's own pace between the machines (1.5x at 300 rows), not at every
        // shared configuration's (median of 1.2x and 1.5x).
        ["- H2 ridge aggregated 100 rows: b compressed (ZK) on H1: [20.0 s](#results-ridge) to a proof (H1's speed probe 0.80× H2's; \
             ≈30.0 s at H2's pace: H2 took 1.50× H1's time on b compressed's 1 configuration both proved); \
             c stark (ZK) on H1: [70.0 s](#results-ridge) to a proof (H1's speed probe 0.80× H2's; ≈94.5 s at H2's pace: \
             H2 took 1.35× H1's time (1.20–1.50×) on the 2 configurations both proved)"],
        "{verdict}"
    );
}

#[test]
fn fastest_to_prove_ranks_the_time_to_a_proof_that_the_cost_fits_use() {
    let tmp = tempfile::tempdir().unwrap();
    // a proves in 10 s after a 50-s set-up; b in 30 s after 10 s: b gives a proof first.
    let runs = [run("a", "stark", 100, 60.0, 10.0), run("b", "compressed", 100, 40.0, 30.0)];
    let md = report_of(tmp.path(), &[("a", "stark", ProofFamily::Aggregated), ("b", "compressed", ProofFamily::Aggregated)], &runs);
    let verdict = section(&md, "## Verdict");
    let cell = verdict.lines().find(|l| l.starts_with("| ridge | aggregated | 100 |")).expect("the cell");
    let prove = cell.split(" | ").nth(3).unwrap();
    assert_eq!(prove, "**b compressed (ZK)** [40.0 s](#results-ridge) — 1.5× ahead of a", "{cell}");
    assert!(cell.ends_with("| **b compressed (ZK)** [40.0 s](#results-ridge) — 1.5× ahead of a |"), "the ZK column agrees: {cell}");
    assert!(verdict.contains("\"Fastest to prove\" ranks the time to a proof"), "the measure is named: {verdict}");
}

#[test]
fn a_bar_chart_whose_every_run_failed_names_the_failures() {
    use zkml_harness::report::plots::{bar_chart, Bars};
    let tmp = tempfile::tempdir().unwrap();
    let failed = Bars {
        label: "sp1 compressed".into(),
        backend: "sp1".into(),
        family: 1,
        values: vec![None],
        failed: vec![Some("OOM")],
        marked: vec![false],
    };
    bar_chart(tmp.path(), "only-failures", "Time to a proof", "s", &["10000".into()], &[failed], "").unwrap();
    let svg = std::fs::read_to_string(tmp.path().join("only-failures.svg")).unwrap();
    assert!(svg.contains("every run here failed") && svg.contains("sp1 compressed, 10000 rows: OOM"), "{svg}");
    assert!(!svg.contains("no other backend has this measurement"), "{svg}");
    // With nothing at all, the chart says why it is empty.
    bar_chart(tmp.path(), "empty", "Time to a proof", "s", &["10000".into()], &[], "").unwrap();
    let svg = std::fs::read_to_string(tmp.path().join("empty.svg")).unwrap();
    assert!(svg.contains("no other backend has this measurement"), "{svg}");
}

/// Issue #33: a record cut short (a kill mid-write) does not swallow the next one, and loading
/// reports the broken line instead of dropping it silently.
#[test]
fn a_half_written_record_does_not_swallow_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    append(dir, &record("zk", Precompiles::On, 100, 1, 10.0, 9.0, 1000)).unwrap();
    let file = dir.join(zkml_harness::records::RESULTS_FILE);
    let mut text = std::fs::read(&file).unwrap();
    text.extend_from_slice(br#"{"schema": 3, "run_id": "cut-sh"#);
    std::fs::write(&file, &text).unwrap();
    append(dir, &record("zk", Precompiles::On, 100, 2, 11.0, 9.5, 1000)).unwrap();
    let loaded = zkml_harness::records::load(dir).unwrap();
    assert_eq!(loaded.records.len(), 2, "{:?}", loaded.skipped);
    assert_eq!(loaded.records[1].key.repetition, 2);
    assert_eq!(loaded.skipped.len(), 1, "{:?}", loaded.skipped);
    assert!(loaded.skipped[0].contains(":2:"), "{:?}", loaded.skipped);
}

#[test]
fn the_compute_axis_fits_time_against_work_per_row_and_labels_projections() {
    use zkml_harness::report::intensity::{axes, work};
    let tmp = tempfile::tempdir().unwrap();
    let at = |zkvm: &str, mode: &str, model: &str, rep: u32, wall: f64, cycles: u64| {
        let mut r = moded(record(zkvm, Precompiles::On, 100, rep, wall, wall, cycles), mode);
        r.key.model = model.into();
        r.run_id = format!("{}-{model}", r.run_id);
        r
    };
    // a: exactly 10 s + 10 ms per instruction of a row, on four models (ridge twice).
    let a = |model: &str| 10.0 + 0.01 * work(model).unwrap() as f64;
    let mut runs = vec![];
    for model in ["ridge", "poly2", "gbdt-10", "mlp"] {
        runs.push(at("a", "stark", model, 1, a(model), 100 * work(model).unwrap()));
    }
    runs.push(at("a", "stark", "ridge", 2, a("ridge") + 2.0, 0));
    runs[0].metrics.as_mut().unwrap().prove_wall_s -= 2.0; // ridge: a ± 2 s, median a + 0
                                                           // b: faster on small models, out of memory on the default forest; proves the MLP.
    for (model, wall) in [("ridge", 5.0), ("poly2", 6.0), ("mlp", 500.0)] {
        runs.push(at("b", "hashed", model, 1, wall, 0));
    }
    runs.push(failed(at("b", "hashed", "gbdt", 1, 0.0, 0), OOM));
    // Ridge and poly2 alone are not an axis (a third model is needed): none at 1,000 rows.
    let systems = [("a", "stark", ProofFamily::Aggregated), ("b", "hashed", ProofFamily::Snark)];
    let md = report_of(tmp.path(), &systems, &runs);
    let data = Data::load(&[tmp.path().join("results")]).unwrap();
    let axes = axes(&data, &data.groups());
    assert_eq!(axes.len(), 1);
    let axis = &axes[0];
    assert_eq!((axis.rows, axis.models.clone()), (100, vec!["ridge".to_string(), "poly2".into(), "gbdt-10".into(), "mlp".into()]));
    let sys = |name: &str| axis.systems.iter().find(|s| s.key.zkvm == name).unwrap();
    let (fixed, per) = sys("a").fit.unwrap();
    assert!((fixed - 10.0).abs() < 1e-6 && (per - 0.01).abs() < 1e-9, "{fixed} {per}");
    // Projections: the sizes a was not measured at, read off its line; beyond mlp, extrapolated.
    let p = |s: &str, m: &str| sys(s).projected.iter().find(|p| p.model == m).cloned();
    let g = p("a", "gbdt").unwrap();
    assert!((g.seconds - a("gbdt")).abs() < 1e-6 && !g.extrapolated, "gbdt (6,790) lies inside ridge..mlp: {g:?}");
    assert!(p("a", "mlp-128").unwrap().extrapolated);
    assert!(p("a", "ridge").is_none(), "measured sizes are never projected");
    // b ran out of memory on the forest: no forest at or above it is projected, the MLPs are.
    assert_eq!(sys("b").failed, vec![("gbdt".to_string(), work("gbdt").unwrap(), "OOM")]);
    assert!(p("b", "gbdt").is_none() && p("b", "gbdt-500").is_none() && p("b", "gbdt-10").is_some() && p("b", "mlp-128").is_some());
    // Cycles per row come from the records (fixed costs included): 100 × work over 100 rows.
    let m = sys("a").measured.iter().find(|m| m.model == "mlp").unwrap().clone();
    assert_eq!(m.cycles_per_row, Some(work("mlp").unwrap() as f64));
    // Fastest: measured cells compete among measurements; an unmeasured size among projections.
    let fastest = axis.fastest(false);
    let name = |model: &str| fastest.iter().find(|f| f.0 == model).unwrap().1.map(|(s, _, measured)| (s.key.zkvm.clone(), measured));
    assert_eq!(name("ridge"), Some(("b".into(), true)));
    assert_eq!(name("mlp"), Some(("a".into(), true)), "a: {} s against b's 500 s", a("mlp"));
    assert_eq!(name("gbdt"), Some(("a".into(), false)), "measured by no one (b failed there): a's projection");
    assert_eq!(name("mlp-128").map(|n| n.1), Some(false), "no one measured it: projected");
    // Rendered: the section, projections in italics, failures in bold, both charts.
    let section = section(&md, "## Compute intensity");
    let row = section.lines().find(|l| l.starts_with("| b hashed |")).unwrap();
    assert!(row.contains("| 5 | 6 |") && row.contains("**OOM**") && row.contains("| 500 |"), "{row}");
    let row = section.lines().find(|l| l.starts_with("| a stark |")).unwrap();
    assert!(row.contains(&format!("| *{:.0}* |", a("gbdt"))) && row.contains(" ↗ |"), "{row}");
    assert!(section.contains("| poly2 | 398 | 82 % |"), "{section}");
    for chart in ["intensity-time-100", "intensity-cycles-100"] {
        assert!(
            section.contains(&format!("plots/{chart}.png")) && tmp.path().join(format!("report/plots/{chart}.svg")).is_file(),
            "{chart}"
        );
    }
}

#[test]
fn larger_test_sets_are_measured_or_projected_and_the_verdict_names_who_was_not_run() {
    use zkml_harness::records::data::GroupKey;
    use zkml_harness::report::intensity::{axes, larger, work, Cell};
    use zkml_harness::report::scaling::seconds;
    let tmp = tempfile::tempdir().unwrap();
    let at = |zkvm: &str, mode: &str, model: &str, rows: u32, wall: f64| {
        let mut r = moded(record(zkvm, Precompiles::On, rows, 1, wall, wall, 0), mode);
        r.key.model = model.into();
        r.run_id = format!("{}-{model}", r.run_id);
        r
    };
    // a: 10 s + 10 ms per instruction of a row at 100 rows; c: 20 s + 20 ms. Both exactly.
    let line = |fixed: f64, per: f64, model: &str, rows: u32| fixed + per * work(model).unwrap() as f64 * rows as f64 / 100.0;
    let mut runs = vec![];
    for model in ["ridge", "poly2", "gbdt", "mlp"] {
        runs.push(at("a", "stark", model, 100, line(10.0, 0.01, model, 100)));
    }
    for model in ["ridge", "poly2", "mlp"] {
        runs.push(at("c", "succinct", model, 100, line(20.0, 0.02, model, 100)));
    }
    // b: the forest ran out of memory at 100 rows, the MLP at 1,000.
    for (model, wall) in [("ridge", 5.0), ("poly2", 6.0), ("mlp", 500.0)] {
        runs.push(at("b", "hashed", model, 100, wall));
    }
    runs.push(failed(at("b", "hashed", "gbdt", 100, 0.0), OOM));
    runs.push(failed(at("b", "hashed", "mlp", 1000, 0.0), OOM));
    // The 1,000-row MLP block: a measured (faster than its line), c not run (too long).
    runs.push(at("a", "stark", "mlp", 1000, 1000.0));
    let systems =
        [("a", "stark", ProofFamily::Aggregated), ("b", "hashed", ProofFamily::Snark), ("c", "succinct", ProofFamily::Aggregated)];
    let md = report_of(tmp.path(), &systems, &runs);
    let data = Data::load(&[tmp.path().join("results")]).unwrap();
    let groups = data.groups();
    let axes = axes(&data, &groups);
    let larger = larger(&data, &groups, &axes);
    assert_eq!(larger.len(), 1);
    let l = &larger[0];
    assert_eq!(l.from_rows, 100);
    let columns: Vec<(&str, u32)> = l.columns.iter().map(|(m, r)| (m.as_str(), *r)).collect();
    assert_eq!(
        columns,
        [
            ("ridge", 1000),
            ("ridge", 10000),
            ("poly2", 1000),
            ("poly2", 10000),
            ("gbdt", 1000),
            ("gbdt", 10000),
            ("mlp", 1000),
            ("mlp", 10000)
        ]
    );
    let cell = |zkvm: &str, model: &str, rows: u32| {
        let s = l.systems.iter().find(|s| s.key.zkvm == zkvm).unwrap();
        s.cells[l.columns.iter().position(|(m, r)| m == model && *r == rows).unwrap()].clone()
    };
    let close = |c: Cell, want: f64| match c {
        Cell::Projected(t) => assert!((t - want).abs() < 1e-6, "{t} against {want}"),
        other => panic!("{other:?}: expected a projection of {want}"),
    };
    // Measured where measured, with the line's projection beside it as a check.
    match cell("a", "mlp", 1000) {
        Cell::Measured { time, projected: Some(p) } => {
            assert_eq!(time.median, 1000.0);
            assert!((p - line(10.0, 0.01, "mlp", 1000)).abs() < 1e-6, "{p}");
        }
        other => panic!("{other:?}"),
    }
    // Projected: the whole test set's instructions placed on the 100-row line.
    close(cell("a", "gbdt", 1000), line(10.0, 0.01, "gbdt", 1000));
    close(cell("c", "mlp", 1000), line(20.0, 0.02, "mlp", 1000));
    close(cell("c", "mlp", 10000), line(20.0, 0.02, "mlp", 10000));
    let (fixed, per) = axes.iter().flat_map(|a| &a.systems).find(|s| s.key.zkvm == "b").unwrap().fit.unwrap();
    close(cell("b", "ridge", 10000), fixed + per * work("ridge").unwrap() as f64 * 100.0);
    // A failure is a result; it rules out the larger sizes of its kind, never projected over.
    assert_eq!(cell("b", "mlp", 1000), Cell::Failed("OOM"));
    assert_eq!(cell("b", "mlp", 10000), Cell::Unknown, "failed at 1,000 rows");
    assert_eq!(cell("b", "gbdt", 1000), Cell::Unknown, "its forest failed at 100 rows");
    // The verdict names who was not run in the 1,000-row block, with its projection, and ranks
    // only what was measured.
    let projections = l.projections();
    let c_key =
        GroupKey { host: 0, model: "mlp".into(), zkvm: "c".into(), precompiles: Precompiles::On, mode: "succinct".into(), rows: 1000 };
    assert!((projections[&c_key] - line(20.0, 0.02, "mlp", 1000)).abs() < 1e-6);
    assert!(!projections.keys().any(|k| k.zkvm == "a" && k.model == "mlp" && k.rows == 1000), "measured: not a projection");
    let verdict = section(&md, "## Verdict");
    let row = verdict.lines().find(|l| l.starts_with("| mlp | aggregated | 1000 |")).unwrap_or_else(|| panic!("{verdict}"));
    assert!(row.contains("**a stark (ZK)**") || row.contains("a stark (ZK) [1000 s]"), "{row}");
    assert!(!row.contains("c succinct"), "a projection is never ranked: {row}");
    let not_run = verdict.lines().find(|l| l.starts_with("**Not run at a size**")).unwrap_or_else(|| panic!("{verdict}"));
    assert!(
        not_run.contains(&format!("mlp aggregated 1,000 rows: *c succinct (ZK) ≈ [{}]", seconds(line(20.0, 0.02, "mlp", 1000)))),
        "{not_run}"
    );
    // Rendered in the compute-intensity section: measured with its check, projected in italics.
    let section = section(&md, "## Compute intensity");
    let table = section.split("### Larger test sets, default-size models").nth(1).unwrap_or_else(|| panic!("{section}"));
    let row = table.lines().find(|l| l.starts_with("| a stark |")).unwrap();
    assert!(row.contains(&format!("| 1000 (line: {:.0}) |", line(10.0, 0.01, "mlp", 1000))), "{row}");
    let row = table.lines().find(|l| l.starts_with("| b hashed |")).unwrap();
    assert!(row.contains("| **OOM** | – |"), "{row}");
}

#[test]
fn the_memory_chart_shows_how_far_an_out_of_memory_attempt_got() {
    let tmp = tempfile::tempdir().unwrap();
    // zk proves 100 rows in 100 MiB and runs out of memory at 1,000 rows after reaching 21.5 GiB;
    // other never succeeds and its failure recorded no peak.
    let mut oom = record("zk", Precompiles::On, 1000, 1, 0.0, 1.0, 0);
    oom.status = RunStatus::Failed {
        reason: "out of memory: resident set reached 21.5 GiB".into(),
        after_s: Some(400.0),
        peak_rss_bytes: Some((21.5 * (1u64 << 30) as f64) as u64),
    };
    oom.metrics = None;
    let mut other = record("other", Precompiles::On, 1000, 1, 0.0, 1.0, 0);
    other.status = RunStatus::failed("prove failed (exit 1)");
    other.metrics = None;
    let md =
        report_of(tmp.path(), &[("zk", "m", ProofFamily::Aggregated)], &[record("zk", Precompiles::On, 100, 1, 10.0, 9.0, 0), oom, other]);
    let svg = std::fs::read_to_string(tmp.path().join("report/plots/peak_rss-ridge.svg")).unwrap();
    assert!(md.contains("plots/peak_rss-ridge.png"));
    assert_eq!(svg.matches("\nOOM\n</text>").count(), 1, "the attempt is drawn, tagged: {svg}");
    assert!(svg.contains("\n20\n</text>"), "the scale reaches the 21.5 GiB the attempt reached");
    assert!(!svg.contains("\nother\n</text>"), "a failure without a recorded peak draws nothing");
    // Other charts do not draw the failure (it has no time or size).
    let wall = std::fs::read_to_string(tmp.path().join("report/plots/prove_wall-ridge.svg")).unwrap();
    assert!(!wall.contains("\nOOM\n</text>"));
}

//! `zkml-bench bench`: a measured sweep (flags laid over an optional TOML file), resumable,
//! ending with a report.

use crate::data::MappingArgs;
use crate::output::fmt_secs;
use anyhow::{bail, Context};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;
use zkml_harness::run::config::{BenchConfig, DataConfig, Overrides};
use zkml_protocol::Precompiles;

#[derive(Args)]
pub(crate) struct BenchArgs {
    /// TOML file with any of the settings below (flags override it).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Backends, e.g. native,risc0,sp1,openvm [default: all; unavailable ones are reported].
    #[arg(long, value_delimiter = ',')]
    zkvms: Option<Vec<String>>,
    /// Models [default: ridge,poly2].
    #[arg(long, value_delimiter = ',')]
    models: Option<Vec<String>>,
    /// Test-set sizes [default: 100,300].
    #[arg(long, value_delimiter = ',')]
    rows: Option<Vec<u32>>,
    /// Precompile settings [default: on,off; each backend runs those it supports].
    #[arg(long, value_delimiter = ',', value_enum)]
    precompiles: Option<Vec<Precompiles>>,
    /// Proof modes [default: each backend's default].
    #[arg(long, value_delimiter = ',')]
    modes: Option<Vec<String>>,
    /// Repetitions per configuration [default: 3].
    #[arg(long)]
    reps: Option<u32>,
    /// Limit per prove/verify process: 90s, 30m, 2h [default: 30m].
    #[arg(long, value_parser = parse_duration)]
    timeout: Option<u64>,
    /// Run a configuration once when its first repetition failed or its prove process took
    /// longer than this (e.g. 30m) [default: every configuration --reps times].
    #[arg(long, value_parser = parse_duration)]
    single_rep_above: Option<u64>,
    /// Issue #36: with --modes chunked, prove each test set in chunks of at most this many rows
    /// (one process per chunk, then one that aggregates them); records carry it.
    #[arg(long)]
    chunk_rows: Option<u32>,
    /// Before running, estimate each planned run's time and the sweep's total from the records
    /// of these results directories (same configuration measured, else fitted over sizes).
    #[arg(long, value_delimiter = ',')]
    estimate_from: Vec<PathBuf>,
    /// Plan (and estimate, with --estimate-from) without running anything.
    #[arg(long)]
    dry_run: bool,
    /// Resume into a results directory whose records come from another revision of the code.
    #[arg(long)]
    allow_mixed_revisions: bool,
    /// Synthetic customers [default: enough for the largest --rows].
    #[arg(long)]
    customers: Option<u64>,
    /// Benchmark on your transactions CSV (column mapping as in `data features`) instead of
    /// synthetic data; the sizes in --rows must fit in its private test split (20%).
    #[arg(long, conflicts_with = "features")]
    transactions: Option<PathBuf>,
    /// Benchmark on your feature table (as `data features` writes) instead of synthetic data.
    #[arg(long)]
    features: Option<PathBuf>,
    /// Target column of --features [default: its one `spend_*` column].
    #[arg(long, requires = "features")]
    target: Option<String>,
    #[command(flatten)]
    mapping: MappingArgs,
    #[arg(long)]
    seed: Option<u64>,
    /// An extra backend binary: NAME=PATH (repeatable).
    #[arg(long = "backend", value_parser = parse_backend)]
    backends: Vec<(String, PathBuf)>,
    #[arg(long, default_value = "results")]
    out: PathBuf,
    /// Rerun configurations already recorded.
    #[arg(long)]
    force: bool,
    /// Rerun configurations recorded as failed or timed out.
    #[arg(long)]
    retry_failed: bool,
    /// Keep proof files under OUT/proofs.
    #[arg(long)]
    keep_proofs: bool,
    /// No progress bar, no per-run lines.
    #[arg(long)]
    quiet: bool,
    /// Do not write the report at the end.
    #[arg(long)]
    no_report: bool,
}

fn parse_duration(s: &str) -> Result<u64, String> {
    let (num, mult) = match s.chars().last() {
        Some('s') => (&s[..s.len() - 1], 1),
        Some('m') => (&s[..s.len() - 1], 60),
        Some('h') => (&s[..s.len() - 1], 3600),
        _ => (s, 1),
    };
    num.parse::<u64>().map(|n| n * mult).map_err(|_| format!("{s:?} is not a duration (e.g. 90s, 30m, 2h)"))
}

fn parse_backend(s: &str) -> Result<(String, PathBuf), String> {
    s.split_once('=').map(|(n, p)| (n.to_string(), PathBuf::from(p))).ok_or_else(|| format!("{s:?}: expected NAME=PATH"))
}

pub(crate) fn bench(a: BenchArgs) -> anyhow::Result<()> {
    use zkml_harness::run::bench::{self, Event, SweepOptions};
    let mut config = match &a.config {
        Some(p) => BenchConfig::from_toml(p)?,
        None => BenchConfig::default(),
    };
    let data = DataConfig { transactions: a.transactions, features: a.features, target: a.target, ..a.mapping.into_data() };
    config.apply(Overrides {
        zkvms: a.zkvms,
        models: a.models,
        rows: a.rows,
        precompiles: a.precompiles,
        modes: a.modes,
        reps: a.reps,
        timeout_s: a.timeout,
        single_rep_above_s: a.single_rep_above,
        chunk_rows: a.chunk_rows,
        customers: a.customers,
        seed: a.seed,
        data,
        backends: a.backends,
    });
    config.validate()?;

    // Ctrl-C: main's handler sets INTERRUPTED; the sweep stops its current run, keeps what is
    // recorded, and the command exits 130.

    // A dry run touches nothing: it builds no backend, creates no directory, generates no
    // workload and leaves the directory's backends.json (a real sweep's) alone.
    if !a.dry_run {
        std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    }
    let self_exe = std::env::current_exe().context("locating the zkml-bench binary")?;
    let (targets, entries) = bench::targets(&config, &self_exe, !a.dry_run);
    if !a.dry_run {
        bench::write_backends(&a.out, &entries)?;
    }
    for (name, e) in &entries {
        if !e.available {
            eprintln!("skipping {name}: {}", e.reason.as_deref().unwrap_or("unavailable"));
        }
    }
    if targets.is_empty() {
        bail!("none of the requested backends is available");
    }
    let t = Instant::now();
    let inputs = if a.dry_run {
        let inputs = zkml_harness::run::workload::existing_workload(&config, &a.out);
        let missing = inputs.iter().filter(|i| i.id.is_empty()).count();
        eprintln!(
            "workload: {}; {} of {} inputs already prepared in {} (a dry run generates none; whether --rows fit the data is \
             checked when the sweep prepares them)",
            config.data.describe(&config),
            inputs.len() - missing,
            inputs.len(),
            a.out.join("workload").display()
        );
        inputs
    } else {
        let inputs = zkml_harness::run::workload::prepare_workload(&config, &a.out)?;
        eprintln!(
            "workload: {}; {} models x {} sizes prepared in {} (in {})",
            config.data.describe(&config),
            config.models.len(),
            config.rows.len(),
            fmt_secs(t.elapsed().as_secs_f64()),
            a.out.join("workload").display()
        );
        inputs
    };
    let (plan, notes) = bench::plan(&config, &targets, &inputs);
    for n in &notes {
        eprintln!("note: {n}");
    }
    let existing = if a.out.exists() { zkml_harness::records::load(&a.out)? } else { Default::default() };
    let todo = bench::pending(&plan, &existing.records, a.force, a.retry_failed);
    eprintln!("plan: {} runs, {} of them still to run", plan.len(), todo.len());
    if !a.estimate_from.is_empty() {
        let data = zkml_harness::records::data::Data::load(&a.estimate_from)?;
        let keys: Vec<&zkml_harness::records::RunKey> = todo.iter().map(|p| &p.key).collect();
        let estimate = zkml_harness::run::estimate::estimate(&keys, config.single_rep_above_s, &data);
        eprint!("{}", estimate.render());
    }
    if a.dry_run {
        for p in &todo {
            println!("{}", p.key.label());
        }
        return Ok(());
    }
    let bar = if a.quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(0) };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} runs, ETA {eta} | {msg}")
            .expect("valid template"),
    );
    let quiet = a.quiet;
    let mut progress = |e: Event<'_>| match e {
        Event::Started { index, total, key } => {
            bar.set_length(total as u64);
            bar.set_position(index as u64);
            bar.set_message(key.label());
        }
        Event::Finished { key, status, metrics } => {
            bar.inc(1);
            if !quiet {
                let detail = metrics
                    .map(|m| format!(" wall {} peak {:.0} MiB", fmt_secs(m.prove_wall_s), m.prove_peak_rss_bytes as f64 / 1048576.0))
                    .unwrap_or_default();
                let line = format!("{:<9} {}{detail}", status.short().chars().take(60).collect::<String>(), key.label());
                // indicatif draws nothing (println included) when stderr is not a terminal.
                if bar.is_hidden() {
                    eprintln!("{line}");
                } else {
                    bar.println(line);
                }
            }
        }
    };
    let summary = bench::run_sweep(
        &config,
        &plan,
        &mut SweepOptions {
            out: &a.out,
            timeout: std::time::Duration::from_secs(config.timeout_s),
            force: a.force,
            retry_failed: a.retry_failed,
            keep_proofs: a.keep_proofs,
            allow_mixed_revisions: a.allow_mixed_revisions,
            interrupt: &zkml_harness::run::process::INTERRUPTED,
            progress: &mut progress,
        },
    )?;
    bar.finish_and_clear();
    eprintln!(
        "sweep: {} planned, {} already recorded (skipped), {} ok, {} failed, {} timed out in {}; results in {}",
        summary.planned,
        summary.skipped_done,
        summary.ok,
        summary.failed,
        summary.timed_out,
        fmt_secs(summary.wall_s),
        a.out.join(zkml_harness::records::RESULTS_FILE).display()
    );
    for n in &summary.not_repeated {
        eprintln!("note: {n}");
    }
    if summary.interrupted {
        eprintln!("interrupted: rerun the same command to resume");
        return Ok(());
    }
    if !a.no_report {
        let data = zkml_harness::records::data::Data::load(std::slice::from_ref(&a.out))?;
        if let Err(e) = data.check_one_revision(false) {
            eprintln!("report not written: {e:#}");
            return Ok(());
        }
        let path = zkml_harness::report::write_report(&data, &a.out.join("report"))?;
        eprintln!("report: {}", path.display());
    }
    Ok(())
}

//! `zkml-bench`: prove how accurate a model is on a private test set, and which zkVM does it
//! best. See the README for a walk-through.

use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Instant;
use zkml_data::features::build_features;
use zkml_data::synth::{write_transactions, SynthConfig};
use zkml_data::table::FeatureTable;
use zkml_harness::workflow::{self, Expectations, ProveRequest};
use zkml_harness::workload::DataConfig;
use zkml_protocol::{ClaimSummary, Precompiles};
use zkml_train::{f64_metrics, fixed_metrics, train_model, LambdaChoice, ModelFile, ModelSpec, RegressionMetrics};

#[derive(Parser)]
#[command(name = "zkml-bench", version, about = "Prove how accurate a model is on a private test set, with zkVMs", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

mod main_job;

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// The main job in one command: synthetic data -> features -> model -> a real proof of its
    /// accuracy on the private test set (RISC Zero, zero-knowledge) -> verification -> report.
    Run(main_job::RunArgs),
    /// Transactions and features.
    #[command(subcommand)]
    Data(DataCommand),
    /// Train a model on a feature table; write model.json and the held-out test set.
    Train(TrainArgs),
    /// Prove the model's accuracy on a private test set with a zkVM (or the native baseline).
    Prove(ProveArgs),
    /// Verify a proof file and check its claim.
    Verify(VerifyArgs),
    /// List the zkVM backends and whether they can run here.
    Zkvms {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Benchmark backends over a sweep (each run its own measured process); ends with a report.
    Bench(BenchArgs),
    /// Execute each zkVM's guest (no proving) on the workload and report cycles per test row
    /// against the targets of docs/cycle-budget.md.
    Cycles(CyclesArgs),
    /// Build (or bring up to date) zkVM backends: guest and host, into the shared cache.
    Build {
        #[arg(required = true, value_delimiter = ',')]
        zkvms: Vec<String>,
    },
    /// Turn one or more results directories into a markdown report with plots.
    Report {
        /// Results directories (several merge into one report, grouped by machine).
        #[arg(required = true)]
        results: Vec<PathBuf>,
        #[arg(long, default_value = "report")]
        out: PathBuf,
        /// Merge records measured on different git revisions (refused by default).
        #[arg(long)]
        allow_mixed_revisions: bool,
    },
    /// The native baseline speaking the backend protocol (what `bench` runs as a child process).
    #[command(hide = true, name = "backend-native", disable_help_flag = true)]
    BackendNative {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<std::ffi::OsString>,
    },
}

#[derive(Args)]
struct CyclesArgs {
    #[arg(long, value_delimiter = ',', default_value = "risc0,sp1,openvm")]
    zkvms: Vec<String>,
    #[arg(long, value_delimiter = ',', default_value = "ridge,poly2")]
    models: Vec<String>,
    /// Test-set sizes; cycles per row are the marginal cost between the smallest and largest.
    #[arg(long, value_delimiter = ',', default_value = "100,1000")]
    rows: Vec<u32>,
    #[arg(long, value_delimiter = ',', value_enum, default_value = "on,off")]
    precompiles: Vec<Precompiles>,
    /// Synthetic customers [default: enough for the largest --rows].
    #[arg(long, default_value_t = 0)]
    customers: u64,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Where the workload, cycles.md and cycles.json go.
    #[arg(long, default_value = "cycles")]
    out: PathBuf,
}

#[derive(Args)]
struct BenchArgs {
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

#[derive(Subcommand)]
enum DataCommand {
    /// Generate deterministic synthetic transactions in the Kaggle retail schema.
    Synth {
        #[arg(long, default_value_t = 5000)]
        customers: u64,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// First day of the simulated period.
        #[arg(long, default_value = "2023-01-01")]
        start: NaiveDate,
        /// Length of the period in days.
        #[arg(long, default_value_t = 730)]
        days: u32,
        #[arg(long)]
        out: PathBuf,
    },
    /// Turn a transactions CSV into one row of RFM features per customer.
    Features(FeaturesArgs),
    /// Print the data commitment of a test set (publish it before proving).
    Commit {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        test: PathBuf,
        /// Secret 32-byte salt (hex) that makes the commitment hiding; default all zeros.
        #[arg(long)]
        salt: Option<String>,
    },
}

#[derive(Args)]
struct FeaturesArgs {
    #[arg(long)]
    input: PathBuf,
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    mapping: MappingArgs,
}

/// How a transactions file's columns map onto the Kaggle retail schema (`data features` and
/// `bench --transactions`).
#[derive(Args, Default)]
struct MappingArgs {
    /// Customer column [default: CustomerID].
    #[arg(long)]
    customer_col: Option<String>,
    /// Date column [default: TransactionDate].
    #[arg(long)]
    date_col: Option<String>,
    /// Amount column [default: TotalAmount].
    #[arg(long)]
    amount_col: Option<String>,
    /// Quantity column (default `Quantity` if present; `none`: every purchase is 1 unit).
    #[arg(long)]
    quantity_col: Option<String>,
    /// Unit price column (default `Price` if present; `none`: amount / quantity).
    #[arg(long)]
    price_col: Option<String>,
    /// Discount % column (default `DiscountApplied(%)` if present; `none`: 0).
    #[arg(long)]
    discount_col: Option<String>,
    /// chrono date format, e.g. `%Y-%m-%d`; default accepts `12/26/2023 12:32` and ISO dates.
    #[arg(long)]
    date_format: Option<String>,
    /// End of the observation window (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`); default: the
    /// last transaction minus the horizon.
    #[arg(long, value_parser = parse_cutoff)]
    cutoff: Option<String>,
    /// Days after the cutoff whose spend is the target [default: 90].
    #[arg(long)]
    horizon_days: Option<u32>,
}

impl MappingArgs {
    /// Sets the flags given into `data` (flags win over a config file).
    fn apply(self, data: &mut DataConfig) {
        let MappingArgs { customer_col, date_col, amount_col, quantity_col, price_col, discount_col, date_format, cutoff, horizon_days } =
            self;
        let set = |dst: &mut Option<String>, v: Option<String>| {
            if v.is_some() {
                *dst = v;
            }
        };
        set(&mut data.customer_col, customer_col);
        set(&mut data.date_col, date_col);
        set(&mut data.amount_col, amount_col);
        set(&mut data.quantity_col, quantity_col);
        set(&mut data.price_col, price_col);
        set(&mut data.discount_col, discount_col);
        set(&mut data.date_format, date_format);
        set(&mut data.cutoff, cutoff);
        if horizon_days.is_some() {
            data.horizon_days = horizon_days;
        }
    }
}

#[derive(Args)]
struct TrainArgs {
    #[arg(long)]
    features: PathBuf,
    /// linear | ridge | poly2 | poly3 | gbdt | mlp
    #[arg(long, default_value = "ridge", value_parser = parse_model)]
    model: ModelSpec,
    /// `auto` (k-fold cross-validation over a log grid) or a number. Linear models only.
    #[arg(long, default_value = "auto")]
    lambda: String,
    #[arg(long, default_value_t = 5)]
    folds: usize,
    #[command(flatten)]
    shape: ShapeArgs,
    #[arg(long, default_value_t = 0.2)]
    test_fraction: f64,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Target column; default: the one `spend_*` column.
    #[arg(long)]
    target: Option<String>,
    #[arg(long)]
    out: PathBuf,
    /// Where to write the held-out test split (the private test set).
    #[arg(long)]
    test_out: PathBuf,
    /// Where to write the training split (optional).
    #[arg(long)]
    train_out: Option<PathBuf>,
}

/// The size of a gbdt or mlp model (ignored by the linear models).
#[derive(Args, Clone, Debug)]
pub(crate) struct ShapeArgs {
    /// gbdt: number of trees.
    #[arg(long, default_value_t = zkml_train::GbdtParams::default().trees)]
    trees: usize,
    /// gbdt: depth of every tree.
    #[arg(long, default_value_t = zkml_train::GbdtParams::default().depth)]
    depth: u32,
    /// gbdt: learning rate (shrinkage of each tree).
    #[arg(long, default_value_t = zkml_train::GbdtParams::default().learning_rate)]
    learning_rate: f64,
    /// mlp: units of each hidden layer, comma-separated (e.g. 32,32).
    #[arg(long, default_value = "32,32", value_delimiter = ',')]
    hidden: Vec<u32>,
    /// mlp: training epochs (Adam, batches of 200).
    #[arg(long, default_value_t = zkml_train::MlpParams::default().epochs)]
    epochs: usize,
}

impl ShapeArgs {
    /// The hyperparameters of every family, the linear models' lambda included.
    pub(crate) fn hyper(&self, lambda: zkml_train::LambdaChoice) -> zkml_train::Hyper {
        zkml_train::Hyper {
            lambda,
            gbdt: zkml_train::GbdtParams { trees: self.trees, depth: self.depth, learning_rate: self.learning_rate, ..Default::default() },
            mlp: zkml_train::MlpParams { hidden: self.hidden.clone(), epochs: self.epochs, ..Default::default() },
        }
    }
}

impl Default for ShapeArgs {
    fn default() -> Self {
        let (g, m) = (zkml_train::GbdtParams::default(), zkml_train::MlpParams::default());
        ShapeArgs { trees: g.trees, depth: g.depth, learning_rate: g.learning_rate, hidden: m.hidden, epochs: m.epochs }
    }
}

#[derive(Args)]
struct ProveArgs {
    /// native | risc0 | sp1 | openvm
    #[arg(long)]
    zkvm: String,
    #[arg(long)]
    model: PathBuf,
    /// The private test set (CSV with the model's feature columns and target).
    #[arg(long)]
    test: PathBuf,
    #[arg(long)]
    out: PathBuf,
    /// Proof mode (see `zkml-bench zkvms`); default: the backend's first available.
    #[arg(long)]
    mode: Option<String>,
    /// Hash the test set with the zkVM's SHA-256 accelerator (on) or in software (off).
    #[arg(long, value_enum)]
    precompiles: Option<Precompiles>,
    /// Secret 32-byte salt (hex) for a hiding data commitment; default all zeros.
    #[arg(long)]
    salt: Option<String>,
    /// Refuse a backend/mode whose proofs do not claim zero-knowledge (that may reveal
    /// information about the private rows).
    #[arg(long)]
    require_zk: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct VerifyArgs {
    proof: PathBuf,
    /// Check the claim is about this model (its hash, kind and feature count).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Check the claim is about the test set with this commitment (hex).
    #[arg(long)]
    data_commitment: Option<String>,
    /// Check R² is at least this (a number at most 1).
    #[arg(long, allow_hyphen_values = true, value_parser = parse_min_r2)]
    min_r2: Option<f64>,
    /// Fail unless the file holds a real zkVM proof (the native baseline has none).
    #[arg(long)]
    require_proof: bool,
    #[arg(long)]
    json: bool,
}

fn parse_model(s: &str) -> Result<ModelSpec, String> {
    ModelSpec::parse(s).ok_or_else(|| {
        let names: Vec<&str> = ModelSpec::ALL.iter().map(|m| m.name()).collect();
        format!("unknown model {s:?}; choose {}", names.join(", "))
    })
}

fn parse_min_r2(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v <= 1.0 => Ok(v),
        Ok(v) => Err(format!("{v} is no R² threshold: R² is at most 1 (give a finite number <= 1)")),
        Err(_) => Err(format!("{s:?} is not a number")),
    }
}

fn parse_cutoff(s: &str) -> Result<String, String> {
    zkml_harness::workload::parse_cutoff(s).map(|_| s.to_string())
}

/// Exit statuses: 1 error, 2 the proof is invalid, 3 the claim misses an expectation.
const EXIT_INVALID_PROOF: u8 = 2;
const EXIT_EXPECTATION_FAILED: u8 = 3;

/// A usage error (unknown flag, bad value): not 1, 2 or 3, which `verify` gives meanings
/// (BSD's EX_USAGE).
const EXIT_USAGE: u8 = 64;
/// Interrupted (Ctrl-C, SIGTERM): 128 + SIGINT, as shells report it.
const EXIT_INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let usage = e.use_stderr();
            let _ = e.print();
            return if usage { ExitCode::from(EXIT_USAGE) } else { ExitCode::SUCCESS };
        }
    };
    // One handler for every command: the first Ctrl-C (or SIGTERM, SIGHUP) stops the running
    // backend, whose caller then cleans up and fails; a second one quits at once.
    let installed = ctrlc::set_handler(|| {
        if zkml_harness::process::INTERRUPTED.swap(true, Ordering::SeqCst) {
            // No destructor runs after exit: remove private directories and partial outputs now.
            zkml_protocol::files::remove_temporaries();
            std::process::exit(EXIT_INTERRUPTED as i32);
        }
        eprintln!("\ninterrupted: stopping the running backend (Ctrl-C again to quit at once)");
    });
    if let Err(e) = installed {
        eprintln!("error: installing the Ctrl-C handler: {e}");
        return ExitCode::from(1);
    }
    // Private rows a killed (SIGKILL) zkml-bench had to leave behind go now.
    let orphans = zkml_protocol::files::remove_orphaned_private_dirs();
    if orphans > 0 {
        eprintln!("removed {orphans} private temporary director{} left by a killed zkml-bench", if orphans == 1 { "y" } else { "ies" });
    }
    match run(cli.command) {
        Ok(_) if zkml_harness::process::INTERRUPTED.load(Ordering::SeqCst) => ExitCode::from(EXIT_INTERRUPTED),
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            if zkml_harness::process::INTERRUPTED.load(Ordering::SeqCst) {
                ExitCode::from(EXIT_INTERRUPTED)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Data(DataCommand::Synth { customers, seed, start, days, out }) => synth(customers, seed, start, days, &out)?,
        Command::Data(DataCommand::Features(args)) => features(args)?,
        Command::Data(DataCommand::Commit { model, test, salt }) => {
            let salt = salt_arg(salt.as_deref())?;
            let (_, words) = workflow::guest_input(&model, &test, &salt)?;
            let input = zkml_core::GuestInput::decode(&words)?;
            println!("{}", hex::encode(zkml_core::commit::data_commitment::<zkml_core::SoftwareSha256>(input.test_set_words)));
        }
        Command::Run(args) => return main_job::run(args),
        Command::Train(args) => train_cmd(args)?,
        Command::Prove(args) => prove(args)?,
        Command::Verify(args) => return verify(args),
        Command::Zkvms { json } => zkvms(json)?,
        Command::Bench(args) => bench(args)?,
        Command::Cycles(args) => cycles(args)?,
        Command::Build { zkvms } => {
            for name in zkvms {
                match zkml_harness::registry::resolve(&name, true)? {
                    zkml_harness::registry::BackendHandle::Native(_) => eprintln!("native: nothing to build"),
                    zkml_harness::registry::BackendHandle::Process(p) => println!("{name}: {}", p.exe.display()),
                }
            }
        }
        Command::Report { results, out, allow_mixed_revisions } => {
            let data = zkml_harness::report::Data::load(&results)?;
            for line in &data.skipped_lines {
                eprintln!("warning: skipped {line} (listed in the report)");
            }
            data.check_one_revision(allow_mixed_revisions)?;
            let path = zkml_harness::report::write_report(&data, &out)?;
            println!("wrote {} ({} runs from {} machine(s))", path.display(), data.records.len(), data.hosts.len());
        }
        Command::BackendNative { args } => {
            let argv = std::iter::once(std::ffi::OsString::from("zkml-bench backend-native")).chain(args);
            return Ok(zkml_protocol::run_cli_from(zkml_native::NativeBackend, argv));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn salt_arg(salt: Option<&str>) -> anyhow::Result<[u8; 32]> {
    salt.map(|s| workflow::parse_hex32(s, "--salt")).transpose().map(|s| s.unwrap_or([0; 32]))
}

fn synth(customers: u64, seed: u64, start: NaiveDate, days: u32, out: &Path) -> anyhow::Result<()> {
    if customers == 0 || days == 0 {
        bail!("--customers and --days must be at least 1");
    }
    let config = SynthConfig { customers, seed, start, days };
    let t = Instant::now();
    let summary = zkml_protocol::files::write_atomically(out, |w| write_transactions(&config, w).map_err(anyhow::Error::from))
        .with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "wrote {} transactions of {} customers ({} .. {}) to {} in {:.2}s (synthetic, seed {seed})",
        summary.transactions,
        summary.customers,
        summary.first.map(|d| d.to_string()).unwrap_or_default(),
        summary.last.map(|d| d.to_string()).unwrap_or_default(),
        out.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

fn features(a: FeaturesArgs) -> anyhow::Result<()> {
    zkml_protocol::files::check_outputs(&[("--out", &a.out)], &[("--input", &a.input)]).map_err(|e| anyhow::anyhow!(e))?;
    let mut data = DataConfig { transactions: Some(a.input.clone()), ..Default::default() };
    a.mapping.apply(&mut data);
    data.validate()?;
    let (mapping, options) = (data.mapping(), data.feature_options()?);
    let horizon_days = options.horizon_days;
    let t = Instant::now();
    let (table, s) = build_features(&a.input, &mapping, &options)?;
    let secs = t.elapsed().as_secs_f64();
    table.write_csv(&a.out)?;
    eprintln!("transactions read     {} ({} .. {})", s.transactions, s.first, s.last);
    eprintln!("observation window    .. {} (cutoff)", s.cutoff);
    eprintln!("target window         ({} .. {}] = {} days", s.cutoff, s.horizon_end, horizon_days);
    eprintln!("customers seen        {}", s.customers_seen);
    eprintln!("customers written     {}", s.customers_kept);
    eprintln!("excluded (no purchase in the observation window)  {}", s.customers_excluded_no_history);
    eprintln!("transactions after the target window (ignored)    {}", s.transactions_after_horizon);
    eprintln!(
        "throughput            {:.0} transactions/s end to end ({:.2}s, {} pass{} over the file)",
        s.transactions as f64 / secs,
        secs,
        s.passes,
        if s.passes == 1 { "" } else { "es" }
    );
    eprintln!("wrote {}", a.out.display());
    Ok(())
}

fn print_metrics(label: &str, m: &RegressionMetrics) {
    eprintln!("  {label:<12} MSE {:>16.4}  RMSE {:>12.4}  MAE {:>12.4}  R² {:>9.6}", m.mse, m.rmse, m.mae, m.r2);
}

/// A model trained on one split of a feature table, with its test split and metrics.
pub(crate) struct Trained {
    pub file: ModelFile,
    pub test: FeatureTable,
    pub f64_metrics: RegressionMetrics,
    pub fixed_metrics: RegressionMetrics,
    pub lambda: LambdaChoice,
    /// The model's size in words (`6 weights`, `100 trees of depth 4 ...`).
    pub shape: String,
    pub train_rows: usize,
    pub n_features: usize,
    pub secs: f64,
}

/// Splits `table`, trains `spec` on the training part and evaluates it on the test part, in
/// f64 and in the fixed point the guests use.
#[derive(Clone)]
pub(crate) struct TrainSettings<'a> {
    pub spec: ModelSpec,
    /// `auto` or a number.
    pub lambda: &'a str,
    pub folds: usize,
    pub test_fraction: f64,
    pub seed: u64,
    pub shape: ShapeArgs,
}

pub(crate) fn train_split(
    table: &FeatureTable,
    settings: &TrainSettings<'_>,
    features_file: &Path,
    train_out: Option<&Path>,
) -> anyhow::Result<Trained> {
    let TrainSettings { spec, lambda, folds, test_fraction, seed, ref shape } = *settings;
    let (train_t, test_t) = table.split(test_fraction, seed)?;
    let lambda = match (spec, lambda) {
        (ModelSpec::Linear, "auto") => LambdaChoice::Fixed(0.0),
        (_, "auto") => LambdaChoice::CrossValidated { folds },
        (_, s) => LambdaChoice::Fixed(s.parse::<f64>().map_err(|_| anyhow::anyhow!("--lambda must be `auto` or a number, got {s:?}"))?),
    };
    let t = Instant::now();
    let model = train_model(&train_t, spec, &shape.hyper(lambda), seed)?;
    let secs = t.elapsed().as_secs_f64();
    let mut file = ModelFile::new(&model, train_t.feature_names.clone(), train_t.target_name.clone())?;
    let f = f64_metrics(&model, &test_t);
    let branch_differences = match &model {
        zkml_train::Model::Trees { forest, .. } => Some(forest.branch_differences(&test_t, &file.fixed_point.column_frac_bits)),
        _ => None,
    };
    let words = file.guest_input(&test_t, &[0; 32]).map_err(|e| anyhow::anyhow!("test split: {e}"))?;
    let (q, _) = fixed_metrics(&words)?;
    file.training = Some(zkml_train::model_file::TrainingInfo {
        train_rows: train_t.n_rows(),
        test_rows: test_t.n_rows(),
        test_fraction,
        seed,
        features_file: features_file.display().to_string(),
        test_f64: f,
        test_fixed: q,
        branch_differences,
    });
    if let Some(p) = train_out {
        train_t.write_csv(p)?;
    }
    Ok(Trained {
        shape: model.shape(),
        train_rows: train_t.n_rows(),
        n_features: train_t.n_features(),
        file,
        test: test_t,
        f64_metrics: f,
        fixed_metrics: q,
        lambda,
        secs,
    })
}

/// "λ = 1e0 (5-fold CV)" or "λ = 0"; empty for the models that have none.
pub(crate) fn lambda_label(t: &Trained) -> String {
    if !t.file.model.is_affine() {
        return String::new();
    }
    match t.lambda {
        LambdaChoice::CrossValidated { folds } => format!("{:.2e} ({folds}-fold CV)", t.file.lambda),
        LambdaChoice::Fixed(l) => format!("{l}"),
    }
}

fn train_cmd(a: TrainArgs) -> anyhow::Result<()> {
    let mut outputs = vec![("--out", a.out.as_path()), ("--test-out", a.test_out.as_path())];
    outputs.extend(a.train_out.as_deref().map(|p| ("--train-out", p)));
    zkml_protocol::files::check_outputs(&outputs, &[("--features", &a.features)]).map_err(|e| anyhow::anyhow!(e))?;
    let table = FeatureTable::read_csv(&a.features, a.target.as_deref(), None)?;
    let settings = TrainSettings {
        spec: a.model,
        lambda: &a.lambda,
        folds: a.folds,
        test_fraction: a.test_fraction,
        seed: a.seed,
        shape: a.shape.clone(),
    };
    let t = train_split(&table, &settings, &a.features, a.train_out.as_deref())?;
    t.test.write_csv(&a.test_out)?;
    t.file.save(&a.out)?;
    let lambda = lambda_label(&t);
    eprintln!(
        "trained {} on {} rows ({} features{}, {}) in {:.2}s{}",
        a.model.name(),
        t.train_rows,
        t.n_features,
        if a.model.degree() > 1 { format!(", degree {}", a.model.degree()) } else { String::new() },
        t.shape,
        t.secs,
        if lambda.is_empty() { String::new() } else { format!("; lambda = {lambda}") }
    );
    eprintln!("test set: {} rows", t.test.n_rows());
    print_metrics("f64", &t.f64_metrics);
    print_metrics("fixed point", &t.fixed_metrics);
    eprintln!(
        "  gap          MSE {:.2e} relative, R² {:.2e} absolute (fixed point: 32-bit values, column scales 2^-{:?})",
        ((t.fixed_metrics.mse - t.f64_metrics.mse) / t.f64_metrics.mse).abs(),
        (t.fixed_metrics.r2 - t.f64_metrics.r2).abs(),
        t.file.fixed_point.column_frac_bits
    );
    if let Some(d) = t.file.training.as_ref().and_then(|i| i.branch_differences) {
        eprintln!(
            "  branches     {d} of {} test rows take another branch in fixed point than in f64 (thresholds at each feature's scale)",
            t.test.n_rows()
        );
    }
    eprintln!("model hash {}", t.file.model_hash);
    eprintln!("wrote {} and {}", a.out.display(), a.test_out.display());
    Ok(())
}

fn fmt_secs(s: f64) -> String {
    if s < 1e-3 {
        format!("{:.1}µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.2}ms", s * 1e3)
    } else {
        format!("{s:.3}s")
    }
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map(fmt_secs).unwrap_or_else(|| "-".into())
}

fn print_claim(c: &ClaimSummary) {
    println!("  model            {} (hash {})", c.model, c.model_hash);
    println!("  test set         {} rows x {} features (commitment {})", c.n_rows, c.n_features, c.data_commitment);
    println!("  MSE              {:.6}", c.mse);
    println!("  RMSE             {:.6}", c.rmse);
    println!("  R²               {:.6}", c.r2);
}

fn prove(a: ProveArgs) -> anyhow::Result<()> {
    let salt = salt_arg(a.salt.as_deref())?;
    let req = ProveRequest {
        zkvm: &a.zkvm,
        model: &a.model,
        test: &a.test,
        out: &a.out,
        mode: a.mode.as_deref(),
        precompiles: a.precompiles,
        salt,
        require_zk: a.require_zk,
    };
    let t = Instant::now();
    let r = workflow::prove(&req)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    print_proven(&r, t.elapsed().as_secs_f64());
    Ok(())
}

pub(crate) fn print_proven(p: &workflow::Proven, secs: f64) {
    let r = &p.report;
    if !r.real_proof {
        println!("NOTE: backend {} produces NO PROOF (mode {}): this file records a claim that nobody can verify.", r.backend, r.mode);
    }
    println!("{} claim written to {} ({})", r.backend, r.proof_path, fmt_secs(secs));
    print_claim(&r.claim);
    println!("  mode             {} ({} proof, precompiles {})", r.mode, p.privacy.family, r.precompiles);
    println!("  privacy          {}", p.privacy.line());
    if let Some(c) = &r.cycles {
        println!("  cycles           {}", c.total);
    }
    println!(
        "  phases           setup {} execute {} prove {} compress {}",
        fmt_opt(r.phases.setup_s),
        fmt_opt(r.phases.execute_s),
        fmt_opt(r.phases.prove_s),
        fmt_opt(r.phases.compress_s)
    );
    println!("  proof bytes      {}", r.proof_bytes);
    if let Some(a) = &p.agreement {
        println!("  native check     {}", a.line());
    }
    for note in &r.notes {
        println!("  note             {note}");
    }
}

fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let expect = Expectations {
        model: a.model.as_deref().map(ModelFile::load).transpose()?,
        data_commitment: a.data_commitment.as_deref().map(|s| workflow::parse_hex32(s, "--data-commitment")).transpose()?,
        min_r2: a.min_r2,
        require_proof: a.require_proof,
    };
    let out = workflow::verify(&a.proof, &expect)?;
    let r = &out.report;
    if a.json {
        let doc = serde_json::json!({ "report": r, "header": out.proof.header, "failures": out.failures, "program": out.program });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        let h = &out.proof.header;
        println!("proof file  {}", a.proof.display());
        println!("  backend          {} ({}), mode {}, precompiles {}", h.backend, h.sdk, h.mode, h.precompiles);
        print_claim(&r.claim);
        match (&out.program, &h.program_id) {
            (Some(p), _) => println!(
                "  program          {} {} (guest ELF sha256 {}, this build's, precompiles {})",
                p.id_kind,
                p.id.as_deref().or(h.program_id.as_deref()).unwrap_or("unknown"),
                p.elf_sha256,
                p.precompiles
            ),
            (None, Some(id)) => println!("  program          {id} (as the proof's header names it)"),
            (None, None) => {}
        }
        if !r.real_proof {
            println!("WARNING: backend {} made no proof: the claim above is NOT cryptographically verified.", h.backend);
        } else if r.valid {
            println!("  proof            VALID (verified in {})", fmt_secs(r.verify_s));
        }
    }
    if !r.valid {
        eprintln!("INVALID: {}", r.reason.as_deref().unwrap_or("the proof does not verify"));
        return Ok(ExitCode::from(EXIT_INVALID_PROOF));
    }
    if !out.failures.is_empty() {
        for f in &out.failures {
            eprintln!("FAILED: {f}");
        }
        return Ok(ExitCode::from(EXIT_EXPECTATION_FAILED));
    }
    if !a.json && (a.model.is_some() || a.data_commitment.is_some() || a.min_r2.is_some()) {
        println!("  checks           all passed");
    }
    Ok(ExitCode::SUCCESS)
}

fn zkvms(json: bool) -> anyhow::Result<()> {
    use zkml_harness::registry::{resolve, BackendHandle, ZKVMS};
    use zkml_protocol::Backend;
    let mut rows = Vec::new();
    for name in ZKVMS {
        let entry = match resolve(name, false) {
            Ok(BackendHandle::Native(n)) => serde_json::json!({ "name": name, "available": true, "info": n.info() }),
            Ok(BackendHandle::Process(p)) => match p.info() {
                Ok(info) => serde_json::json!({ "name": name, "available": true, "info": info }),
                Err(e) => serde_json::json!({ "name": name, "available": false, "reason": format!("{e:#}") }),
            },
            Err(e) => serde_json::json!({ "name": name, "available": false, "reason": format!("{e:#}") }),
        };
        rows.push(entry);
    }
    let tree = zkml_harness::registry::source_tree();
    let cache = zkml_harness::registry::cache_dir();
    if json {
        let doc = serde_json::json!({
            "source_tree": tree.as_ref().map(|t| t.root.display().to_string()),
            "source_tree_found_by": tree.as_ref().map(|t| t.found_by),
            "cache": cache.display().to_string(),
            "backends": rows,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        match &tree {
            Some(t) => println!("source tree  {} (found by {}; backends are built from it)", t.root.display(), t.found_by),
            None => {
                println!("source tree  none found: set {} to a zkml-bench checkout to build backends", zkml_harness::registry::SOURCE_ENV)
            }
        }
        println!("build cache  {} (ZKML_CACHE)", cache.display());
        for r in rows {
            if r["available"].as_bool() == Some(true) {
                let i = &r["info"];
                let modes: Vec<String> = i["proof_modes"]
                    .as_array()
                    .map(|ms| {
                        ms.iter()
                            .map(|m| {
                                let zk = if m["zero_knowledge"] == true && i["produces_proofs"] == true { ", ZK" } else { "" };
                                let here = if m["available"] == true { "" } else { ", not here" };
                                format!("{} ({}{zk}{here})", m["name"].as_str().unwrap_or("?"), m["family"].as_str().unwrap_or("none"))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                println!(
                    "{:<8} available   {} | {}{} | modes: {}",
                    r["name"].as_str().unwrap(),
                    i["sdk"].as_str().unwrap_or(""),
                    i["proof_system"].as_str().unwrap_or("").chars().take(60).collect::<String>(),
                    if i["proof_system"].as_str().is_some_and(|p| p.chars().count() > 60) { "..." } else { "" },
                    modes.join(", ")
                );
                for p in i["programs"].as_array().into_iter().flatten() {
                    println!(
                        "         guest precompiles-{:<3} elf sha256 {} | {} {}",
                        p["precompiles"].as_str().unwrap_or("?"),
                        p["elf_sha256"].as_str().unwrap_or("?"),
                        p["id_kind"].as_str().unwrap_or("id"),
                        p["id"].as_str().unwrap_or("(known after the first prove or verify)")
                    );
                }
            } else {
                println!("{:<8} unavailable {}", r["name"].as_str().unwrap(), r["reason"].as_str().unwrap_or(""));
            }
        }
    }
    Ok(())
}

fn cycles(a: CyclesArgs) -> anyhow::Result<()> {
    use zkml_harness::{bench::BenchConfig, cycles};
    let config = BenchConfig {
        zkvms: a.zkvms,
        models: a.models,
        rows: a.rows,
        precompiles: a.precompiles,
        customers: a.customers,
        seed: a.seed,
        reps: 1,
        ..BenchConfig::default()
    };
    config.validate()?;
    std::fs::create_dir_all(&a.out)?;
    let records = cycles::measure(&config, &a.out, &std::env::current_exe()?, |line| eprintln!("{line}"))?;
    let revision = zkml_harness::hostinfo::git_revision().unwrap_or_else(|| "unknown".into());
    let host = zkml_harness::hostinfo::HostInfo::detect();
    let md = format!(
        "Guest executions (no proving) at revision `{revision}` on {}: user cycles for RISC Zero, total cycles for SP1 and \
         OpenVM; per row = the marginal cost between {} and {} rows.\n\n{}",
        host.label(),
        config.rows.iter().min().unwrap_or(&0),
        config.rows.iter().max().unwrap_or(&0),
        cycles::markdown(&records)
    );
    let json = serde_json::json!({ "revision": revision, "host": host, "records": records });
    zkml_protocol::files::write_bytes_atomically(&a.out.join("cycles.json"), &serde_json::to_vec_pretty(&json)?)?;
    zkml_protocol::files::write_bytes_atomically(&a.out.join("cycles.md"), md.as_bytes())?;
    print!("{md}");
    Ok(())
}

fn bench(a: BenchArgs) -> anyhow::Result<()> {
    use zkml_harness::bench::{self, BenchConfig, Event, SweepOptions};
    let mut config = match &a.config {
        Some(p) => BenchConfig::from_toml(p)?,
        None => BenchConfig::default(),
    };
    if let Some(v) = a.zkvms {
        config.zkvms = v;
    }
    if let Some(v) = a.models {
        config.models = v;
    }
    if let Some(v) = a.rows {
        config.rows = v;
    }
    if let Some(v) = a.precompiles {
        config.precompiles = v;
    }
    if let Some(v) = a.modes {
        config.modes = v;
    }
    if let Some(v) = a.reps {
        config.reps = v;
    }
    if let Some(v) = a.timeout {
        config.timeout_s = v;
    }
    if let Some(v) = a.single_rep_above {
        config.single_rep_above_s = Some(v);
    }
    if let Some(v) = a.customers {
        config.customers = v;
    }
    if let Some(v) = a.seed {
        config.seed = v;
    }
    if let Some(v) = a.transactions {
        config.data.transactions = Some(v);
        config.data.features = None;
    }
    if let Some(v) = a.features {
        config.data.features = Some(v);
        config.data.transactions = None;
    }
    if let Some(v) = a.target {
        config.data.target = Some(v);
    }
    a.mapping.apply(&mut config.data);
    for (name, path) in a.backends {
        if !config.zkvms.contains(&name) {
            config.zkvms.push(name.clone());
        }
        config.backends.insert(name, path);
    }
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
        let inputs = zkml_harness::workload::existing_workload(&config, &a.out);
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
        let inputs = bench::prepare_workload(&config, &a.out)?;
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
    let existing = if a.out.exists() { zkml_harness::results::load(&a.out)? } else { Default::default() };
    let todo = bench::pending(&plan, &existing.records, a.force, a.retry_failed);
    eprintln!("plan: {} runs, {} of them still to run", plan.len(), todo.len());
    if !a.estimate_from.is_empty() {
        let data = zkml_harness::report::Data::load(&a.estimate_from)?;
        let keys: Vec<&zkml_harness::results::RunKey> = todo.iter().map(|p| &p.key).collect();
        let estimate = zkml_harness::estimate::estimate(&keys, config.single_rep_above_s, &data);
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
            interrupt: &zkml_harness::process::INTERRUPTED,
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
        a.out.join(zkml_harness::results::RESULTS_FILE).display()
    );
    for n in &summary.not_repeated {
        eprintln!("note: {n}");
    }
    if summary.interrupted {
        eprintln!("interrupted: rerun the same command to resume");
        return Ok(());
    }
    if !a.no_report {
        let data = zkml_harness::report::Data::load(std::slice::from_ref(&a.out))?;
        if let Err(e) = data.check_one_revision(false) {
            eprintln!("report not written: {e:#}");
            return Ok(());
        }
        let path = zkml_harness::report::write_report(&data, &a.out.join("report"))?;
        eprintln!("report: {}", path.display());
    }
    Ok(())
}

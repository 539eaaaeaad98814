//! `zkml-bench data`: synthetic transactions, features from a transactions file, and the data
//! commitment of a test set.

use crate::output::salt_arg;
use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Instant;
use zkml_data::features::build_features;
use zkml_data::synth::{write_transactions, SynthConfig};
use zkml_harness::run::config::DataConfig;
use zkml_harness::run::workflow;

#[derive(Subcommand)]
pub(crate) enum DataCommand {
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
        /// The commitment of the test set proven in chunks of this many rows (`prove
        /// --chunk-rows`): over the chunks' commitments, each chunk under its own derived salt.
        #[arg(long)]
        chunk_rows: Option<u32>,
    },
}

#[derive(Args)]
pub(crate) struct FeaturesArgs {
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
pub(crate) struct MappingArgs {
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
    /// The flags given, as data settings to lay over a configuration ([`DataConfig::apply`]).
    pub(crate) fn into_data(self) -> DataConfig {
        let MappingArgs { customer_col, date_col, amount_col, quantity_col, price_col, discount_col, date_format, cutoff, horizon_days } =
            self;
        DataConfig {
            customer_col,
            date_col,
            amount_col,
            quantity_col,
            price_col,
            discount_col,
            date_format,
            cutoff,
            horizon_days,
            ..Default::default()
        }
    }
}

/// Runs a `data` subcommand.
pub(crate) fn run(command: DataCommand) -> anyhow::Result<()> {
    match command {
        DataCommand::Synth { customers, seed, start, days, out } => synth(customers, seed, start, days, &out),
        DataCommand::Features(args) => features(args),
        DataCommand::Commit { model, test, salt, chunk_rows: Some(n) } => {
            let salt = salt_arg(salt.as_deref())?;
            println!("{}", hex::encode(workflow::chunk_inputs(&model, &test, &salt, n)?.commitment));
            Ok(())
        }
        DataCommand::Commit { model, test, salt, chunk_rows: None } => {
            let salt = salt_arg(salt.as_deref())?;
            let (_, words) = workflow::guest_input(&model, &test, &salt)?;
            let input = zkml_core::GuestInput::decode(&words)?;
            println!("{}", hex::encode(zkml_core::commit::data_commitment::<zkml_core::SoftwareSha256>(input.test_set_words)));
            Ok(())
        }
    }
}

pub(crate) fn parse_cutoff(s: &str) -> Result<String, String> {
    zkml_harness::run::config::parse_cutoff(s).map(|_| s.to_string())
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
    data.apply(a.mapping.into_data());
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

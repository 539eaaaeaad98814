//! The sweep's workload: the data (synthetic transactions by default, or the user's
//! transactions or feature table), one model per kind trained on the same split, and one guest
//! input per (model, test-set size), all written under `OUT/workload/`.

use anyhow::{bail, Context};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zkml_data::features::{build_features, FeatureOptions};
use zkml_data::synth::{write_transactions, SynthConfig};
use zkml_data::table::FeatureTable;
use zkml_data::transactions::{ColumnMapping, OptionalColumn};
use zkml_train::{named_model, train_model, ModelFile};

use crate::bench::BenchConfig;

/// Where the data comes from, and how a transactions file's columns map (the same names as
/// the flags of `data features`). Every field is optional: nothing set means synthetic data.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataConfig {
    /// A transactions CSV, turned into one row of features per customer.
    pub transactions: Option<PathBuf>,
    /// A feature table (as `data features` writes) instead of transactions.
    pub features: Option<PathBuf>,
    /// The target column of a feature table [default: its one `spend_*` column].
    pub target: Option<String>,
    /// [default: CustomerID]
    pub customer_col: Option<String>,
    /// [default: TransactionDate]
    pub date_col: Option<String>,
    /// [default: TotalAmount]
    pub amount_col: Option<String>,
    /// [default: Quantity if present; `none`: every purchase is 1 unit]
    pub quantity_col: Option<String>,
    /// [default: Price if present; `none`: amount / quantity]
    pub price_col: Option<String>,
    /// [default: DiscountApplied(%) if present; `none`: 0]
    pub discount_col: Option<String>,
    /// chrono format, e.g. `%Y-%m-%d` [default: `12/26/2023 12:32` and ISO dates]
    pub date_format: Option<String>,
    /// End of the observation window, `YYYY-MM-DD[ HH:MM:SS]` [default: last transaction minus the horizon]
    pub cutoff: Option<String>,
    /// [default: 90]
    pub horizon_days: Option<u32>,
}

/// Parses a cutoff: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM:SS`.
pub fn parse_cutoff(s: &str) -> Result<NaiveDateTime, String> {
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)"))
}

impl DataConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.transactions.is_some() && self.features.is_some() {
            bail!("give either a transactions file or a feature table, not both");
        }
        let mapping_set = [&self.customer_col, &self.date_col, &self.amount_col, &self.quantity_col, &self.price_col, &self.discount_col]
            .iter()
            .any(|c| c.is_some())
            || self.date_format.is_some()
            || self.cutoff.is_some()
            || self.horizon_days.is_some();
        if mapping_set && self.transactions.is_none() {
            bail!("column mapping, cutoff and horizon apply to a transactions file; none was given");
        }
        if self.target.is_some() && self.features.is_none() {
            bail!("a target column applies to a feature table; none was given");
        }
        if let Some(c) = &self.cutoff {
            parse_cutoff(c).map_err(|e| anyhow::anyhow!("cutoff: {e}"))?;
        }
        if self.horizon_days == Some(0) {
            bail!("the horizon must be at least 1 day");
        }
        Ok(())
    }

    /// The column mapping of a transactions file.
    pub fn mapping(&self) -> ColumnMapping {
        let d = ColumnMapping::default();
        ColumnMapping {
            customer: self.customer_col.clone().unwrap_or(d.customer),
            date: self.date_col.clone().unwrap_or(d.date),
            amount: self.amount_col.clone().unwrap_or(d.amount),
            quantity: OptionalColumn::from_flag(self.quantity_col.as_deref(), "Quantity"),
            price: OptionalColumn::from_flag(self.price_col.as_deref(), "Price"),
            discount: OptionalColumn::from_flag(self.discount_col.as_deref(), "DiscountApplied(%)"),
            date_format: self.date_format.clone(),
        }
    }

    pub fn feature_options(&self) -> anyhow::Result<FeatureOptions> {
        let cutoff = self.cutoff.as_deref().map(parse_cutoff).transpose().map_err(|e| anyhow::anyhow!("cutoff: {e}"))?;
        Ok(FeatureOptions { cutoff, horizon_days: self.horizon_days.unwrap_or(90) })
    }

    /// For people and reports: what the data is.
    pub fn describe(&self, config: &BenchConfig) -> String {
        match (&self.transactions, &self.features) {
            (Some(t), _) => format!("transactions {}", t.display()),
            (_, Some(f)) => format!("feature table {}", f.display()),
            _ => format!("synthetic transactions (seed {})", config.seed),
        }
    }
}

/// One guest input of the workload.
pub struct Input {
    pub model: String,
    pub rows: u32,
    pub path: PathBuf,
    /// Fingerprint of the input bytes: resume only reuses records of the same input.
    pub id: String,
    /// The native claim (`None` only in a dry run's plan for an input not prepared yet).
    pub expected: Option<zkml_core::Claim>,
}

/// The share of customers held out as the private test set.
pub const TEST_FRACTION: f64 = 0.2;

/// Builds the feature table the sweep uses, written to `w/features.csv`.
fn feature_table(config: &BenchConfig, w: &Path) -> anyhow::Result<FeatureTable> {
    let data = &config.data;
    let table = if let Some(tx) = &data.transactions {
        build_features(tx, &data.mapping(), &data.feature_options()?).with_context(|| format!("building features from {}", tx.display()))?.0
    } else if let Some(f) = &data.features {
        FeatureTable::read_csv(f, data.target.as_deref(), None)?
    } else {
        let max_rows = *config.rows.iter().max().expect("validated: rows is not empty") as u64;
        // ~97% of customers buy before the cutoff; leave a margin.
        let needed = ((max_rows as f64 / TEST_FRACTION) * 1.15).ceil() as u64;
        let customers = if config.customers > 0 { config.customers } else { needed.max(5000) };
        let tx = w.join("transactions.csv");
        let synth = SynthConfig { customers, seed: config.seed, ..Default::default() };
        zkml_protocol::files::write_atomically(&tx, |f| write_transactions(&synth, f).map_err(anyhow::Error::from))?;
        build_features(&tx, &ColumnMapping::default(), &FeatureOptions::default())?.0
    };
    table.write_csv(&w.join("features.csv"))?;
    Ok(table)
}

/// Generates the workload deterministically under `dir/workload`: the feature table, one
/// model per kind (trained on the same split), and a guest input per (model, rows) holding the
/// first `rows` rows of the test split. A size above the test split is an error naming both.
/// The inputs a sweep into `dir` would use, generating nothing (`bench --dry-run` touches no
/// file): an input already prepared there is read, so that resuming counts as it will; one not
/// prepared yet is a placeholder (empty id: all its runs count as still to run).
pub fn existing_workload(config: &BenchConfig, dir: &Path) -> Vec<Input> {
    let w = dir.join("workload");
    let mut inputs = Vec::new();
    for name in &config.models {
        for &rows in &config.rows {
            let path = w.join(format!("input-{name}-{rows}.bin"));
            let id = std::fs::read(&path).map(|bytes| hex::encode(&Sha256::digest(&bytes)[..8])).unwrap_or_default();
            inputs.push(Input { model: name.clone(), rows, path, id, expected: None });
        }
    }
    inputs
}

pub fn prepare_workload(config: &BenchConfig, dir: &Path) -> anyhow::Result<Vec<Input>> {
    let w = dir.join("workload");
    std::fs::create_dir_all(&w)?;
    let table = feature_table(config, &w)?;
    let (train_t, test_t) = table.split(TEST_FRACTION, config.seed)?;
    let max_rows = *config.rows.iter().max().expect("validated: rows is not empty") as usize;
    if test_t.n_rows() < max_rows {
        let too_big: Vec<String> = config.rows.iter().filter(|&&r| r as usize > test_t.n_rows()).map(|r| r.to_string()).collect();
        let hint = if config.data.transactions.is_some() || config.data.features.is_some() {
            format!(
                "{} customers give {} test rows ({}% held out); use smaller --rows or more data",
                table.n_rows(),
                test_t.n_rows(),
                TEST_FRACTION * 100.0
            )
        } else {
            "raise --customers".to_string()
        };
        bail!(
            "--rows {} exceed{} the {} rows of the private test split of {}: {hint}",
            too_big.join(","),
            if too_big.len() == 1 { "s" } else { "" },
            test_t.n_rows(),
            config.data.describe(config)
        );
    }
    let mut inputs = Vec::new();
    for name in &config.models {
        let (spec, hyper) = named_model(name).map_err(|e| anyhow::anyhow!(e))?;
        let model = train_model(&train_t, spec, &hyper, config.seed)?;
        let file = ModelFile::new(&model, train_t.feature_names.clone(), train_t.target_name.clone())?;
        file.save(&w.join(format!("model-{name}.json")))?;
        for &rows in &config.rows {
            let subset = test_t.head(rows as usize);
            let words = file.guest_input(&subset, &[0; 32]).map_err(|e| anyhow::anyhow!("{name}, {rows} rows: {e}"))?;
            let expected = zkml_core::evaluate_words::<zkml_core::SoftwareSha256>(&words)?;
            let bytes = zkml_core::words_as_bytes(&words);
            let path = w.join(format!("input-{name}-{rows}.bin"));
            zkml_protocol::files::write_bytes_atomically(&path, bytes)?;
            let id = hex::encode(&Sha256::digest(bytes)[..8]);
            inputs.push(Input { model: name.clone(), rows, path, id, expected: Some(expected) });
        }
    }
    Ok(inputs)
}

//! What a sweep runs, from flags and/or a TOML file: the backends, models, sizes, settings and
//! repetitions ([`BenchConfig`]) and where its data comes from ([`DataConfig`]).

use anyhow::{bail, Context};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zkml_data::features::FeatureOptions;
use zkml_data::transactions::{ColumnMapping, OptionalColumn};
use zkml_protocol::Precompiles;

use crate::catalogue::Backend;

/// A sweep, from flags and/or a TOML file. Every field has a default (see [`BenchConfig::default`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BenchConfig {
    /// Backends to run; unavailable ones are reported and skipped.
    pub zkvms: Vec<String>,
    pub models: Vec<String>,
    /// Test-set sizes (rows of the private test set proven per run).
    pub rows: Vec<u32>,
    /// Backends run only the settings they support (native: off).
    pub precompiles: Vec<Precompiles>,
    /// Proof modes; empty: each backend's default mode.
    pub modes: Vec<String>,
    pub reps: u32,
    /// Per-process limit in seconds (prove and verify each).
    pub timeout_s: u64,
    /// Repeat a configuration only while its first repetition succeeded with a prove process
    /// of at most this many seconds (a proof that takes longer, or fails, runs once); `None`:
    /// every configuration runs `reps` times.
    pub single_rep_above_s: Option<u64>,
    /// Synthetic customers; 0: enough for the largest `rows` (at least 5,000).
    pub customers: u64,
    pub seed: u64,
    /// The user's data instead of synthetic transactions (`[data]` in TOML).
    pub data: DataConfig,
    /// Extra backend binaries, `name -> path` (e.g. a host built elsewhere).
    pub backends: BTreeMap<String, PathBuf>,
    /// Issue #36: rows per chunk of the `chunked` mode (each chunk proven by its own process,
    /// then one aggregation process); `None`: that mode is not run. Records carry it.
    pub chunk_rows: Option<u32>,
}

impl Default for BenchConfig {
    /// The default sweep: each zkVM proves 2 models × 2 test-set sizes × 2 precompile settings
    /// × 3 repetitions = 24 proofs. Sized from measurements on a 2-core machine: OpenVM needs
    /// about 20 minutes for it (1,000 rows with software SHA-256 would take ~5 minutes a proof),
    /// so the sweep stays under an hour per zkVM while showing scaling and the precompile effect.
    fn default() -> Self {
        BenchConfig {
            zkvms: Backend::ALL.iter().filter(|b| b.unavailable_because().is_none()).map(|b| b.name().to_string()).collect(),
            models: vec!["ridge".into(), "poly2".into()],
            rows: vec![100, 300],
            precompiles: vec![Precompiles::On, Precompiles::Off],
            modes: vec![],
            reps: 3,
            timeout_s: 30 * 60,
            single_rep_above_s: None,
            customers: 0,
            seed: 7,
            data: DataConfig::default(),
            backends: BTreeMap::new(),
            chunk_rows: None,
        }
    }
}

impl BenchConfig {
    pub fn from_toml(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{}: invalid bench configuration", path.display()))
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if self.zkvms.is_empty() || self.models.is_empty() || self.rows.is_empty() || self.precompiles.is_empty() {
            bail!("the sweep is empty: zkvms, models, rows and precompiles need at least one value each");
        }
        for m in &self.models {
            zkml_train::named_model(m).map_err(|e| anyhow::anyhow!(e))?;
        }
        if self.rows.contains(&0) {
            bail!("--rows must be positive");
        }
        if self.reps == 0 {
            bail!("--reps must be at least 1");
        }
        if self.timeout_s == 0 {
            bail!("--timeout must be positive");
        }
        if self.single_rep_above_s == Some(0) {
            bail!("--single-rep-above must be positive");
        }
        if self.chunk_rows == Some(0) {
            bail!("--chunk-rows must be at least 1");
        }
        let chunked = self.modes.iter().any(|m| m == crate::run::chunked::MODE_CHUNKED);
        if chunked != self.chunk_rows.is_some() {
            bail!("mode chunked and --chunk-rows go together: chunk proofs need a chunk size, and a chunk size needs --modes chunked");
        }
        self.data.validate()?;
        Ok(())
    }
}

/// Settings laid over a configuration (the command line's flags over a TOML file): each one
/// given replaces the configuration's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub zkvms: Option<Vec<String>>,
    pub models: Option<Vec<String>>,
    pub rows: Option<Vec<u32>>,
    pub precompiles: Option<Vec<Precompiles>>,
    pub modes: Option<Vec<String>>,
    pub reps: Option<u32>,
    pub timeout_s: Option<u64>,
    pub single_rep_above_s: Option<u64>,
    pub customers: Option<u64>,
    pub seed: Option<u64>,
    pub chunk_rows: Option<u32>,
    /// The data settings given ([`DataConfig::apply`]).
    pub data: DataConfig,
    /// Extra backend binaries, `name -> path`: each is added to the backends to run.
    pub backends: Vec<(String, PathBuf)>,
}

impl BenchConfig {
    /// Lays `o` over this configuration: what `o` gives wins.
    pub fn apply(&mut self, o: Overrides) {
        fn set<T>(dst: &mut T, v: Option<T>) {
            if let Some(v) = v {
                *dst = v;
            }
        }
        set(&mut self.zkvms, o.zkvms);
        set(&mut self.models, o.models);
        set(&mut self.rows, o.rows);
        set(&mut self.precompiles, o.precompiles);
        set(&mut self.modes, o.modes);
        set(&mut self.reps, o.reps);
        set(&mut self.timeout_s, o.timeout_s);
        if o.single_rep_above_s.is_some() {
            self.single_rep_above_s = o.single_rep_above_s;
        }
        set(&mut self.customers, o.customers);
        set(&mut self.seed, o.seed);
        if o.chunk_rows.is_some() {
            self.chunk_rows = o.chunk_rows;
        }
        self.data.apply(o.data);
        for (name, path) in o.backends {
            if !self.zkvms.contains(&name) {
                self.zkvms.push(name.clone());
            }
            self.backends.insert(name, path);
        }
    }
}

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

    /// Lays `o` over these settings: each field `o` gives wins; a transactions file given
    /// replaces a feature table and the other way round (one source of data).
    pub fn apply(&mut self, o: DataConfig) {
        let DataConfig {
            transactions,
            features,
            target,
            customer_col,
            date_col,
            amount_col,
            quantity_col,
            price_col,
            discount_col,
            date_format,
            cutoff,
            horizon_days,
        } = o;
        if transactions.is_some() {
            self.transactions = transactions;
            self.features = None;
        }
        if features.is_some() {
            self.features = features;
            self.transactions = None;
        }
        let set = |dst: &mut Option<String>, v: Option<String>| {
            if v.is_some() {
                *dst = v;
            }
        };
        set(&mut self.target, target);
        set(&mut self.customer_col, customer_col);
        set(&mut self.date_col, date_col);
        set(&mut self.amount_col, amount_col);
        set(&mut self.quantity_col, quantity_col);
        set(&mut self.price_col, price_col);
        set(&mut self.discount_col, discount_col);
        set(&mut self.date_format, date_format);
        set(&mut self.cutoff, cutoff);
        if horizon_days.is_some() {
            self.horizon_days = horizon_days;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_laid_over_a_file_win_and_keep_the_rest() {
        let mut c: BenchConfig = toml::from_str(
            "zkvms = [\"risc0\"]\nmodels = [\"mlp\"]\nreps = 5\nseed = 3\n[data]\nfeatures = \"f.csv\"\ntarget = \"spend_90_days\"\n",
        )
        .unwrap();
        c.apply(Overrides {
            rows: Some(vec![1000]),
            reps: Some(1),
            single_rep_above_s: Some(60),
            chunk_rows: Some(500),
            data: DataConfig { transactions: Some("t.csv".into()), cutoff: Some("2024-01-01".into()), ..Default::default() },
            backends: vec![("risc0".into(), "/opt/r0".into()), ("extra".into(), "/opt/x".into())],
            ..Default::default()
        });
        // Given: replaced. Not given: the file's.
        assert_eq!((c.rows.as_slice(), c.reps, c.single_rep_above_s), ([1000].as_slice(), 1, Some(60)));
        assert_eq!((c.models.as_slice(), c.seed), (["mlp".to_string()].as_slice(), 3));
        assert_eq!(c.chunk_rows, Some(500));
        // One source of data: the transactions file given replaces the file's feature table.
        assert_eq!(c.data.transactions.as_deref(), Some(Path::new("t.csv")));
        assert_eq!(c.data.features, None);
        assert_eq!(c.data.cutoff.as_deref(), Some("2024-01-01"));
        assert_eq!(
            c.data.target.as_deref(),
            Some("spend_90_days"),
            "kept, though it now fails validation (a target needs a feature table)"
        );
        assert!(c.validate().is_err());
        // An extra backend binary is run, once.
        assert_eq!(c.zkvms, ["risc0", "extra"]);
        assert_eq!(c.backends.len(), 2);
        // Nothing given changes nothing.
        let before = c.clone();
        c.apply(Overrides::default());
        assert_eq!(c, before);
    }
}

//! `zkml-bench train`: a model trained on one split of a feature table, evaluated on the other
//! in f64 and in the fixed point the guests use (shared with `run`).

use crate::output::print_metrics;
use clap::Args;
use std::path::PathBuf;
use zkml_data::table::FeatureTable;
use zkml_train::{pipeline, ModelSpec};

#[derive(Args)]
pub(crate) struct TrainArgs {
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

pub(crate) fn parse_model(s: &str) -> Result<ModelSpec, String> {
    ModelSpec::parse(s).ok_or_else(|| {
        let names: Vec<&str> = ModelSpec::ALL.iter().map(|m| m.name()).collect();
        format!("unknown model {s:?}; choose {}", names.join(", "))
    })
}

pub(crate) fn train_cmd(a: TrainArgs) -> anyhow::Result<()> {
    let mut outputs = vec![("--out", a.out.as_path()), ("--test-out", a.test_out.as_path())];
    outputs.extend(a.train_out.as_deref().map(|p| ("--train-out", p)));
    zkml_protocol::files::check_outputs(&outputs, &[("--features", &a.features)]).map_err(|e| anyhow::anyhow!(e))?;
    let table = FeatureTable::read_csv(&a.features, a.target.as_deref(), None)?;
    let lambda = pipeline::parse_lambda(a.model, &a.lambda, a.folds).map_err(|e| anyhow::anyhow!(e))?;
    let settings = pipeline::Settings { spec: a.model, hyper: a.shape.hyper(lambda), test_fraction: a.test_fraction, seed: a.seed };
    let t = pipeline::train_split(&table, &settings, &a.features)?;
    if let Some(p) = &a.train_out {
        t.train.write_csv(p)?;
    }
    t.test.write_csv(&a.test_out)?;
    t.file.save(&a.out)?;
    let lambda = t.lambda_label(lambda);
    eprintln!(
        "trained {} on {} rows ({} features{}, {}) in {:.2}s{}",
        a.model.name(),
        t.train.n_rows(),
        t.train.n_features(),
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

//! `zkml-bench train`: a model trained on one split of a feature table, evaluated on the other
//! in f64 and in the fixed point the guests use (shared with `run`).

use crate::output::print_metrics;
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;
use zkml_data::table::FeatureTable;
use zkml_train::{f64_metrics, fixed_metrics, train_model, LambdaChoice, ModelFile, ModelSpec, RegressionMetrics};

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

pub(crate) fn train_cmd(a: TrainArgs) -> anyhow::Result<()> {
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

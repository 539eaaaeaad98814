//! The data → model pipeline every front end shares (`zkml-bench train`, `zkml-bench run` and
//! the sweep's workload): split a feature table, train one model on the training part, and
//! evaluate it on the held-out part in f64 and in the fixed point the guests use.

use crate::model_file::TrainingInfo;
use crate::{f64_metrics, fixed_metrics, train_model, Hyper, LambdaChoice, Model, ModelFile, ModelSpec, RegressionMetrics};
use std::path::Path;
use std::time::Instant;
use zkml_data::table::FeatureTable;

/// What to train and how to split.
#[derive(Debug, Clone)]
pub struct Settings {
    pub spec: ModelSpec,
    /// Every family's hyperparameters (the linear models' λ included).
    pub hyper: Hyper,
    /// The share of rows held out as the (private) test set, in (0, 1).
    pub test_fraction: f64,
    /// Seeds the split and the training.
    pub seed: u64,
}

/// `--lambda`: `auto` (k-fold cross-validation; none for `linear`) or a number.
pub fn parse_lambda(spec: ModelSpec, s: &str, folds: usize) -> Result<LambdaChoice, String> {
    match (spec, s) {
        (ModelSpec::Linear, "auto") => Ok(LambdaChoice::Fixed(0.0)),
        (_, "auto") => Ok(LambdaChoice::CrossValidated { folds }),
        (_, s) => s.parse::<f64>().map(LambdaChoice::Fixed).map_err(|_| format!("--lambda must be `auto` or a number, got {s:?}")),
    }
}

/// A model trained on one split of a feature table, with both splits and its test metrics.
pub struct Trained {
    /// The model as `model.json` holds it, with [`TrainingInfo`] filled in.
    pub file: ModelFile,
    pub train: FeatureTable,
    pub test: FeatureTable,
    pub f64_metrics: RegressionMetrics,
    pub fixed_metrics: RegressionMetrics,
    /// The model's size in words (`6 weights`, `100 trees of depth 4 ...`).
    pub shape: String,
    /// Training time.
    pub secs: f64,
}

impl Trained {
    /// "3.16e1 (5-fold CV)" or "0"; empty for the models that have no λ.
    pub fn lambda_label(&self, lambda: LambdaChoice) -> String {
        if !self.file.model.is_affine() {
            return String::new();
        }
        match lambda {
            LambdaChoice::CrossValidated { folds } => format!("{:.2e} ({folds}-fold CV)", self.file.lambda),
            LambdaChoice::Fixed(l) => format!("{l}"),
        }
    }
}

/// Splits `table` (read from `features_file`, which the model file names), trains
/// `settings.spec` on the training part and evaluates it on the test part.
pub fn train_split(table: &FeatureTable, settings: &Settings, features_file: &Path) -> anyhow::Result<Trained> {
    let (train, test) = table.split(settings.test_fraction, settings.seed)?;
    let t = Instant::now();
    let model = train_model(&train, settings.spec, &settings.hyper, settings.seed)?;
    let secs = t.elapsed().as_secs_f64();
    let mut file = ModelFile::new(&model, train.feature_names.clone(), train.target_name.clone())?;
    let f = f64_metrics(&model, &test);
    let branch_differences = match &model {
        Model::Trees { forest, .. } => Some(forest.branch_differences(&test, &file.fixed_point.column_frac_bits)),
        _ => None,
    };
    let words = file.guest_input(&test, &[0; 32]).map_err(|e| anyhow::anyhow!("test split: {e}"))?;
    let (q, _) = fixed_metrics(&words)?;
    file.training = Some(TrainingInfo {
        train_rows: train.n_rows(),
        test_rows: test.n_rows(),
        test_fraction: settings.test_fraction,
        seed: settings.seed,
        features_file: features_file.display().to_string(),
        test_f64: f,
        test_fixed: q,
        branch_differences,
    });
    Ok(Trained { shape: model.shape(), file, train, test, f64_metrics: f, fixed_metrics: q, secs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_parses_auto_and_numbers_and_refuses_the_rest() {
        assert_eq!(parse_lambda(ModelSpec::Ridge, "auto", 5), Ok(LambdaChoice::CrossValidated { folds: 5 }));
        assert_eq!(parse_lambda(ModelSpec::Linear, "auto", 5), Ok(LambdaChoice::Fixed(0.0)), "linear has no λ to search");
        assert_eq!(parse_lambda(ModelSpec::Poly2, "2.5", 5), Ok(LambdaChoice::Fixed(2.5)));
        assert!(parse_lambda(ModelSpec::Ridge, "lots", 5).unwrap_err().contains("`auto` or a number"));
    }

    #[test]
    fn the_pipeline_holds_out_the_test_split_and_evaluates_it_in_fixed_point() {
        let csv = (0..200).map(|i| format!("{i},{},{},{}\n", i % 7, (i * 13) % 11, 3 * (i % 7) + (i * 13) % 11)).collect::<String>();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("features.csv");
        std::fs::write(&path, format!("customer_id,a,b,spend_90_days\n{csv}")).unwrap();
        let table = FeatureTable::read_csv(&path, None, None).unwrap();
        let settings = Settings { spec: ModelSpec::Ridge, hyper: Hyper::default(), test_fraction: 0.25, seed: 3 };
        let t = train_split(&table, &settings, &path).unwrap();
        assert_eq!((t.train.n_rows(), t.test.n_rows()), (150, 50));
        // y = 3a + b exactly: ridge with a small cross-validated λ fits it almost perfectly, and
        // the fixed point agrees with f64.
        assert!(
            t.f64_metrics.r2 > 0.99 && (t.fixed_metrics.r2 - t.f64_metrics.r2).abs() < 1e-3,
            "{:?} {:?}",
            t.f64_metrics,
            t.fixed_metrics
        );
        let info = t.file.training.as_ref().expect("training info");
        assert_eq!((info.train_rows, info.test_rows, info.seed), (150, 50, 3));
        assert!(t.lambda_label(settings.hyper.lambda).ends_with("(5-fold CV)"), "{}", t.lambda_label(settings.hyper.lambda));
        // The same settings give the same model (the sweep and `train` must agree).
        assert_eq!(train_split(&table, &settings, &path).unwrap().file.model_hash, t.file.model_hash);
    }
}

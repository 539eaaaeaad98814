//! # zkml-train
//!
//! Trains the models whose accuracy zkml-bench proves:
//! - `linear`: ordinary least squares on standardised features (SVD, so collinear features
//!   do not break it);
//! - `ridge`: ridge regression on standardised features (Cholesky of `XᵀX + λI`, intercept
//!   not penalised);
//! - `poly2` / `poly3`: ridge on the degree-2/3 monomials of the standardised features, in
//!   exactly the order `zkml_core::expand` produces inside every guest.
//!
//! - `gbdt`: gradient-boosted regression trees, trained by smartcore's `XGRegressor`;
//! - `mlp`: a ReLU multilayer perceptron, trained with candle (autograd, Adam).
//!
//! `λ = auto` picks λ by k-fold cross-validation over a log grid. The f64 model is quantised
//! into a [`zkml_core::FixedModel`]; [`ModelFile`] is `model.json`. [`pipeline`] is the one
//! split → train → evaluate that `train`, `run` and the sweep's workload share.

pub mod family;
pub mod gbdt;
pub mod metrics;
pub mod mlp;
pub mod model_file;
pub mod pipeline;
pub mod regression;

pub use family::{named_model, train_model, Hyper, Model, Regressor};
pub use gbdt::{GbdtParams, TrainedTrees};
pub use metrics::{f64_metrics, fixed_metrics, RegressionMetrics};
pub use mlp::{MlpParams, TrainedMlp};
pub use model_file::{schema_digest, ModelFile};
pub use regression::{lambda_grid, train, CvReport, LambdaChoice, ModelSpec, TrainError, TrainedModel};

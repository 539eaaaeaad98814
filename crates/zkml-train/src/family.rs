//! Every model family behind one type: train any [`ModelSpec`], predict in f64, quantise.

use crate::gbdt::{train_gbdt, GbdtParams, TrainedTrees};
use crate::mlp::{train_mlp, MlpParams, TrainedMlp};
use crate::regression::{column_max_abs, train, LambdaChoice, ModelSpec, TrainError, TrainedModel};
use zkml_core::{fixed, FixedModel};
use zkml_data::table::FeatureTable;

/// A model that predicts one row (its features, in f64).
pub trait Regressor {
    fn predict(&self, x: &[f64]) -> f64;
}

impl Regressor for TrainedModel {
    fn predict(&self, x: &[f64]) -> f64 {
        TrainedModel::predict(self, x)
    }
}
impl Regressor for TrainedTrees {
    fn predict(&self, x: &[f64]) -> f64 {
        TrainedTrees::predict(self, x)
    }
}
impl Regressor for TrainedMlp {
    fn predict(&self, x: &[f64]) -> f64 {
        TrainedMlp::predict(self, x)
    }
}

/// Hyperparameters of every family; each family reads its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Hyper {
    /// Linear, ridge, polynomial.
    pub lambda: LambdaChoice,
    pub gbdt: GbdtParams,
    pub mlp: MlpParams,
}

impl Default for Hyper {
    fn default() -> Self {
        Hyper { lambda: LambdaChoice::CrossValidated { folds: 5 }, gbdt: GbdtParams::default(), mlp: MlpParams::default() }
    }
}

/// A trained model of any family, in f64.
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    Affine(TrainedModel),
    Trees { forest: TrainedTrees, column_max_abs: Vec<f64> },
    Mlp { network: TrainedMlp, column_max_abs: Vec<f64> },
}

impl Regressor for Model {
    fn predict(&self, x: &[f64]) -> f64 {
        match self {
            Model::Affine(m) => m.predict(x),
            Model::Trees { forest, .. } => forest.predict(x),
            Model::Mlp { network, .. } => network.predict(x),
        }
    }
}

impl Model {
    pub fn spec(&self) -> ModelSpec {
        match self {
            Model::Affine(m) => m.spec,
            Model::Trees { .. } => ModelSpec::Gbdt,
            Model::Mlp { .. } => ModelSpec::Mlp,
        }
    }

    pub fn column_max_abs(&self) -> &[f64] {
        match self {
            Model::Affine(m) => &m.column_max_abs,
            Model::Trees { column_max_abs, .. } | Model::Mlp { column_max_abs, .. } => column_max_abs,
        }
    }

    /// The fixed-point model the guests evaluate; each column at the scale its training range
    /// gives it (`fixed::column_frac_bits`).
    pub fn quantise(&self) -> Result<FixedModel, TrainError> {
        let scales = || self.column_max_abs().iter().map(|&m| fixed::column_frac_bits(m)).collect::<Vec<u32>>();
        match self {
            Model::Affine(m) => m.quantise(),
            Model::Trees { forest, .. } => forest.quantise(scales()),
            Model::Mlp { network, .. } => network.quantise(scales()),
        }
    }

    /// Parameters of the f64 model (weights; split nodes and leaves; weights and biases).
    pub fn n_params(&self) -> usize {
        match self {
            Model::Affine(m) => m.weights.len(),
            Model::Trees { forest, .. } => forest.trees.iter().map(count_nodes).sum(),
            Model::Mlp { network, .. } => network.layers.iter().map(|l| l.weights.len() + l.biases.len()).sum(),
        }
    }

    /// A one-line description of the model's size: `6 weights`, `100 trees of depth 4`,
    /// `layers 5-32-32-1 (1,281 parameters)`.
    pub fn shape(&self) -> String {
        match self {
            Model::Affine(m) => format!("{} weights", m.weights.len()),
            Model::Trees { forest, .. } => {
                format!(
                    "{} trees of depth {} ({} nodes), learning rate {}",
                    forest.trees.len(),
                    forest.depth(),
                    self.n_params(),
                    forest.params.learning_rate
                )
            }
            Model::Mlp { network, .. } => {
                let widths: Vec<String> =
                    std::iter::once(network.layers[0].n_in).chain(network.layers.iter().map(|l| l.n_out)).map(|w| w.to_string()).collect();
                format!(
                    "layers {} ({} parameters), {} epochs, final training MSE {:.4} (standardised)",
                    widths.join("-"),
                    self.n_params(),
                    network.params.epochs,
                    network.final_loss
                )
            }
        }
    }
}

fn count_nodes(n: &crate::gbdt::Node) -> usize {
    match n {
        crate::gbdt::Node::Leaf { .. } => 1,
        crate::gbdt::Node::Split { left, right, .. } => 1 + count_nodes(left) + count_nodes(right),
    }
}

/// Trains `spec` on `table` with the family's hyperparameters from `hyper`.
pub fn train_model(table: &FeatureTable, spec: ModelSpec, hyper: &Hyper, seed: u64) -> Result<Model, TrainError> {
    if table.n_features() == 0 || table.n_features() > zkml_core::MAX_FEATURES as usize {
        return Err(TrainError::Invalid(format!(
            "{} features; between 1 and {} are supported",
            table.n_features(),
            zkml_core::MAX_FEATURES
        )));
    }
    Ok(match spec {
        ModelSpec::Gbdt => Model::Trees { forest: train_gbdt(table, hyper.gbdt, seed)?, column_max_abs: column_max_abs(table) },
        ModelSpec::Mlp => Model::Mlp { network: train_mlp(table, &hyper.mlp, seed)?, column_max_abs: column_max_abs(table) },
        _ => Model::Affine(train(table, spec, hyper.lambda, seed)?),
    })
}

/// A model as the benchmark names it: a family with its size. `linear`, `ridge`, `poly2`,
/// `poly3`, `gbdt` and `mlp` are the defaults; `gbdt-N` is N trees (default depth) and `mlp-W`
/// two hidden layers of W units — the compute-intensity axis of a sweep.
pub fn named_model(name: &str) -> Result<(ModelSpec, Hyper), String> {
    let names: Vec<&str> = ModelSpec::ALL.iter().map(|m| m.name()).collect();
    let unknown = || format!("unknown model {name:?}; choose {}, or gbdt-TREES / mlp-WIDTH (e.g. gbdt-500, mlp-128)", names.join(", "));
    let (family, size) = match name.split_once('-') {
        Some((f, s)) => (f, Some(s.parse::<u32>().map_err(|_| unknown())?)),
        None => (name, None),
    };
    let spec = ModelSpec::parse(family).ok_or_else(unknown)?;
    let mut hyper = Hyper::default();
    match (spec, size) {
        (_, None) => {}
        (ModelSpec::Gbdt, Some(n)) if n >= 1 => hyper.gbdt.trees = n as usize,
        (ModelSpec::Mlp, Some(w)) if w >= 1 => hyper.mlp.hidden = vec![w; hyper.mlp.hidden.len()],
        _ => return Err(unknown()),
    }
    if spec == ModelSpec::Linear {
        hyper.lambda = LambdaChoice::Fixed(0.0);
    }
    Ok((spec, hyper))
}

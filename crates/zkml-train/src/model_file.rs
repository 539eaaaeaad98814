//! `model.json`: the trained model in f64 and in fixed point, with its hash commitment.

use crate::metrics::RegressionMetrics;
use crate::regression::{CvReport, ModelSpec, TrainedModel};
use serde::{Deserialize, Serialize};
use std::path::Path;
use zkml_core::{commit, fixed, FixedModel, SoftwareSha256};
use zkml_data::table::FeatureTable;

pub const MODEL_FORMAT: &str = "zkml-bench-model/2";

#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("{path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path}: not a valid model file: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{0}")]
    Core(#[from] zkml_core::CoreError),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardisation {
    pub means: Vec<f64>,
    pub stds: Vec<f64>,
}

/// The fixed-point parameters: what the guest evaluates and what the hash covers (see
/// `zkml_core::FixedModel`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedPointParams {
    /// Fractional bits of each test-set column, the features then the target.
    pub column_frac_bits: Vec<u32>,
    pub weight_frac_bits: u32,
    /// Polynomials only; degree 1 folds the standardisation into the weights.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub means: Vec<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inv_stds: Vec<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub z_shifts: Vec<u32>,
    pub bias: i64,
    pub weights: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    pub train_rows: usize,
    pub test_rows: usize,
    pub test_fraction: f64,
    pub seed: u64,
    pub features_file: String,
    pub test_f64: RegressionMetrics,
    pub test_fixed: RegressionMetrics,
}

/// The contents of `model.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub format: String,
    /// `linear`, `ridge`, `poly2` or `poly3`.
    pub model: ModelSpec,
    pub degree: u32,
    pub lambda: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_cv: Option<CvReport>,
    pub feature_names: Vec<String>,
    pub target_name: String,
    pub standardisation: Standardisation,
    /// Bias then one weight per monomial of the standardised features.
    pub weights: Vec<f64>,
    /// Largest magnitude of each column in the training rows (features, then the target):
    /// what the fixed-point column scales were chosen from.
    pub column_max_abs: Vec<f64>,
    pub fixed_point: FixedPointParams,
    /// SHA-256 (hex) of the canonical fixed-point model bytes: the `model_hash` of every claim.
    pub model_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<TrainingInfo>,
}

impl ModelFile {
    pub fn new(model: &TrainedModel, feature_names: Vec<String>, target_name: String) -> Result<Self, crate::TrainError> {
        let q = model.quantise()?;
        let hash = hash_of(&q).map_err(|e| crate::TrainError::Quantise(e.to_string()))?;
        Ok(ModelFile {
            format: MODEL_FORMAT.into(),
            model: model.spec,
            degree: model.spec.degree(),
            lambda: model.lambda,
            lambda_cv: model.cv.clone(),
            feature_names,
            target_name,
            standardisation: Standardisation { means: model.means.clone(), stds: model.stds.clone() },
            weights: model.weights.clone(),
            column_max_abs: model.column_max_abs.clone(),
            fixed_point: FixedPointParams {
                column_frac_bits: q.column_frac_bits,
                means: q.means,
                inv_stds: q.inv_stds,
                z_shifts: q.z_shifts,
                weight_frac_bits: q.weight_frac_bits,
                bias: q.bias,
                weights: q.weights,
            },
            model_hash: hex::encode(hash),
            training: None,
        })
    }

    /// The fixed-point model (what the guest evaluates).
    pub fn fixed_model(&self) -> FixedModel {
        FixedModel {
            trees: None,
            layers: Vec::new(),
            kind: self.model.kind(),
            degree: self.degree,
            column_frac_bits: self.fixed_point.column_frac_bits.clone(),
            means: self.fixed_point.means.clone(),
            inv_stds: self.fixed_point.inv_stds.clone(),
            z_shifts: self.fixed_point.z_shifts.clone(),
            weight_frac_bits: self.fixed_point.weight_frac_bits,
            bias: self.fixed_point.bias,
            weights: self.fixed_point.weights.clone(),
        }
    }

    /// The f64 model.
    pub fn trained_model(&self) -> TrainedModel {
        TrainedModel {
            spec: self.model,
            lambda: self.lambda,
            cv: self.lambda_cv.clone(),
            means: self.standardisation.means.clone(),
            stds: self.standardisation.stds.clone(),
            weights: self.weights.clone(),
            column_max_abs: self.column_max_abs.clone(),
        }
    }

    /// The canonical model section (words).
    pub fn model_words(&self) -> Result<Vec<u32>, zkml_core::CoreError> {
        zkml_core::encode_model(&self.fixed_model())
    }

    /// The model hash recomputed from the fixed-point parameters.
    pub fn computed_hash(&self) -> Result<[u8; 32], zkml_core::CoreError> {
        hash_of(&self.fixed_model())
    }

    /// Quantises a test table (columns in this model's feature order) to 32-bit values at
    /// the model's column scales, naming the row and column of any value that does not fit.
    pub fn quantise_rows(&self, table: &FeatureTable) -> Result<Vec<i32>, String> {
        let scales = &self.fixed_point.column_frac_bits;
        let mut out = Vec::with_capacity(table.n_rows() * (table.n_features() + 1));
        for i in 0..table.n_rows() {
            for (j, &v) in table.row(i).iter().chain(std::iter::once(&table.targets[i])).enumerate() {
                let name = table.feature_names.get(j).unwrap_or(&table.target_name);
                out.push(fixed::to_i32_bits(v, scales[j]).ok_or_else(|| {
                    format!(
                        "row {} (customer {}), column {name:?}: {v} is beyond the fixed-point bound of its column \
                         (32 bits at scale 2^-{}: at most ±{}; the training data reached ±{})",
                        i + 1,
                        table.ids[i],
                        scales[j],
                        i32::MAX as f64 / fixed::pow2(scales[j]),
                        self.column_max_abs.get(j).copied().unwrap_or(f64::NAN)
                    )
                })?);
            }
        }
        Ok(out)
    }

    /// The complete guest input for `table`, with a commitment salt.
    pub fn guest_input(&self, table: &FeatureTable, salt: &[u8; 32]) -> Result<Vec<u32>, String> {
        if table.feature_names != self.feature_names {
            return Err(format!("the test set's features {:?} do not match the model's {:?}", table.feature_names, self.feature_names));
        }
        let rows = self.quantise_rows(table)?;
        let model = self.model_words().map_err(|e| e.to_string())?;
        let data = zkml_core::encode_test_set(&self.fixed_point.column_frac_bits, &rows, salt).map_err(|e| e.to_string())?;
        Ok(zkml_core::encode_guest_input(&model, &data))
    }

    pub fn save(&self, path: &Path) -> Result<(), ModelFileError> {
        let json = serde_json::to_vec_pretty(self).expect("model serialises");
        zkml_protocol::files::write_bytes_atomically(path, &json)
            .map_err(|cause| ModelFileError::Io { path: path.display().to_string(), cause })
    }

    /// Loads and checks a model file: format, shapes, bounds, and that the recorded hash is
    /// the hash of the fixed-point parameters (a hand-edited weight is caught here).
    pub fn load(path: &Path) -> Result<Self, ModelFileError> {
        let p = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|cause| ModelFileError::Io { path: p.clone(), cause })?;
        let m: ModelFile = serde_json::from_slice(&bytes).map_err(|e| ModelFileError::Parse { path: p.clone(), message: e.to_string() })?;
        let invalid = |message: String| ModelFileError::Invalid { path: p.clone(), message };
        if m.format != MODEL_FORMAT {
            return Err(invalid(format!("format {:?} is not {MODEL_FORMAT:?}", m.format)));
        }
        if m.degree != m.model.degree() {
            return Err(invalid(format!("degree {} does not match model {}", m.degree, m.model.name())));
        }
        let nf = m.feature_names.len();
        if m.standardisation.means.len() != nf
            || m.standardisation.stds.len() != nf
            || m.fixed_point.column_frac_bits.len() != nf + 1
            || m.column_max_abs.len() != nf + 1
        {
            return Err(invalid(format!("{nf} feature names but parameters for a different number of features")));
        }
        if m.weights.len() != m.fixed_point.weights.len() + 1 {
            return Err(invalid("f64 and fixed-point weights differ in length".into()));
        }
        let hash = m.computed_hash().map_err(|e| invalid(e.to_string()))?;
        if hex::encode(hash) != m.model_hash.to_lowercase() {
            return Err(invalid(format!(
                "model_hash {} does not match the fixed-point parameters (hash {}): the file was modified",
                m.model_hash,
                hex::encode(hash)
            )));
        }
        Ok(m)
    }
}

fn hash_of(model: &FixedModel) -> Result<[u8; 32], zkml_core::CoreError> {
    Ok(commit::model_hash::<SoftwareSha256>(&zkml_core::encode_model(model)?))
}

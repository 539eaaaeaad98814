//! `model.json`: the trained model in f64 and in fixed point, with its hash commitment.

use crate::family::Model;
use crate::gbdt::TrainedTrees;
use crate::metrics::RegressionMetrics;
use crate::mlp::TrainedMlp;
use crate::regression::{CvReport, ModelSpec, TrainedModel};
use serde::{Deserialize, Serialize};
use std::path::Path;
use zkml_core::{commit, fixed, FixedLayer, FixedModel, FixedTrees, SoftwareSha256};
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
    /// Gradient-boosted trees only: complete trees in heap order (see `zkml_core::trees`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trees: Option<TreesParams>,
    /// MLP only: the layers, the output layer last (see `zkml_core::mlp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<LayerParams>,
}

/// `zkml_core::FixedTrees` in model.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreesParams {
    pub depth: u32,
    pub features: Vec<u32>,
    pub thresholds: Vec<i32>,
    pub leaves: Vec<i32>,
}

/// `zkml_core::FixedLayer` in model.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerParams {
    pub frac_bits: u32,
    pub n_in: u32,
    pub n_out: u32,
    pub biases: Vec<i64>,
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
    /// Trees only: test rows on which a tree branches otherwise for the raw value than for
    /// the quantised one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch_differences: Option<usize>,
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
    /// Bias then one weight per monomial of the standardised features (linear, ridge,
    /// polynomial; empty for trees and the MLP).
    pub weights: Vec<f64>,
    /// Gradient-boosted trees only: the f64 forest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forest: Option<TrainedTrees>,
    /// MLP only: the f64 network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<TrainedMlp>,
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
    pub fn new(model: &Model, feature_names: Vec<String>, target_name: String) -> Result<Self, crate::TrainError> {
        let mut q = model.quantise()?;
        q.schema = schema_digest(&feature_names, &target_name);
        let hash = hash_of(&q).map_err(|e| crate::TrainError::Quantise(e.to_string()))?;
        let nf = feature_names.len();
        let (lambda, lambda_cv, standardisation, weights, forest, network) = match model {
            Model::Affine(m) => {
                (m.lambda, m.cv.clone(), Standardisation { means: m.means.clone(), stds: m.stds.clone() }, m.weights.clone(), None, None)
            }
            // Trees compare raw values: no standardisation (recorded as the identity).
            Model::Trees { forest, .. } => {
                (0.0, None, Standardisation { means: vec![0.0; nf], stds: vec![1.0; nf] }, vec![], Some(forest.clone()), None)
            }
            Model::Mlp { network, .. } => (
                0.0,
                None,
                Standardisation { means: network.means.clone(), stds: network.stds.clone() },
                vec![],
                None,
                Some(network.clone()),
            ),
        };
        Ok(ModelFile {
            format: MODEL_FORMAT.into(),
            model: model.spec(),
            degree: model.spec().degree(),
            lambda,
            lambda_cv,
            feature_names,
            target_name,
            standardisation,
            weights,
            forest,
            network,
            column_max_abs: model.column_max_abs().to_vec(),
            fixed_point: FixedPointParams {
                column_frac_bits: q.column_frac_bits,
                means: q.means,
                inv_stds: q.inv_stds,
                z_shifts: q.z_shifts,
                weight_frac_bits: q.weight_frac_bits,
                bias: q.bias,
                weights: q.weights,
                trees: q.trees.map(|t| TreesParams { depth: t.depth, features: t.features, thresholds: t.thresholds, leaves: t.leaves }),
                layers: q
                    .layers
                    .into_iter()
                    .map(|l| LayerParams { frac_bits: l.frac_bits, n_in: l.n_in, n_out: l.n_out, biases: l.biases, weights: l.weights })
                    .collect(),
            },
            model_hash: hex::encode(hash),
            training: None,
        })
    }

    /// The digest of this model's columns (see [`schema_digest`]), part of the model hash.
    pub fn schema_digest(&self) -> [u8; 32] {
        schema_digest(&self.feature_names, &self.target_name)
    }

    /// The fixed-point model (what the guest evaluates).
    pub fn fixed_model(&self) -> FixedModel {
        FixedModel {
            schema: self.schema_digest(),
            kind: self.model.kind(),
            degree: self.degree,
            column_frac_bits: self.fixed_point.column_frac_bits.clone(),
            means: self.fixed_point.means.clone(),
            inv_stds: self.fixed_point.inv_stds.clone(),
            z_shifts: self.fixed_point.z_shifts.clone(),
            weight_frac_bits: self.fixed_point.weight_frac_bits,
            bias: self.fixed_point.bias,
            weights: self.fixed_point.weights.clone(),
            trees: self.fixed_point.trees.as_ref().map(|t| FixedTrees {
                depth: t.depth,
                features: t.features.clone(),
                thresholds: t.thresholds.clone(),
                leaves: t.leaves.clone(),
            }),
            layers: self
                .fixed_point
                .layers
                .iter()
                .map(|l| FixedLayer {
                    frac_bits: l.frac_bits,
                    n_in: l.n_in,
                    n_out: l.n_out,
                    biases: l.biases.clone(),
                    weights: l.weights.clone(),
                })
                .collect(),
        }
    }

    /// The f64 model of any family.
    pub fn model(&self) -> Result<Model, String> {
        let column_max_abs = self.column_max_abs.clone();
        match self.model {
            ModelSpec::Gbdt => {
                Ok(Model::Trees { forest: self.forest.clone().ok_or("a gbdt model without its f64 forest")?, column_max_abs })
            }
            ModelSpec::Mlp => {
                Ok(Model::Mlp { network: self.network.clone().ok_or("an mlp model without its f64 network")?, column_max_abs })
            }
            _ => Ok(Model::Affine(self.trained_model())),
        }
    }

    /// The f64 model of a linear, ridge or polynomial model.
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
    /// The test set has this model's features and target, by name and order.
    fn check_table(&self, table: &FeatureTable) -> Result<(), String> {
        if table.feature_names != self.feature_names {
            return Err(format!("the test set's features {:?} do not match the model's {:?}", table.feature_names, self.feature_names));
        }
        if table.target_name != self.target_name {
            return Err(format!("the test set's target {:?} is not the model's {:?}", table.target_name, self.target_name));
        }
        Ok(())
    }

    pub fn guest_input(&self, table: &FeatureTable, salt: &[u8; 32]) -> Result<Vec<u32>, String> {
        self.check_table(table)?;
        let rows = self.quantise_rows(table)?;
        let model = self.model_words().map_err(|e| e.to_string())?;
        let data = zkml_core::encode_test_set(&self.fixed_point.column_frac_bits, &rows, salt).map_err(|e| e.to_string())?;
        Ok(zkml_core::encode_guest_input(&model, &data))
    }

    /// Issue #36: the chunk inputs of a test set cut into chunks of at most `chunk_rows` rows,
    /// in order — chunk `i` salted with `chunk_salt(salt, i)` — and the test set's chunked data
    /// commitment (what an aggregate proof's claim carries; see `zkml_core::chunk`).
    pub fn chunk_inputs(&self, table: &FeatureTable, salt: &[u8; 32], chunk_rows: u32) -> Result<(Vec<Vec<u32>>, [u8; 32]), String> {
        use zkml_core::chunk::{chunk_salt, chunked_data_commitment, encode_chunk_input, MAX_CHUNKS};
        use zkml_core::SoftwareSha256 as H;
        if chunk_rows == 0 {
            return Err("--chunk-rows must be at least 1".into());
        }
        self.check_table(table)?;
        let rows = self.quantise_rows(table)?;
        let width = self.feature_names.len() + 1;
        let n = rows.len() / width;
        if n == 0 {
            return Err(zkml_core::CoreError::EmptyTestSet.to_string());
        }
        let k = n.div_ceil(chunk_rows as usize);
        if k > MAX_CHUNKS as usize {
            return Err(format!("{n} rows in chunks of {chunk_rows} make {k} chunks; at most {MAX_CHUNKS} (take larger chunks)"));
        }
        let model = self.model_words().map_err(|e| e.to_string())?;
        let mut inputs = Vec::with_capacity(k);
        let mut commitments = Vec::with_capacity(k);
        for (i, chunk) in rows.chunks(chunk_rows as usize * width).enumerate() {
            let data = zkml_core::encode_test_set(&self.fixed_point.column_frac_bits, chunk, &chunk_salt::<H>(salt, i as u32))
                .map_err(|e| e.to_string())?;
            commitments.push(zkml_core::commit::data_commitment::<H>(&data));
            inputs.push(encode_chunk_input(i as u32, k as u32, &zkml_core::encode_guest_input(&model, &data)));
        }
        Ok((inputs, chunked_data_commitment::<H>(&commitments)))
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
        let mut names: Vec<&str> = m.feature_names.iter().map(String::as_str).chain([m.target_name.as_str()]).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid(format!("column {:?} is named twice among the features and the target", w[0])));
        }
        if names.iter().any(|n| n.is_empty()) {
            return Err(invalid("an empty column name among the features or the target".into()));
        }
        if m.model == ModelSpec::Gbdt
            && (m.standardisation.means.iter().any(|&v| v != 0.0) || m.standardisation.stds.iter().any(|&v| v != 1.0))
        {
            return Err(invalid("a gbdt model compares raw values: its standardisation must be the identity".into()));
        }
        if m.standardisation.means.len() != nf
            || m.standardisation.stds.len() != nf
            || m.fixed_point.column_frac_bits.len() != nf + 1
            || m.column_max_abs.len() != nf + 1
        {
            return Err(invalid(format!("{nf} feature names but parameters for a different number of features")));
        }
        let affine = m.model.is_affine();
        if affine && m.weights.len() != m.fixed_point.weights.len() + 1 {
            return Err(invalid("f64 and fixed-point weights differ in length".into()));
        }
        let sections = [
            ("forest", m.forest.is_some(), m.model == ModelSpec::Gbdt),
            ("network", m.network.is_some(), m.model == ModelSpec::Mlp),
            ("fixed_point.trees", m.fixed_point.trees.is_some(), m.model == ModelSpec::Gbdt),
            ("fixed_point.layers", !m.fixed_point.layers.is_empty(), m.model == ModelSpec::Mlp),
            ("weights", !m.weights.is_empty(), affine),
        ];
        for (section, present, wanted) in sections {
            if present != wanted {
                let what = if present { "has" } else { "lacks" };
                return Err(invalid(format!("a {} model that {what} a {section} section", m.model.name())));
            }
        }
        let hash = m.computed_hash().map_err(|e| invalid(e.to_string()))?;
        if hex::encode(hash) != m.model_hash.to_lowercase() {
            return Err(invalid(format!(
                "model_hash {} does not match the fixed-point parameters and column names (hash {}): the file was modified",
                m.model_hash,
                hex::encode(hash)
            )));
        }
        // The f64 part is what `train` printed and what reports quote: it must be the model
        // the fixed-point part was quantised from, or one of them was edited.
        let mut requantised = m.model().map_err(|e| invalid(e.to_string()))?.quantise().map_err(|e| invalid(e.to_string()))?;
        requantised.schema = m.schema_digest();
        if requantised != m.fixed_model() {
            return Err(invalid(
                "the f64 model does not quantise to the fixed-point parameters: one of them was modified (the proof is about the fixed-point part)"
                    .into(),
            ));
        }
        Ok(m)
    }
}

/// The schema digest: SHA-256 of `"zkml-bench-schema/1"`, the number of features, then each
/// feature name and the target name as its UTF-8 length (u32, little-endian) and bytes. It
/// goes into the model section (`zkml_core::FixedModel::schema`), so the model hash binds
/// which column feeds which parameter and which column is the target.
pub fn schema_digest(feature_names: &[String], target_name: &str) -> [u8; 32] {
    use zkml_core::Sha256;
    let mut bytes = b"zkml-bench-schema/1".to_vec();
    bytes.extend_from_slice(&(feature_names.len() as u32).to_le_bytes());
    for name in feature_names.iter().map(String::as_str).chain([target_name]) {
        bytes.extend_from_slice(&(name.len() as u32).to_le_bytes());
        bytes.extend_from_slice(name.as_bytes());
    }
    SoftwareSha256::digest(&bytes)
}

fn hash_of(model: &FixedModel) -> Result<[u8; 32], zkml_core::CoreError> {
    Ok(commit::model_hash::<SoftwareSha256>(&zkml_core::encode_model(model)?))
}

//! Gradient-boosted regression trees, trained by smartcore's `XGRegressor` (squared error,
//! second-order gain with L2 on the leaves, as XGBoost does), read out through its serde
//! form, and quantised into complete trees of one depth (`zkml_core::trees`).

use crate::regression::TrainError;
use serde::{Deserialize, Serialize};
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::xgboost::{XGRegressor, XGRegressorParameters};
use zkml_core::trees::{internal_nodes, ALWAYS_LEFT, MAX_TREES, MAX_TREE_DEPTH};
use zkml_core::{fixed, FixedModel, FixedTrees, ModelKind};
use zkml_data::table::FeatureTable;

/// Hyperparameters of the forest.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GbdtParams {
    pub trees: usize,
    pub depth: u32,
    pub learning_rate: f64,
    /// L2 penalty on leaf values (XGBoost's lambda).
    pub lambda: f64,
    /// Fewest training rows in a leaf (the hessian of squared error is 1 a row).
    pub min_child_weight: usize,
    /// Fraction of the rows each tree is fitted on.
    pub subsample: f64,
}

impl Default for GbdtParams {
    /// 100 trees of depth 5 at learning rate 0.1 (the size the study's issue names; not tuned
    /// on any test split), XGBoost's L2 of 1 on the leaves, at least 10 rows a leaf, each tree
    /// on 80 % of the rows.
    fn default() -> Self {
        GbdtParams { trees: 100, depth: 5, learning_rate: 0.1, lambda: 1.0, min_child_weight: 10, subsample: 0.8 }
    }
}

/// One node of a trained tree: a split (`x[feature] <= threshold` goes left) or a leaf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Node {
    Split { feature: usize, threshold: f64, left: Box<Node>, right: Box<Node> },
    Leaf { value: f64 },
}

impl Node {
    fn predict(&self, x: &[f64]) -> f64 {
        match self {
            Node::Leaf { value } => *value,
            Node::Split { feature, threshold, left, right } => {
                if x[*feature] <= *threshold {
                    left.predict(x)
                } else {
                    right.predict(x)
                }
            }
        }
    }

    fn depth(&self) -> u32 {
        match self {
            Node::Leaf { .. } => 0,
            Node::Split { left, right, .. } => 1 + left.depth().max(right.depth()),
        }
    }

    /// smartcore's serde form of a tree node (`left`, `right`, `value`, `threshold`,
    /// `split_feature_idx`; a node without children is a leaf).
    fn from_smartcore(v: &serde_json::Value) -> Result<Node, String> {
        let num = |key: &str| v.get(key).and_then(|x| x.as_f64()).ok_or_else(|| format!("tree node without a numeric {key:?}"));
        match (v.get("left"), v.get("right")) {
            (Some(l), Some(r)) if !l.is_null() && !r.is_null() => Ok(Node::Split {
                feature: v.get("split_feature_idx").and_then(|x| x.as_u64()).ok_or("split without a feature index")? as usize,
                threshold: num("threshold")?,
                left: Box::new(Node::from_smartcore(l)?),
                right: Box::new(Node::from_smartcore(r)?),
            }),
            _ => Ok(Node::Leaf { value: num("value")? }),
        }
    }
}

/// A trained forest in f64: `prediction = base + learning_rate * Σ tree(x)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedTrees {
    pub params: GbdtParams,
    pub base: f64,
    pub trees: Vec<Node>,
}

impl TrainedTrees {
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.base + self.params.learning_rate * self.trees.iter().map(|t| t.predict(x)).sum::<f64>()
    }

    /// Depth of the complete trees the forest is stored as (its deepest tree, at least 1).
    pub fn depth(&self) -> u32 {
        self.trees.iter().map(Node::depth).max().unwrap_or(0).max(1)
    }

    /// Quantises the forest: thresholds `floor(t · 2^s)` at the feature's column scale `s` (so
    /// a quantised value goes left exactly when its real value is `<= t`), leaves (times the
    /// learning rate) and the base at the finest accumulator scale that keeps every leaf within
    /// `2^24`, the base within `2^60`, and the rounding to the target's scale 1..=62 bits.
    pub fn quantise(&self, scales: Vec<u32>) -> Result<FixedModel, TrainError> {
        let err = |m: String| TrainError::Quantise(m);
        let target = scales[scales.len() - 1];
        let depth = self.depth();
        if depth > MAX_TREE_DEPTH || self.trees.len() > MAX_TREES as usize || self.trees.is_empty() {
            return Err(err(format!("{} trees of depth {depth}: at most {MAX_TREES} of depth {MAX_TREE_DEPTH}", self.trees.len())));
        }
        let lr = self.params.learning_rate;
        let mut max_leaf = 0.0f64;
        for t in &self.trees {
            leaves_of(t, &mut |v| max_leaf = max_leaf.max((lr * v).abs()));
        }
        let fits = |p: u32| fixed::to_fixed_bits(self.base, p, zkml_core::model::MAX_ABS_BIAS).is_some();
        let p = (target + 1..=(fixed::column_frac_bits(max_leaf).max(target + 1)).min(target + 62).min(2 * fixed::MAX_COLUMN_FRAC_BITS))
            .rev()
            .find(|&p| fits(p) && max_leaf * fixed::pow2(p) <= i32::MAX as f64)
            .ok_or_else(|| err(format!("base {} and leaves up to {max_leaf} fit no accumulator scale", self.base)))?;
        let mut out = FixedTrees { depth, features: Vec::new(), thresholds: Vec::new(), leaves: Vec::new() };
        for t in &self.trees {
            let (internal, leaves) = (internal_nodes(depth), 1usize << depth);
            let mut features = vec![0u32; internal];
            let mut thresholds = vec![ALWAYS_LEFT; internal];
            let mut leaf_values = vec![0i32; leaves];
            fill(t, 0, depth, &scales, p, lr, &mut features, &mut thresholds, &mut leaf_values)?;
            out.features.extend(features);
            out.thresholds.extend(thresholds);
            out.leaves.extend(leaf_values);
        }
        let bias = fixed::to_fixed_bits(self.base, p, zkml_core::model::MAX_ABS_BIAS).expect("checked above");
        Ok(FixedModel {
            schema: [0; 32],
            kind: ModelKind::Gbdt,
            degree: 0,
            column_frac_bits: scales,
            weight_frac_bits: p,
            means: vec![],
            inv_stds: vec![],
            z_shifts: vec![],
            bias,
            weights: vec![],
            trees: Some(out),
            layers: vec![],
        })
    }

    /// Rows of `table` on which some tree takes another branch for the raw f64 value than for
    /// the quantised one (`x_q <= floor(t · 2^s)`): the branch differences the fixed-point
    /// forest can have, counted (0 unless a value lies within `2^-s` of a threshold).
    pub fn branch_differences(&self, table: &FeatureTable, scales: &[u32]) -> usize {
        (0..table.n_rows())
            .filter(|&i| {
                let x = table.row(i);
                let q: Vec<f64> =
                    x.iter().zip(scales).map(|(&v, &s)| fixed::to_i32_bits(v, s).map_or(v, |q| q as f64 / fixed::pow2(s))).collect();
                self.trees.iter().any(|t| differs(t, x, &q))
            })
            .count()
    }
}

fn differs(node: &Node, x: &[f64], q: &[f64]) -> bool {
    match node {
        Node::Leaf { .. } => false,
        Node::Split { feature, threshold, left, right } => {
            let (a, b) = (x[*feature] <= *threshold, q[*feature] <= *threshold);
            a != b || differs(if a { left } else { right }, x, q)
        }
    }
}

fn leaves_of(node: &Node, f: &mut impl FnMut(f64)) {
    match node {
        Node::Leaf { value } => f(*value),
        Node::Split { left, right, .. } => {
            leaves_of(left, f);
            leaves_of(right, f);
        }
    }
}

/// Writes `node` (at heap index `k`, `levels` above the leaves) into a complete tree: a split
/// into its node, a leaf into every leaf below `k` (the nodes between stay padding).
#[allow(clippy::too_many_arguments)]
fn fill(
    node: &Node,
    k: usize,
    levels: u32,
    scales: &[u32],
    p: u32,
    lr: f64,
    features: &mut [u32],
    thresholds: &mut [i32],
    leaves: &mut [i32],
) -> Result<(), TrainError> {
    match node {
        Node::Leaf { value } => {
            // Heap index k at `levels` above the leaves covers leaves [first, first + 2^levels)
            // (leaf indices count from the first heap index after the internal nodes).
            let first = ((k + 1) << levels) - 1 - features.len();
            let v = fixed::to_i32_bits(lr * value, p)
                .ok_or_else(|| TrainError::Quantise(format!("leaf {value} does not fit 32 bits at 2^-{p}")))?;
            leaves[first..first + (1 << levels)].fill(v);
            Ok(())
        }
        Node::Split { feature, threshold, left, right } => {
            let s = scales[*feature];
            let t = (threshold * fixed::pow2(s)).floor();
            features[k] = *feature as u32;
            thresholds[k] = if t.is_nan() { ALWAYS_LEFT } else { t.clamp(i32::MIN as f64, i32::MAX as f64) as i32 };
            fill(left, 2 * k + 1, levels - 1, scales, p, lr, features, thresholds, leaves)?;
            fill(right, 2 * k + 2, levels - 1, scales, p, lr, features, thresholds, leaves)
        }
    }
}

/// Trains a forest on `table` (raw feature values: trees need no standardisation).
pub fn train_gbdt(table: &FeatureTable, params: GbdtParams, seed: u64) -> Result<TrainedTrees, TrainError> {
    let invalid = |m: String| Err(TrainError::Invalid(m));
    if params.trees == 0 || params.trees > MAX_TREES as usize {
        return invalid(format!("--trees {}: between 1 and {MAX_TREES}", params.trees));
    }
    if params.depth == 0 || params.depth > MAX_TREE_DEPTH {
        return invalid(format!("--depth {}: between 1 and {MAX_TREE_DEPTH}", params.depth));
    }
    if !(params.learning_rate > 0.0 && params.learning_rate <= 1.0) {
        return invalid(format!("learning rate {}: in (0, 1]", params.learning_rate));
    }
    if table.n_rows() < 2 {
        return invalid(format!("{} training rows are too few to fit trees", table.n_rows()));
    }
    let rows: Vec<Vec<f64>> = (0..table.n_rows()).map(|i| table.row(i).to_vec()).collect();
    let x = DenseMatrix::from_2d_vec(&rows).map_err(|e| TrainError::Invalid(e.to_string()))?;
    let y = table.targets.clone();
    let base = y.iter().sum::<f64>() / y.len() as f64;
    let p = XGRegressorParameters::default()
        .with_n_estimators(params.trees)
        .with_max_depth(params.depth as u16)
        .with_learning_rate(params.learning_rate)
        .with_lambda(params.lambda)
        .with_min_child_weight(params.min_child_weight)
        .with_subsample(params.subsample)
        .with_base_score(base)
        .with_seed(seed);
    let model: XGRegressor<f64, f64, DenseMatrix<f64>, Vec<f64>> =
        XGRegressor::fit(&x, &y, p).map_err(|e| TrainError::Invalid(format!("gradient boosting: {e}")))?;
    // smartcore keeps its trees private; its serde form is the public way to read them.
    let json = serde_json::to_value(&model).map_err(|e| TrainError::Invalid(format!("reading the trees: {e}")))?;
    let trees = json
        .get("regressors")
        .and_then(|r| r.as_array())
        .ok_or_else(|| TrainError::Invalid("smartcore's model has no trees".into()))?
        .iter()
        .map(Node::from_smartcore)
        .collect::<Result<Vec<_>, _>>()
        .map_err(TrainError::Invalid)?;
    let trained = TrainedTrees { params, base, trees };
    // The read-out forest must be smartcore's: same predictions on the training rows.
    let theirs = model.predict(&x).map_err(|e| TrainError::Invalid(e.to_string()))?;
    for (i, row) in rows.iter().enumerate().take(64) {
        let ours = trained.predict(row);
        if (ours - theirs[i]).abs() > 1e-6 * (1.0 + ours.abs()) {
            return Err(TrainError::Invalid(format!("reading smartcore's trees: row {i} predicts {ours}, smartcore {}", theirs[i])));
        }
    }
    Ok(trained)
}

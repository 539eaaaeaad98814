//! Model kinds, polynomial feature expansion and the fixed-point prediction of one row.

use crate::error::CoreError;
use crate::fixed::{mul_hi_round, round_shift_i64, Z_BOUND_BITS, Z_FRAC_BITS};
use crate::mlp::{FixedLayer, MlpView};
use crate::trees::{FixedTrees, TreesView};
use alloc::vec::Vec;

/// Most features a model may have: defined in `fixed`, below every model kind.
pub use crate::fixed::MAX_FEATURES;
/// Highest polynomial degree supported.
pub const MAX_DEGREE: u32 = 3;

/// The model family. Linear and ridge share one evaluation (degree 1), a polynomial's depends
/// on its degree; trees and the MLP have their own. The kind is carried into the claim so that
/// a verifier knows what was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ModelKind {
    /// Ordinary least squares on the standardised features.
    Linear = 0,
    /// Ridge regression on the standardised features.
    Ridge = 1,
    /// Ridge regression on a polynomial expansion of the standardised features.
    PolyRidge = 2,
    /// Gradient-boosted regression trees (see [`crate::trees`]); degree 0.
    Gbdt = 3,
    /// A multilayer perceptron with ReLU (see [`crate::mlp`]); degree 0.
    Mlp = 4,
}

impl ModelKind {
    pub fn from_code(code: u32) -> Option<Self> {
        match code {
            0 => Some(ModelKind::Linear),
            1 => Some(ModelKind::Ridge),
            2 => Some(ModelKind::PolyRidge),
            3 => Some(ModelKind::Gbdt),
            4 => Some(ModelKind::Mlp),
            _ => None,
        }
    }

    pub fn code(self) -> u32 {
        self as u32
    }

    /// Whether the model's parameters are an affine function of monomials (bias + weights).
    pub fn is_affine(self) -> bool {
        matches!(self, ModelKind::Linear | ModelKind::Ridge | ModelKind::PolyRidge)
    }

    /// Short name used on the command line and in reports: `linear`, `ridge`, `poly2`, ...
    pub fn label(self, degree: u32) -> &'static str {
        match (self, degree) {
            (ModelKind::Linear, _) => "linear",
            (ModelKind::Ridge, _) => "ridge",
            (ModelKind::PolyRidge, 2) => "poly2",
            (ModelKind::PolyRidge, 3) => "poly3",
            (ModelKind::PolyRidge, _) => "poly",
            (ModelKind::Gbdt, _) => "gbdt",
            (ModelKind::Mlp, _) => "mlp",
        }
    }
}

/// Number of monomials of degree 1..=`degree` in `n` variables (the bias excluded):
/// `C(n + degree, degree) - 1`.
pub const fn n_terms(n: u32, degree: u32) -> u32 {
    let mut num: u64 = 1;
    let mut den: u64 = 1;
    let mut i = 0;
    while i < degree as u64 {
        num *= n as u64 + degree as u64 - i;
        den *= i + 1;
        i += 1;
    }
    (num / den) as u32 - 1
}

/// Appends the monomials of degree 1..=`degree` of `z` to `out` in canonical order: first
/// `z_i`, then `z_i z_j` for `i <= j` (lexicographic), then `z_i z_j z_k` for
/// `i <= j <= k`. Training (f64) and every guest (fixed point) use this one function, so the
/// weights always line up with the terms.
#[inline]
pub fn expand<T: Copy>(z: &[T], degree: u32, out: &mut Vec<T>, mul: impl Fn(T, T) -> T) {
    let n = z.len();
    out.extend_from_slice(z);
    if degree < 2 {
        return;
    }
    let deg2_start = out.len();
    for i in 0..n {
        for j in i..n {
            out.push(mul(z[i], z[j]));
        }
    }
    if degree < 3 {
        return;
    }
    let mut pair = deg2_start;
    for i in 0..n {
        for j in i..n {
            let zij = out[pair];
            pair += 1;
            for &zk in &z[j..] {
                out.push(mul(zij, zk));
            }
        }
    }
}

/// Largest magnitude of a degree-1 (folded) weight: `2^25`, so that 32 products with `i32`
/// values and the bias sum in `i64`.
pub const MAX_ABS_FOLDED_WEIGHT: i32 = 1 << 25;
/// Largest magnitude of the bias (at the accumulator's scale): `2^60`.
pub const MAX_ABS_BIAS: i64 = 1 << 60;

/// A fixed-point model's parameters, decoded in place from the guest input.
#[derive(Debug, Clone, Copy)]
pub struct ModelView<'a> {
    pub kind: ModelKind,
    pub degree: u32,
    pub n_features: u32,
    /// Fractional bits of each test-set column: the features, then the target.
    pub column_frac_bits: &'a [u32],
    /// See [`FixedModel::weight_frac_bits`].
    pub weight_frac_bits: u32,
    pub(crate) means: &'a [i32],
    pub(crate) inv_stds: &'a [i32],
    pub(crate) z_shifts: &'a [u32],
    pub(crate) bias: i64,
    pub(crate) weights: &'a [i32],
    /// Bits the accumulator is rounded by to reach the target's scale.
    pub(crate) out_shift: u32,
    /// The column schema's digest (see [`FixedModel::schema`]).
    pub(crate) schema: [u8; 32],
    /// Trees only.
    pub(crate) trees: Option<TreesView<'a>>,
    /// MLP only.
    pub(crate) mlp: Option<MlpView<'a>>,
}

/// Rounds a sum of products by `shift` bits (back to the weights' scale inside a polynomial,
/// to the target's scale for the prediction) and checks that it fits `i32`: the one bound of
/// a prediction and of each Horner level.
#[inline(always)]
fn settle(acc: i64, shift: u32, row: u64) -> Result<i32, CoreError> {
    let v = round_shift_i64(acc, shift);
    let narrow = v as i32;
    if narrow as i64 != v {
        return Err(CoreError::PredictionOutOfRange { row });
    }
    Ok(narrow)
}

/// `w * z` exactly: one 32×32→64 multiply.
#[inline(always)]
fn mul(w: i32, z: i32) -> i64 {
    w as i64 * z as i64
}

/// Fractional bits of a model's accumulator: `weight_frac_bits` for degree 1 (folded weights
/// times raw values) and for trees (leaves), `weight_frac_bits + Z_FRAC_BITS` for a polynomial
/// (weights times `z`) and for the MLP's output layer (weights times activations).
pub fn accumulator_frac_bits(kind: ModelKind, degree: u32, weight_frac_bits: u32) -> u32 {
    match kind {
        ModelKind::Gbdt => weight_frac_bits,
        ModelKind::Mlp => weight_frac_bits + Z_FRAC_BITS,
        _ if degree == 1 => weight_frac_bits,
        _ => weight_frac_bits + Z_FRAC_BITS,
    }
}

impl ModelView<'_> {
    /// The target column's fractional bits: the scale of predictions and of the claim.
    pub fn target_frac_bits(&self) -> u32 {
        self.column_frac_bits[self.n_features as usize]
    }

    /// Copies the parameters out (for hosts and tests).
    pub fn to_owned_model(&self) -> FixedModel {
        FixedModel {
            kind: self.kind,
            degree: self.degree,
            schema: self.schema,
            column_frac_bits: self.column_frac_bits.to_vec(),
            weight_frac_bits: self.weight_frac_bits,
            means: self.means.to_vec(),
            inv_stds: self.inv_stds.to_vec(),
            z_shifts: self.z_shifts.to_vec(),
            bias: self.bias,
            weights: self.weights.to_vec(),
            trees: self.trees.map(|t| t.to_owned_trees()),
            layers: self.mlp.map(|m| m.to_owned_layers()).unwrap_or_default(),
        }
    }

    /// Scratch slots [`Self::predict`] needs: one per feature, or the MLP's two activation
    /// buffers.
    pub fn scratch_len(&self) -> usize {
        match &self.mlp {
            Some(m) => 2 * m.max_width(),
            None => self.n_features as usize,
        }
    }

    /// The trees, if this is a forest.
    pub fn trees(&self) -> Option<&TreesView<'_>> {
        self.trees.as_ref()
    }

    /// The network, if this is an MLP.
    pub fn mlp(&self) -> Option<&MlpView<'_>> {
        self.mlp.as_ref()
    }

    /// Standardises one row: `z_j = round((x_j - mean_j) * inv_std_j / 2^32) * 2^shift_j` at
    /// `2^Z_FRAC_BITS` (the rounded high word of one 32×32→64 multiply), each checked against
    /// [`crate::fixed::MAX_ABS_Z`].
    #[inline(always)]
    fn standardise(&self, row: u64, x: &[i32], z: &mut [i32]) -> Result<(), CoreError> {
        let n = z.len();
        let (means, inv_stds, shifts, x) = (&self.means[..n], &self.inv_stds[..n], &self.z_shifts[..n], &x[..n]);
        for j in 0..n {
            let Some(d) = x[j].checked_sub(means[j]) else {
                return Err(CoreError::StandardisedOutOfRange { row, feature: j as u32 });
            };
            let (hi, shift) = (mul_hi_round(d, inv_stds[j]), shifts[j]);
            // -2^(26 - shift) <= hi < 2^(26 - shift), so that -2^26 <= z < 2^26: the
            // arithmetic shift leaves 0 or -1 exactly then.
            if ((hi >> (Z_BOUND_BITS - shift)) + 1) as u32 > 1 {
                return Err(CoreError::StandardisedOutOfRange { row, feature: j as u32 });
            }
            z[j] = hi << shift;
        }
        Ok(())
    }

    /// Predicts one row at the target's scale. `x` holds the row's features at their column
    /// scales; `z` ([`Self::scratch_len`] slots) is scratch space reused between rows.
    ///
    /// Trees: the bias plus one leaf per tree ([`TreesView::sum_leaves`]), rounded once. MLP:
    /// the standardised row through every layer ([`MlpView`]), the output rounded once.
    ///
    /// Degree 1 (linear, ridge): the standardisation is folded into the weights, so the
    /// prediction is `bias + Σ v_j x_j`, one 32×32→64 multiply-accumulate per feature in `i64`
    /// (bounded: `|v| <= 2^25`, `|x| <= 2^31`, `|bias| <= 2^60`), rounded once.
    ///
    /// A polynomial standardises each feature, then evaluates
    /// `bias + Σ w_i z_i + Σ_{i<=j} w_ij z_i z_j + Σ_{i<=j<=k} w_ijk z_i z_j z_k` in Horner form,
    /// `bias + Σ_i z_i (w_i + Σ_{j>=i} z_j (w_ij + Σ_{k>=j} w_ijk z_k))`, which visits the
    /// weights in the canonical order of [`expand`]. Each inner level is a sum of 32×32→64
    /// products at `2^(weights + 16)` in `i64` (bounded: `|w| < 2^31`, `|z| < 2^26`, at most 32
    /// terms), rounded once back to the weights' scale and checked to fit `i32`; the outermost
    /// sum is rounded to the target's scale instead.
    #[inline]
    pub fn predict(&self, row: u64, x: &[i32], z: &mut [i32]) -> Result<i32, CoreError> {
        let n = self.n_features as usize;
        if let Some(trees) = &self.trees {
            let mut padded = [0i32; crate::model::MAX_FEATURES as usize];
            padded[..n].copy_from_slice(&x[..n]);
            return settle(self.bias + trees.sum_leaves(&padded), self.out_shift, row);
        }
        if let Some(mlp) = &self.mlp {
            self.standardise(row, x, &mut z[..n])?;
            return settle(mlp.forward(row, z)?, self.out_shift, row);
        }
        let z = &mut z[..n];
        let w = self.weights;
        let mut acc = self.bias;
        if self.degree == 1 {
            for (&v, &xj) in w[..n].iter().zip(&x[..n]) {
                acc += mul(v, xj);
            }
            return settle(acc, self.out_shift, row);
        }
        self.standardise(row, x, z)?;
        let (linear, higher) = w.split_at(n);
        if self.degree == 2 {
            // Row i of the quadratic weights is w_ii .. w_i(n-1): n - i of them.
            let mut rest = higher;
            for (i, (&wi, &zi)) in linear.iter().zip(z.iter()).enumerate() {
                let (row_weights, tail) = rest.split_at(n - i);
                rest = tail;
                let mut inner = (wi as i64) << Z_FRAC_BITS;
                for (&wij, &zj) in row_weights.iter().zip(&z[i..]) {
                    inner += mul(wij, zj);
                }
                acc += mul(settle(inner, Z_FRAC_BITS, row)?, zi);
            }
        } else {
            let (quadratic, cubic) = higher.split_at(n * (n + 1) / 2);
            let (mut p2, mut p3) = (0, 0);
            for i in 0..n {
                let mut inner = (linear[i] as i64) << Z_FRAC_BITS;
                for j in i..n {
                    let mut inner2 = (quadratic[p2] as i64) << Z_FRAC_BITS;
                    p2 += 1;
                    for (&wijk, &zk) in cubic[p3..].iter().zip(&z[j..]) {
                        inner2 += mul(wijk, zk);
                    }
                    p3 += n - j;
                    inner += mul(settle(inner2, Z_FRAC_BITS, row)?, z[j]);
                }
                acc += mul(settle(inner, Z_FRAC_BITS, row)?, z[i]);
            }
        }
        settle(acc, self.out_shift, row)
    }
}

/// An owned fixed-point model: what `model.json` quantises to and what gets encoded into the
/// guest input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedModel {
    pub kind: ModelKind,
    pub degree: u32,
    /// SHA-256 of the columns the model reads, by name and in order, then the target's name
    /// (computed by the host: `zkml_train::schema_digest`; all zeros where no names are
    /// known, as in core's own tests). It is part of the model section, hence of the model
    /// hash: the weights mean nothing without knowing which column each one multiplies.
    pub schema: [u8; 32],
    /// Fractional bits of each test-set column, the features then the target: fixed at
    /// quantisation from the training data's range, and committed with the test set.
    pub column_frac_bits: Vec<u32>,
    /// The weights' scale. Degree 1: weight `j` is at `weight_frac_bits - column_frac_bits[j]`,
    /// so that every product `weight * value` and the bias are at `weight_frac_bits`. A
    /// polynomial: every weight and every Horner partial sum is at `weight_frac_bits`, the bias
    /// at `weight_frac_bits + 16`. The prediction is rounded from the accumulator's scale
    /// ([`accumulator_frac_bits`]) to the target's, a shift of 1..=62 bits.
    pub weight_frac_bits: u32,
    /// Polynomials only (empty for degree 1, whose weights fold the standardisation in):
    /// training means of the features, at their column's scale.
    pub means: Vec<i32>,
    /// Polynomials only: `2^(Z_FRAC_BITS + 32 - shift) / std` of each feature, std in its
    /// column's fixed-point units: `z = round((x - mean) * inv_std / 2^32) * 2^shift` is the
    /// standardised feature at 2^16.
    pub inv_stds: Vec<i32>,
    /// Polynomials only: the shifts of the standardised features (0..=16; non-zero only for a
    /// feature whose standard deviation is below 2^17 units of its column's scale).
    pub z_shifts: Vec<u32>,
    /// The bias at the accumulator's scale, `|bias| <= 2^60`.
    pub bias: i64,
    /// One weight per monomial in the order of [`expand`] (affine kinds; empty otherwise).
    pub weights: Vec<i32>,
    /// Gradient-boosted trees only (`bias` is then the base score at `weight_frac_bits`).
    pub trees: Option<FixedTrees>,
    /// MLP only: the layers, the output layer last (`bias` is then 0, `weight_frac_bits` the
    /// output layer's `frac_bits`; `means`, `inv_stds`, `z_shifts` standardise the inputs).
    pub layers: Vec<FixedLayer>,
}

impl FixedModel {
    pub fn n_features(&self) -> u32 {
        self.column_frac_bits.len().saturating_sub(1) as u32
    }

    /// A linear, ridge or polynomial model (no trees, no layers).
    #[allow(clippy::too_many_arguments)]
    pub fn affine(
        kind: ModelKind,
        degree: u32,
        column_frac_bits: Vec<u32>,
        weight_frac_bits: u32,
        standardisation: (Vec<i32>, Vec<i32>, Vec<u32>),
        bias: i64,
        weights: Vec<i32>,
    ) -> Self {
        let (means, inv_stds, z_shifts) = standardisation;
        FixedModel {
            kind,
            degree,
            schema: [0; 32],
            column_frac_bits,
            weight_frac_bits,
            means,
            inv_stds,
            z_shifts,
            bias,
            weights,
            trees: None,
            layers: Vec::new(),
        }
    }
}

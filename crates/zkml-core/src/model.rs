//! Model kinds, polynomial feature expansion and the fixed-point prediction of one row.

use crate::error::CoreError;
use crate::fixed::{self, FRAC_BITS, INV_STD_FRAC_BITS, MAX_ABS_FIXED, MAX_ABS_STANDARDISED_FIXED};
use alloc::vec::Vec;

/// Most features a model may have. Degree 3 over 32 features is 6,545 weights.
pub const MAX_FEATURES: u32 = 32;
/// Highest polynomial degree supported.
pub const MAX_DEGREE: u32 = 3;

/// How the weights were trained. Evaluation only depends on `degree`; the kind is carried
/// into the claim so that a verifier knows what was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ModelKind {
    /// Ordinary least squares on the standardised features.
    Linear = 0,
    /// Ridge regression on the standardised features.
    Ridge = 1,
    /// Ridge regression on a polynomial expansion of the standardised features.
    PolyRidge = 2,
}

impl ModelKind {
    pub fn from_code(code: u32) -> Option<Self> {
        match code {
            0 => Some(ModelKind::Linear),
            1 => Some(ModelKind::Ridge),
            2 => Some(ModelKind::PolyRidge),
            _ => None,
        }
    }

    pub fn code(self) -> u32 {
        self as u32
    }

    /// Short name used on the command line and in reports: `linear`, `ridge`, `poly2`, ...
    pub fn label(self, degree: u32) -> &'static str {
        match (self, degree) {
            (ModelKind::Linear, _) => "linear",
            (ModelKind::Ridge, _) => "ridge",
            (ModelKind::PolyRidge, 2) => "poly2",
            (ModelKind::PolyRidge, 3) => "poly3",
            (ModelKind::PolyRidge, _) => "poly",
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

/// A fixed-point model's parameters, decoded in place from the guest input.
#[derive(Debug, Clone, Copy)]
pub struct ModelView<'a> {
    pub kind: ModelKind,
    pub degree: u32,
    pub n_features: u32,
    pub(crate) means: &'a [u32],
    pub(crate) inv_stds: &'a [u32],
    pub(crate) weights: &'a [u32],
}

#[inline(always)]
pub(crate) fn word_i64(words: &[u32], i: usize) -> i64 {
    (words[2 * i] as u64 | (words[2 * i + 1] as u64) << 32) as i64
}

impl ModelView<'_> {
    pub fn mean(&self, j: usize) -> i64 {
        word_i64(self.means, j)
    }
    pub fn inv_std(&self, j: usize) -> i64 {
        word_i64(self.inv_stds, j)
    }
    pub fn weight(&self, k: usize) -> i64 {
        word_i64(self.weights, k)
    }
    pub fn n_weights(&self) -> usize {
        self.weights.len() / 2
    }

    /// Copies the parameters out (for hosts and tests).
    pub fn to_owned_model(&self) -> FixedModel {
        let nf = self.n_features as usize;
        FixedModel {
            kind: self.kind,
            degree: self.degree,
            means: (0..nf).map(|j| self.mean(j)).collect(),
            inv_stds: (0..nf).map(|j| self.inv_std(j)).collect(),
            weights: (0..self.n_weights()).map(|k| self.weight(k)).collect(),
        }
    }

    /// Predicts one row in fixed point. `x` holds the row's features; `scratch` is reused
    /// between rows to avoid an allocation per row.
    ///
    /// `z_j = (x_j - mean_j) * inv_std_j`, the monomials of `z`, then
    /// `bias + sum_k w_k * term_k`, accumulated exactly in `i128` and rounded once.
    pub fn predict(&self, row_index: u64, x: impl Iterator<Item = i64>, scratch: &mut Scratch) -> Result<i64, CoreError> {
        scratch.z.clear();
        for (j, xj) in x.enumerate() {
            let z = fixed::mul_round_shift(xj - self.mean(j), self.inv_std(j), INV_STD_FRAC_BITS);
            if z > MAX_ABS_STANDARDISED_FIXED as i128 || z < -(MAX_ABS_STANDARDISED_FIXED as i128) {
                return Err(CoreError::StandardisedOutOfRange { row: row_index, feature: j as u32 });
            }
            scratch.z.push(z as i64);
        }
        scratch.terms.clear();
        expand(&scratch.z, self.degree, &mut scratch.terms, fixed::mul);
        let mut acc: i128 = (self.weight(0) as i128) << FRAC_BITS;
        for (k, &t) in scratch.terms.iter().enumerate() {
            acc += fixed::wide_mul(self.weight(k + 1), t);
        }
        let prediction = fixed::round_shift(acc, FRAC_BITS);
        if prediction > MAX_ABS_FIXED as i128 || prediction < -(MAX_ABS_FIXED as i128) {
            return Err(CoreError::PredictionOutOfRange { row: row_index });
        }
        Ok(prediction as i64)
    }
}

/// Buffers reused across rows by [`ModelView::predict`].
#[derive(Debug, Default)]
pub struct Scratch {
    z: Vec<i64>,
    terms: Vec<i64>,
}

impl Scratch {
    pub fn for_model(n_features: u32, degree: u32) -> Self {
        Scratch { z: Vec::with_capacity(n_features as usize), terms: Vec::with_capacity(n_terms(n_features, degree) as usize) }
    }
}

/// An owned fixed-point model: what `model.json` quantises to and what gets encoded into the
/// guest input. Weights: `[bias, w_1, ..., w_T]` in the order of [`expand`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedModel {
    pub kind: ModelKind,
    pub degree: u32,
    /// Training means of the raw features, fixed point at `FRAC_BITS`.
    pub means: Vec<i64>,
    /// `1 / std` of the raw features, fixed point at `INV_STD_FRAC_BITS`.
    pub inv_stds: Vec<i64>,
    /// Bias then one weight per monomial, fixed point at `FRAC_BITS`.
    pub weights: Vec<i64>,
}

impl FixedModel {
    pub fn n_features(&self) -> u32 {
        self.means.len() as u32
    }
}

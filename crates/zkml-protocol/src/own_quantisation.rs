//! Backends with their own fixed point (EZKL): the normalised real-valued model they are given,
//! and the tolerance within which their claim must agree with the native one.
//!
//! # The normalised domain
//! Every test value `v` (an `i32` at its column's scale `2^f`) enters as `u = v / 2^N`
//! (`N` = [`OwnQuantisation::normalisation_bits`], 24: the training range of every column maps
//! into [-1, 1]). The model is rewritten exactly for `u` ([`NormalisedModel::from_fixed`]): the
//! prediction of the normalised target `u_y = y / 2^N` is `b + Σ c_j u_j` (degree 1) or
//! `b + Σ w_t m_t(z)`, `z_j = (u_j - μ_j) s_j` (degree 2). The backend then rounds inputs to
//! `2^-s` and parameters to `2^-p` and computes in its own integers.
//!
//! # The tolerance (first order, per row)
//! With `h = 2^-(s+1)` (half an input step) and `h_p = 2^-(p+1) + max|θ| 2^-24` (half a
//! parameter step plus the float32 rounding of an ONNX constant), a row's prediction error is
//! at most
//!
//! `Δ_r = h (1 + G_r) (1 + R) + h_p P_r`
//!
//! where `G_r = Σ_j |∂pred/∂u_j| (+ Σ_j |∂pred/∂z_j|` for polynomials: a rounding of `z`),
//! `P_r = Σ_θ |∂pred/∂θ|` over every parameter θ, and `R` the number of intermediate roundings
//! back to the input scale ([`OwnQuantisation::rescale_steps`]); the leading 1 is the target's
//! own rounding. Then, over the rows (residuals `e_r`, targets `y_r`, all in normalised units):
//! `|ΔSSE| <= Σ 2|e_r|Δ_r + Δ_r²`, `|ΔΣy| <= n h`, `|ΔΣy²| <= Σ 2|y_r| h + h²`,
//! `|ΔSST| <= |ΔΣy²| + (2|Σy| |ΔΣy| + |ΔΣy|²) / n`; MSE agrees within `|ΔSSE| / n` plus both
//! claims' rounding, and `R² = 1 - SSE/SST` within `(|ΔSSE| + (SSE/SST) |ΔSST|) / (SST - |ΔSST|)`
//! plus its rounding. Second-order terms of a polynomial (products of two roundings) are below
//! `h²` per term and covered by the `Δ_r²` term's slack at these scales.

use serde::{Deserialize, Serialize};
use zkml_core::{fixed, Claim, FixedModel};

/// How a backend with its own fixed point quantises the job (see
/// [`crate::BackendInfo::own_quantisation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnQuantisation {
    /// Every value `v` enters as `v / 2^normalisation_bits`, then is rounded to
    /// `2^-input_frac_bits`.
    pub normalisation_bits: u32,
    pub input_frac_bits: u32,
    /// Model parameters (in the normalised domain) are rounded to `2^-param_frac_bits`.
    pub param_frac_bits: u32,
    /// At most this many roundings back to the input scale on the way to a prediction.
    pub rescale_steps: u32,
}

/// The fixed-point model rewritten exactly for normalised inputs (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalisedModel {
    pub degree: u32,
    pub n_features: u32,
    pub weights: Vec<f64>,
    pub bias: f64,
    /// Degree 2 only.
    pub means: Vec<f64>,
    /// Degree 2 and MLP.
    pub inv_stds: Vec<f64>,
    /// MLP only (degree 0): dense layers on `z`, ReLU between them; the last one predicts
    /// `u_y` (the target's standardisation and its normalisation folded in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<NormalisedLayer>,
    /// Gradient-boosted trees only (degree 0): thresholds in `u`, leaves in `u_y`; `bias` the
    /// base score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trees: Option<NormalisedTrees>,
}

/// A forest in the normalised domain: complete trees of one depth in heap order (see
/// `zkml_core::trees`), `x[feature] > threshold` going right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalisedTrees {
    pub depth: u32,
    pub n_trees: usize,
    pub features: Vec<u32>,
    pub thresholds: Vec<f64>,
    pub leaves: Vec<f64>,
}

impl NormalisedTrees {
    /// The sum of the leaves for `u`, and how far a backend's sum can be from it when its
    /// inputs and thresholds are each off by up to `margin`, and each leaf by `hp`: a tree
    /// whose path passes a node within `margin` of its threshold may take another leaf, so it
    /// contributes the spread of its leaves; every tree its leaf's rounding.
    pub fn predict_with_tolerance(&self, u: &[f64], margin: f64, hp: f64) -> (f64, f64) {
        let internal = (1usize << self.depth) - 1;
        let (mut sum, mut delta) = (0.0, 0.0);
        for tree in 0..self.n_trees {
            let (mut k, mut near) = (0usize, false);
            for _ in 0..self.depth {
                let at = tree * internal + k;
                let (x, t) = (u[self.features[at] as usize], self.thresholds[at]);
                near |= (x - t).abs() <= margin;
                k = 2 * k + 1 + (x > t) as usize;
            }
            let leaves = &self.leaves[tree << self.depth..(tree + 1) << self.depth];
            sum += leaves[k - internal];
            if near {
                let (lo, hi) = leaves.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                delta += hi - lo;
            }
            delta += hp;
        }
        (sum, delta)
    }
}

/// One dense layer of an MLP in the normalised domain: `weights` row-major (`n_out × n_in`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NormalisedLayer {
    pub n_in: usize,
    pub n_out: usize,
    pub weights: Vec<f64>,
    pub biases: Vec<f64>,
}

impl NormalisedLayer {
    fn apply(&self, a: &[f64]) -> Vec<f64> {
        (0..self.n_out)
            .map(|i| self.biases[i] + self.weights[i * self.n_in..(i + 1) * self.n_in].iter().zip(a).map(|(w, x)| w * x).sum::<f64>())
            .collect()
    }
}

fn pow2(e: i32) -> f64 {
    2f64.powi(e)
}

impl NormalisedModel {
    /// The exact real-valued form of `m` for inputs `v / 2^n` (degree 1 or 2).
    pub fn from_fixed(m: &FixedModel, n: u32) -> anyhow::Result<Self> {
        let nf = m.n_features() as usize;
        let t = m.column_frac_bits[nf] as i32;
        let (w, n) = (m.weight_frac_bits as i32, n as i32);
        match m.degree {
            // pred_u = bias 2^(T-N-W) + Σ v_j 2^(T-W) u_j
            1 => Ok(NormalisedModel {
                degree: 1,
                n_features: nf as u32,
                weights: m.weights.iter().map(|&v| v as f64 * pow2(t - w)).collect(),
                bias: m.bias as f64 * pow2(t - n - w),
                means: vec![],
                inv_stds: vec![],
                layers: vec![],
                trees: None,
            }),
            // z_j = (u_j - mean_j 2^-N) inv_std_j 2^(k_j - N); pred_u = (bias 2^-16 + Σ w_t m_t) 2^(T-N-W)
            2 => Ok(NormalisedModel {
                degree: 2,
                n_features: nf as u32,
                weights: m.weights.iter().map(|&v| v as f64 * pow2(t - n - w)).collect(),
                bias: m.bias as f64 * pow2(t - n - w - fixed::Z_FRAC_BITS as i32),
                means: m.means.iter().map(|&v| v as f64 * pow2(-n)).collect(),
                inv_stds: m.inv_stds.iter().zip(&m.z_shifts).map(|(&s, &k)| s as f64 * pow2(k as i32 - n)).collect(),
                layers: vec![],
                trees: None,
            }),
            // Thresholds t 2^-N (compared with u = v 2^-N); leaves and the base 2^(T-N-W).
            0 if m.kind == zkml_core::ModelKind::Gbdt => {
                let trees = m.trees.as_ref().ok_or_else(|| anyhow::anyhow!("a gbdt model without trees"))?;
                Ok(NormalisedModel {
                    degree: 0,
                    n_features: nf as u32,
                    weights: vec![],
                    bias: m.bias as f64 * pow2(t - n - w),
                    means: vec![],
                    inv_stds: vec![],
                    layers: vec![],
                    trees: Some(NormalisedTrees {
                        depth: trees.depth,
                        n_trees: trees.n_trees(),
                        features: trees.features.clone(),
                        thresholds: trees.thresholds.iter().map(|&v| v as f64 * pow2(-n)).collect(),
                        leaves: trees.leaves.iter().map(|&v| v as f64 * pow2(t - n - w)).collect(),
                    }),
                })
            }
            // z as for degree 2; layer l: W = w 2^-b_l, b = bias 2^-(b_l + 16); the output layer
            // also times 2^(T - N), so that it predicts u_y.
            0 if m.kind == zkml_core::ModelKind::Mlp => {
                let last = m.layers.len().saturating_sub(1);
                let layers = m
                    .layers
                    .iter()
                    .enumerate()
                    .map(|(l, layer)| {
                        let out = if l == last { t - n } else { 0 };
                        let b = layer.frac_bits as i32;
                        NormalisedLayer {
                            n_in: layer.n_in as usize,
                            n_out: layer.n_out as usize,
                            weights: layer.weights.iter().map(|&v| v as f64 * pow2(out - b)).collect(),
                            biases: layer.biases.iter().map(|&v| v as f64 * pow2(out - b - fixed::Z_FRAC_BITS as i32)).collect(),
                        }
                    })
                    .collect();
                Ok(NormalisedModel {
                    degree: 0,
                    n_features: nf as u32,
                    weights: vec![],
                    bias: 0.0,
                    means: m.means.iter().map(|&v| v as f64 * pow2(-n)).collect(),
                    inv_stds: m.inv_stds.iter().zip(&m.z_shifts).map(|(&s, &k)| s as f64 * pow2(k as i32 - n)).collect(),
                    layers,
                    trees: None,
                })
            }
            d => anyhow::bail!("degree {d}: only linear, ridge, degree-2, gbdt and MLP models have a normalised form here"),
        }
    }

    fn z(&self, u: &[f64]) -> Vec<f64> {
        u.iter().zip(&self.means).zip(&self.inv_stds).map(|((&x, &m), &s)| (x - m) * s).collect()
    }

    /// The prediction for normalised features `u`, and the sensitivities of the tolerance:
    /// `(pred, G, P)` (see the module docs).
    pub fn predict_with_sensitivity(&self, u: &[f64]) -> (f64, f64, f64) {
        let nf = self.n_features as usize;
        if !self.layers.is_empty() {
            return self.mlp_with_sensitivity(u);
        }
        if self.degree == 1 {
            let pred = self.bias + self.weights.iter().zip(u).map(|(c, x)| c * x).sum::<f64>();
            let g = self.weights.iter().map(|c| c.abs()).sum::<f64>();
            let p = 1.0 + u.iter().map(|x| x.abs()).sum::<f64>();
            return (pred, g, p);
        }
        let z = self.z(u);
        let mut pred = self.bias;
        let mut dz = self.weights[..nf].to_vec();
        let mut p = 1.0;
        for (w, zj) in self.weights.iter().zip(&z) {
            pred += w * zj;
            p += zj.abs();
        }
        let mut t = nf;
        for i in 0..nf {
            for k in i..nf {
                let w = self.weights[t];
                t += 1;
                pred += w * z[i] * z[k];
                p += (z[i] * z[k]).abs();
                dz[i] += w * z[k];
                dz[k] += w * z[i];
            }
        }
        let mut g = 0.0;
        for (((d, s), m), x) in dz.iter().zip(&self.inv_stds).zip(&self.means).zip(u) {
            g += (d * s).abs() + d.abs();
            // mean_j and inv_std_j are parameters too.
            p += d.abs() * (s.abs() + (x - m).abs());
        }
        (pred, g, p)
    }

    /// The MLP's prediction and sensitivities, by backpropagation: `G` adds, to the inputs'
    /// and `z`'s, every hidden activation (each is rounded back to the input scale once), `P`
    /// every weight, bias, mean and `1/std`. ReLU is 1-Lipschitz, so first order bounds it.
    fn mlp_with_sensitivity(&self, u: &[f64]) -> (f64, f64, f64) {
        let mut acts = vec![self.z(u)];
        let mut pre = Vec::new();
        for (l, layer) in self.layers.iter().enumerate() {
            let s = layer.apply(&acts[l]);
            let a = if l + 1 < self.layers.len() { s.iter().map(|v| v.max(0.0)).collect() } else { s.clone() };
            pre.push(s);
            acts.push(a);
        }
        let pred = acts[self.layers.len()][0];
        let (mut g, mut p) = (0.0f64, 0.0f64);
        let mut delta = vec![1.0f64]; // ∂pred/∂(pre-activation) of the current layer
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let a = &acts[l];
            let sum_a: f64 = a.iter().map(|v| v.abs()).sum();
            p += delta.iter().map(|d| d.abs() * (1.0 + sum_a)).sum::<f64>();
            let da: Vec<f64> =
                (0..layer.n_in).map(|j| (0..layer.n_out).map(|i| delta[i] * layer.weights[i * layer.n_in + j]).sum()).collect();
            if l > 0 {
                g += da.iter().map(|d| d.abs()).sum::<f64>();
                delta = da.iter().zip(&pre[l - 1]).map(|(d, s)| if *s > 0.0 { *d } else { 0.0 }).collect();
            } else {
                for (((d, s), m), x) in da.iter().zip(&self.inv_stds).zip(&self.means).zip(u) {
                    g += (d * s).abs() + d.abs();
                    p += d.abs() * (s.abs() + (x - m).abs());
                }
            }
        }
        (pred, g, p)
    }

    fn max_abs_param(&self) -> f64 {
        let layers = self.layers.iter().flat_map(|l| l.weights.iter().chain(&l.biases));
        let trees = self.trees.iter().flat_map(|t| t.leaves.iter().chain(t.thresholds.iter().filter(|v| v.abs() < 64.0)));
        self.weights
            .iter()
            .chain(&self.means)
            .chain(&self.inv_stds)
            .chain(std::iter::once(&self.bias))
            .chain(layers)
            .chain(trees)
            .fold(0.0, |a, x| a.max(x.abs()))
    }
}

/// How a backend's claim compares with the native one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub mse_native: f64,
    pub mse_backend: f64,
    /// The largest difference the backend's quantisation explains (see the module docs).
    pub mse_tolerance: f64,
    pub r2_native: f64,
    pub r2_backend: f64,
    pub r2_tolerance: f64,
    pub within_tolerance: bool,
}

impl Agreement {
    pub fn line(&self) -> String {
        format!(
            "claim in the backend's own quantisation: MSE {:.6} vs native {:.6} (|Δ| {:.3e} <= {:.3e}), R² {:.8} vs native {:.8} \
             (|Δ| {:.3e} <= {:.3e}): {}",
            self.mse_backend,
            self.mse_native,
            (self.mse_backend - self.mse_native).abs(),
            self.mse_tolerance,
            self.r2_backend,
            self.r2_native,
            (self.r2_backend - self.r2_native).abs(),
            self.r2_tolerance,
            if self.within_tolerance { "within the derived tolerance" } else { "OUTSIDE the derived tolerance" }
        )
    }
}

/// Compares `backend`'s claim with the native `expected` one for the same model and rows (`rows`:
/// the test set's values, row-major, features then target). Identity fields (model, rows,
/// kind) must be equal; MSE and R² must agree within the derived tolerance.
pub fn agreement(q: &OwnQuantisation, model: &FixedModel, rows: &[i32], expected: &Claim, backend: &Claim) -> anyhow::Result<Agreement> {
    if (backend.model_hash, backend.n_rows, backend.n_features, backend.model_kind, backend.degree)
        != (expected.model_hash, expected.n_rows, expected.n_features, expected.model_kind, expected.degree)
    {
        anyhow::bail!("the backend's claim is about another model or another number of rows than the native evaluation");
    }
    let nm = NormalisedModel::from_fixed(model, q.normalisation_bits)?;
    let nf = model.n_features() as usize;
    let scale = pow2(-(q.normalisation_bits as i32));
    let h = pow2(-(q.input_frac_bits as i32) - 1);
    let hp = pow2(-(q.param_frac_bits as i32) - 1) + nm.max_abs_param() * pow2(-24);
    let (mut d_sse, mut d_syy, mut sy) = (0.0f64, 0.0f64, 0.0f64);
    let mut u = vec![0.0; nf];
    let n = (rows.len() / (nf + 1)) as f64;
    for row in rows.chunks_exact(nf + 1) {
        for (x, &v) in u.iter_mut().zip(row) {
            *x = v as f64 * scale;
        }
        let y = row[nf] as f64 * scale;
        let (pred, delta) = match &nm.trees {
            // A comparison may flip where a value and a threshold are within both roundings.
            Some(trees) => {
                let (sum, d) = trees.predict_with_tolerance(&u, h + hp, hp);
                (nm.bias + sum, h + hp + d)
            }
            None => {
                let (pred, g, p) = nm.predict_with_sensitivity(&u);
                (pred, h * (1.0 + g) * (1.0 + q.rescale_steps as f64) + hp * p)
            }
        };
        d_sse += 2.0 * (pred - y).abs() * delta + delta * delta;
        d_syy += 2.0 * y.abs() * h + h * h;
        sy += y;
    }
    let d_sy = n * h;
    let d_sst = d_syy + (2.0 * sy.abs() * d_sy + d_sy * d_sy) / n;
    // Back to the claim's real units: u_y = y_real 2^(T - N).
    let t = model.column_frac_bits[nf] as i32;
    let to_real2 = pow2(2 * (q.normalisation_bits as i32 - t));
    let (d_sse, d_sst) = (d_sse * to_real2, d_sst * to_real2);
    let sse = fixed::from_fixed_wide(expected.sse, 2 * expected.frac_bits);
    let sst = fixed::from_fixed_wide(expected.sst, 2 * expected.frac_bits);
    let rounding = pow2(-(expected.frac_bits as i32)) + pow2(-(backend.frac_bits as i32));
    let mse_tolerance = d_sse / n + rounding;
    let r2_tolerance = if sst > d_sst { (d_sse + sse / sst * d_sst) / (sst - d_sst) + 2.0 * pow2(-31) } else { f64::INFINITY };
    let (mse_native, mse_backend, r2_native, r2_backend) = (expected.mse_f64(), backend.mse_f64(), expected.r2_f64(), backend.r2_f64());
    let within_tolerance = (mse_backend - mse_native).abs() <= mse_tolerance && (r2_backend - r2_native).abs() <= r2_tolerance;
    Ok(Agreement { mse_native, mse_backend, mse_tolerance, r2_native, r2_backend, r2_tolerance, within_tolerance })
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkml_core::{decode_model, encode_model, ModelKind};

    fn models() -> [FixedModel; 2] {
        let ridge = FixedModel {
            schema: [0; 32],
            trees: None,
            layers: Vec::new(),
            kind: ModelKind::Ridge,
            degree: 1,
            column_frac_bits: vec![10, 14, 9],
            weight_frac_bits: 30,
            means: vec![],
            inv_stds: vec![],
            z_shifts: vec![],
            bias: 123_456_789_012,
            weights: vec![1_500_000, -7_000_000],
        };
        let poly = FixedModel {
            schema: [0; 32],
            trees: None,
            layers: Vec::new(),
            kind: ModelKind::PolyRidge,
            degree: 2,
            column_frac_bits: vec![10, 14, 9],
            weight_frac_bits: 20,
            means: vec![3_000, -20_000],
            inv_stds: vec![900_000_000, 300_000_000],
            z_shifts: vec![0, 2],
            bias: 5_000_000_000,
            weights: vec![700_000, -300_000, 50_000, -20_000, 80_000],
        };
        [ridge, poly]
    }

    /// The normalised real-valued model predicts what the fixed-point kernel predicts, up to the
    /// kernel's own roundings: the rewrite itself is exact.
    #[test]
    fn normalised_model_is_the_fixed_point_model() {
        for m in models() {
            let words = encode_model(&m).unwrap();
            let view = decode_model(&words).unwrap();
            let nm = NormalisedModel::from_fixed(&m, 24).unwrap();
            let t = m.column_frac_bits[2] as i32;
            for (i, x) in [[0, 0], [1_000, -5_000], [-3_000, 40_000], [2_500, 17], [-777, -16_000]].iter().enumerate() {
                let fixed = view.predict(i as u64, x, &mut [0; 2]).unwrap() as f64 / 2f64.powi(t);
                let u: Vec<f64> = x.iter().map(|&v| v as f64 / 2f64.powi(24)).collect();
                let (pred_u, g, p) = nm.predict_with_sensitivity(&u);
                let real = pred_u * 2f64.powi(24 - t);
                // The kernel rounds z to 2^-16 and each Horner level and the prediction once.
                let slack = 2f64.powi(-t) + if m.degree == 1 { 0.0 } else { 1e-4 * real.abs() };
                assert!((fixed - real).abs() <= slack, "degree {} row {x:?}: fixed {fixed} vs normalised {real}", m.degree);
                assert!(g > 0.0 && p >= 1.0);
            }
        }
    }

    /// The MLP's normalised form predicts what the kernel predicts (the kernel rounds `z` and
    /// each activation), and its sensitivities are positive.
    #[test]
    fn normalised_mlp_is_the_fixed_point_mlp() {
        let m = FixedModel {
            schema: [0; 32],
            kind: ModelKind::Mlp,
            degree: 0,
            column_frac_bits: vec![10, 14, 9],
            weight_frac_bits: 20,
            means: vec![3_000, -20_000],
            inv_stds: vec![900_000_000, 300_000_000],
            z_shifts: vec![0, 2],
            bias: 0,
            weights: vec![],
            trees: None,
            layers: vec![
                zkml_core::FixedLayer {
                    frac_bits: 22,
                    n_in: 2,
                    n_out: 3,
                    biases: vec![1 << 36, -(1 << 37), 0],
                    weights: vec![1 << 22, -(1 << 21), 3 << 20, 1 << 23, -(1 << 22), 1 << 20],
                },
                zkml_core::FixedLayer {
                    frac_bits: 20,
                    n_in: 3,
                    n_out: 1,
                    biases: vec![7 << 36],
                    weights: vec![5 << 20, -(3 << 20), 1 << 21],
                },
            ],
        };
        let words = encode_model(&m).unwrap();
        let view = decode_model(&words).unwrap();
        let nm = NormalisedModel::from_fixed(&m, 24).unwrap();
        let t = 9;
        let mut scratch = vec![0; view.scratch_len()];
        for (i, x) in [[0, 0], [1_000, -5_000], [-3_000, 40_000], [2_500, 17], [-777, -16_000]].iter().enumerate() {
            let fixed = view.predict(i as u64, x, &mut scratch).unwrap() as f64 / 2f64.powi(t);
            let u: Vec<f64> = x.iter().map(|&v| v as f64 / 2f64.powi(24)).collect();
            let (pred_u, g, p) = nm.predict_with_sensitivity(&u);
            let real = pred_u * 2f64.powi(24 - t);
            assert!((fixed - real).abs() <= 2f64.powi(-t) + 1e-3 * (1.0 + real.abs()), "row {x:?}: fixed {fixed} vs normalised {real}");
            assert!(g > 0.0 && p >= 1.0);
        }
    }

    /// The forest's normalised form predicts what the kernel predicts (to the final rounding),
    /// and only a value within the margin of a threshold on its path widens the tolerance.
    #[test]
    fn normalised_forest_is_the_fixed_point_forest() {
        let m = FixedModel {
            schema: [0; 32],
            kind: ModelKind::Gbdt,
            degree: 0,
            column_frac_bits: vec![10, 14, 9],
            weight_frac_bits: 20,
            means: vec![],
            inv_stds: vec![],
            z_shifts: vec![],
            bias: 3 << 20,
            weights: vec![],
            trees: Some(zkml_core::FixedTrees {
                depth: 2,
                features: vec![0, 1, 1],
                thresholds: vec![1_000, -5_000, 7_000],
                leaves: vec![1 << 20, 2 << 20, 3 << 20, 5 << 20],
            }),
            layers: vec![],
        };
        let words = encode_model(&m).unwrap();
        let view = decode_model(&words).unwrap();
        let nm = NormalisedModel::from_fixed(&m, 24).unwrap();
        let trees = nm.trees.as_ref().unwrap();
        let mut scratch = vec![0; view.scratch_len()];
        for (i, x) in [[0, 0], [1_000, -5_000], [1_001, 7_001], [2_500, -17], [-777, -16_000]].iter().enumerate() {
            let fixed = view.predict(i as u64, x, &mut scratch).unwrap() as f64 / 2f64.powi(9);
            let u: Vec<f64> = x.iter().map(|&v| v as f64 / 2f64.powi(24)).collect();
            let (sum, d) = trees.predict_with_tolerance(&u, 0.5 / 2f64.powi(24), 0.0);
            assert_eq!(fixed, (nm.bias + sum) * 2f64.powi(24 - 9), "row {x:?}");
            // [1000, -5000] sits on the root's threshold: its tree may flip (spread 4 at 2^20 in u_y).
            let near = x == &[1_000, -5_000];
            assert_eq!(d > 0.0, near, "row {x:?}: {d}");
        }
    }

    fn claim(sse: u128, sst: u128, n: u32) -> Claim {
        let (sse, sst, mse, r2) = zkml_core::Metrics { n: n as u64, sum_y: 0, sum_y2: sst, sse }.finish(9).unwrap();
        Claim {
            version: zkml_core::CLAIM_VERSION,
            model_kind: ModelKind::Ridge,
            degree: 1,
            n_features: 2,
            frac_bits: 9,
            n_rows: n,
            model_hash: [1; 32],
            data_commitment: [2; 32],
            sse,
            sst,
            mse,
            r2,
        }
    }

    #[test]
    fn agreement_accepts_quantisation_sized_differences_and_nothing_more() {
        let q = OwnQuantisation { normalisation_bits: 24, input_frac_bits: 18, param_frac_bits: 18, rescale_steps: 4 };
        let m = &models()[0];
        let rows: Vec<i32> = (0..50).flat_map(|i| [i * 100 - 2_500, 3_000 - i * 70, 2_000 + i * 13]).collect();
        let native = claim(400_000_000_000, 900_000_000_000, 50);
        let same = agreement(&q, m, &rows, &native, &native).unwrap();
        assert!(same.within_tolerance && same.mse_tolerance > 0.0 && same.r2_tolerance > 0.0, "{same:?}");
        // A difference of a fraction of the tolerance passes; SSE 10% off does not.
        let close = claim(400_000_000_000 + (same.mse_tolerance * 0.5 * 50.0 * 2f64.powi(18)) as u128, 900_000_000_000, 50);
        assert!(agreement(&q, m, &rows, &native, &close).unwrap().within_tolerance);
        let far = claim(440_000_000_000, 900_000_000_000, 50);
        let a = agreement(&q, m, &rows, &native, &far).unwrap();
        assert!(!a.within_tolerance && a.line().contains("OUTSIDE"), "{a:?}");
        // Another model or another row count is never "close".
        let mut other = native;
        other.model_hash = [9; 32];
        assert!(agreement(&q, m, &rows, &native, &other).is_err());
    }
}

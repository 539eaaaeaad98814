use nalgebra::{DMatrix, DVector};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use zkml_core::{expand, fixed, FixedModel, ModelKind};
use zkml_data::table::FeatureTable;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("{0}")]
    Invalid(String),
    #[error("the normal equations are singular (lambda = {0}); try ridge or a larger lambda")]
    Singular(f64),
    #[error("cannot quantise the model: {0}")]
    Quantise(String),
}

/// Which model to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelSpec {
    Linear,
    Ridge,
    Poly2,
    Poly3,
    /// Gradient-boosted regression trees (`crate::gbdt`).
    Gbdt,
    /// A multilayer perceptron with ReLU (`crate::mlp`).
    Mlp,
}

impl ModelSpec {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "linear" => Some(ModelSpec::Linear),
            "ridge" => Some(ModelSpec::Ridge),
            "poly2" => Some(ModelSpec::Poly2),
            "poly3" => Some(ModelSpec::Poly3),
            "gbdt" => Some(ModelSpec::Gbdt),
            "mlp" => Some(ModelSpec::Mlp),
            _ => None,
        }
    }
    pub fn kind(self) -> ModelKind {
        match self {
            ModelSpec::Linear => ModelKind::Linear,
            ModelSpec::Ridge => ModelKind::Ridge,
            ModelSpec::Poly2 | ModelSpec::Poly3 => ModelKind::PolyRidge,
            ModelSpec::Gbdt => ModelKind::Gbdt,
            ModelSpec::Mlp => ModelKind::Mlp,
        }
    }
    pub fn degree(self) -> u32 {
        match self {
            ModelSpec::Poly2 => 2,
            ModelSpec::Poly3 => 3,
            ModelSpec::Gbdt | ModelSpec::Mlp => 0,
            _ => 1,
        }
    }
    pub fn name(self) -> &'static str {
        self.kind().label(self.degree())
    }

    /// Every model `train` offers, in the order help texts list them.
    pub const ALL: [ModelSpec; 6] =
        [ModelSpec::Linear, ModelSpec::Ridge, ModelSpec::Poly2, ModelSpec::Poly3, ModelSpec::Gbdt, ModelSpec::Mlp];

    /// Linear, ridge or polynomial: trained by [`train`] with a lambda.
    pub fn is_affine(self) -> bool {
        self.kind().is_affine()
    }
}

/// How λ is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LambdaChoice {
    Fixed(f64),
    /// k-fold cross-validation over [`lambda_grid`].
    CrossValidated {
        folds: usize,
    },
}

/// The λ grid searched by cross-validation: 10^-3 .. 10^5 in half decades.
pub fn lambda_grid() -> Vec<f64> {
    (0..=16).map(|i| 10f64.powf(-3.0 + 0.5 * i as f64)).collect()
}

/// Cross-validation results, kept in model.json so the choice can be audited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    pub folds: usize,
    pub grid: Vec<f64>,
    pub mean_mse: Vec<f64>,
}

/// A model in f64, plus its standardisation.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainedModel {
    pub spec: ModelSpec,
    pub lambda: f64,
    pub cv: Option<CvReport>,
    pub means: Vec<f64>,
    pub stds: Vec<f64>,
    /// Bias, then one weight per monomial (order of `zkml_core::expand`).
    pub weights: Vec<f64>,
    /// Largest magnitude of each column in the training rows, the features then the target:
    /// what fixes each column's fixed-point scale.
    pub column_max_abs: Vec<f64>,
}

impl TrainedModel {
    /// The monomials of the standardised row.
    pub fn terms(&self, row: &[f64], out: &mut Vec<f64>) {
        let z: Vec<f64> = row.iter().zip(&self.means).zip(&self.stds).map(|((x, m), s)| (x - m) / s).collect();
        out.clear();
        expand(&z, self.spec.degree(), out, |a, b| a * b);
    }

    pub fn predict(&self, row: &[f64]) -> f64 {
        let mut t = Vec::new();
        self.terms(row, &mut t);
        self.weights[0] + t.iter().zip(&self.weights[1..]).map(|(a, b)| a * b).sum::<f64>()
    }

    /// Rounds every parameter to the fixed-point format, refusing values beyond its bounds.
    ///
    /// Each column gets the finest power-of-two scale that keeps its training range at or
    /// below `2^24` (`fixed::column_frac_bits`). Degree 1 folds the standardisation into the
    /// weights (`v_j = w_j / std_j`, `bias = w_0 - Σ v_j mean_j`) at the finest common scale that
    /// keeps every `v_j` within `2^25` and the bias within `2^60`. A polynomial keeps it: means
    /// at their column's scale, `1/std` so that a standardised feature is the rounded high word
    /// of one multiply, and the weights at the finest scale that keeps the largest at or below
    /// `2^24`.
    pub fn quantise(&self) -> Result<FixedModel, TrainError> {
        let nf = self.means.len();
        let err = |m: String| TrainError::Quantise(m);
        if self.column_max_abs.len() != nf + 1 || self.stds.len() != nf || self.weights.len() < nf + 1 {
            return Err(err(format!(
                "{nf} features but {} column ranges, {} stds and {} weights",
                self.column_max_abs.len(),
                self.stds.len(),
                self.weights.len()
            )));
        }
        let scales: Vec<u32> = self.column_max_abs.iter().map(|&m| fixed::column_frac_bits(m)).collect();
        let target_scale = scales[nf];
        let (kind, degree) = (self.spec.kind(), self.spec.degree());
        if degree == 1 {
            return self.quantise_folded(scales);
        }
        let (means, inv_stds, shifts) = quantise_standardisation(&self.means, &self.stds, &scales)?;
        // The weights' own scale, from their range (at least the target's less 15 bits, so the
        // prediction's rounding shift 16 + W - T is at least 1).
        let max_w = self.weights[1..].iter().fold(0.0f64, |m, w| m.max(w.abs()));
        let weight_scale = fixed::column_frac_bits(max_w).max(target_scale.saturating_sub(15));
        let weights = self.weights[1..]
            .iter()
            .enumerate()
            .map(|(k, &w)| {
                fixed::to_i32_bits(w, weight_scale)
                    .ok_or_else(|| err(format!("weight[{}] = {w} does not fit 32 bits at the weights' scale 2^-{weight_scale}", k + 1)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let bias = fixed::to_fixed_bits(self.weights[0], weight_scale + zkml_core::fixed::Z_FRAC_BITS, zkml_core::model::MAX_ABS_BIAS)
            .ok_or_else(|| err(format!("bias = {} is beyond the format's bound", self.weights[0])))?;
        Ok(FixedModel {
            schema: [0; 32],
            trees: None,
            layers: Vec::new(),
            kind,
            degree,
            column_frac_bits: scales,
            weight_frac_bits: weight_scale,
            means,
            inv_stds,
            z_shifts: shifts,
            bias,
            weights,
        })
    }

    /// Degree 1: the standardisation folded into the weights, at the finest accumulator scale
    /// `P` (1..=62 bits above the target's) that keeps every weight within `2^25` and the bias
    /// within `2^60`.
    fn quantise_folded(&self, scales: Vec<u32>) -> Result<FixedModel, TrainError> {
        let nf = self.means.len();
        let target_scale = scales[nf];
        let folded: Vec<f64> = (0..nf).map(|j| self.weights[1 + j] / self.stds[j]).collect();
        let bias_real = self.weights[0] - folded.iter().zip(&self.means).map(|(v, m)| v * m).sum::<f64>();
        // Before the scale search: a non-finite weight would otherwise read as "does not fit".
        if !folded.iter().chain([&bias_real]).all(|v| v.is_finite()) {
            return Err(TrainError::Quantise("non-finite folded weight".into()));
        }
        let at = |x: f64, bits: i32| x * 2f64.powi(bits);
        let fits = |p: u32| {
            folded
                .iter()
                .zip(&scales)
                .all(|(&v, &c)| at(v, p as i32 - c as i32).abs().round() <= zkml_core::model::MAX_ABS_FOLDED_WEIGHT as f64)
                && at(bias_real, p as i32).abs().round() <= zkml_core::model::MAX_ABS_BIAS as f64
        };
        let max_p = (target_scale + 62).min(2 * zkml_core::fixed::MAX_COLUMN_FRAC_BITS);
        let p = (target_scale + 1..=max_p).rev().find(|&p| fits(p)).ok_or_else(|| {
            TrainError::Quantise(format!(
                "the folded weights {folded:?} and bias {bias_real} do not fit the format's bounds at any scale finer than the target's"
            ))
        })?;
        let weights = folded.iter().zip(&scales).map(|(&v, &c)| at(v, p as i32 - c as i32).round() as i32).collect();
        Ok(FixedModel {
            schema: [0; 32],
            trees: None,
            layers: Vec::new(),
            kind: self.spec.kind(),
            degree: 1,
            column_frac_bits: scales,
            weight_frac_bits: p,
            means: vec![],
            inv_stds: vec![],
            z_shifts: vec![],
            bias: at(bias_real, p as i32).round() as i64,
            weights,
        })
    }
}

/// `(inv_std, shift)` with `round(d * inv_std / 2^32) * 2^shift = d / std_fixed` at 2^16:
/// `inv_std = round(2^(48 - shift) / std_fixed)` with the smallest shift (0..=16) that keeps it
/// below 2^31. `None` for a std outside what that covers (below 2^1 or above 2^48 units).
fn inv_std_fixed(std_fixed: f64) -> Option<(i32, u32)> {
    if !(std_fixed.is_finite() && std_fixed > 0.0) {
        return None;
    }
    let zf = zkml_core::fixed::Z_FRAC_BITS;
    (0..=16u32).find_map(|shift| {
        let v = (fixed::pow2(zf + 32 - shift) / std_fixed).round();
        (v < i32::MAX as f64).then_some(v).filter(|&v| v >= 1.0).map(|v| (v as i32, shift))
    })
}

/// Design matrix (monomials of standardised features, no bias column) and target vector.
fn design(table: &FeatureTable, rows: &[usize], means: &[f64], stds: &[f64], degree: u32) -> (DMatrix<f64>, DVector<f64>) {
    let probe = TrainedModel {
        spec: ModelSpec::Linear,
        lambda: 0.0,
        cv: None,
        means: means.to_vec(),
        stds: stds.to_vec(),
        weights: vec![],
        column_max_abs: vec![],
    };
    let n_terms = zkml_core::n_terms(table.n_features() as u32, degree) as usize;
    let mut x = DMatrix::zeros(rows.len(), n_terms);
    let mut y = DVector::zeros(rows.len());
    let mut t = Vec::with_capacity(n_terms);
    for (r, &i) in rows.iter().enumerate() {
        let z: Vec<f64> = table.row(i).iter().zip(&probe.means).zip(&probe.stds).map(|((x, m), s)| (x - m) / s).collect();
        t.clear();
        expand(&z, degree, &mut t, |a, b| a * b);
        for (c, v) in t.iter().enumerate() {
            x[(r, c)] = *v;
        }
        y[r] = table.targets[i];
    }
    (x, y)
}

/// Fits `y ≈ b + X w` minimising `|y - b - Xw|² + λ|w|²` (λ = 0: least squares by SVD).
/// Returns `[b, w...]`.
fn fit(x: &DMatrix<f64>, y: &DVector<f64>, lambda: f64) -> Result<Vec<f64>, TrainError> {
    let n = x.nrows() as f64;
    let col_means: DVector<f64> = DVector::from_iterator(x.ncols(), x.column_iter().map(|c| c.sum() / n));
    let y_mean = y.sum() / n;
    let mut xc = x.clone();
    for (j, mut col) in xc.column_iter_mut().enumerate() {
        col.add_scalar_mut(-col_means[j]);
    }
    let yc = y.add_scalar(-y_mean);
    let w = if lambda == 0.0 {
        let svd = xc.svd(true, true);
        svd.solve(&yc, 1e-10).map_err(|_| TrainError::Singular(lambda))?
    } else {
        let mut a = xc.tr_mul(&xc);
        for i in 0..a.nrows() {
            a[(i, i)] += lambda;
        }
        let b = xc.tr_mul(&yc);
        a.cholesky().ok_or(TrainError::Singular(lambda))?.solve(&b)
    };
    let bias = y_mean - col_means.dot(&w);
    let mut out = Vec::with_capacity(w.len() + 1);
    out.push(bias);
    out.extend(w.iter().copied());
    if out.iter().any(|v| !v.is_finite()) {
        return Err(TrainError::Singular(lambda));
    }
    Ok(out)
}

fn mse_of(weights: &[f64], x: &DMatrix<f64>, y: &DVector<f64>) -> f64 {
    let w = DVector::from_column_slice(&weights[1..]);
    let pred = x * w;
    pred.iter().zip(y.iter()).map(|(p, t)| (t - (p + weights[0])).powi(2)).sum::<f64>() / y.len() as f64
}

/// Largest magnitude of each column of the training rows, the features then the target: what
/// fixes each column's fixed-point scale.
pub fn column_max_abs(table: &FeatureTable) -> Vec<f64> {
    let mut out = vec![0.0f64; table.n_features() + 1];
    for i in 0..table.n_rows() {
        for (m, v) in out.iter_mut().zip(table.row(i).iter().chain([&table.targets[i]])) {
            *m = m.max(v.abs());
        }
    }
    out
}

/// Means, `1/std` and shifts of a fixed-point standardisation.
pub(crate) type FixedStandardisation = (Vec<i32>, Vec<i32>, Vec<u32>);

/// The standardisation in fixed point, as a polynomial and an MLP use it: means at their
/// column's scale, `1/std` so that a standardised feature is the rounded high word of one
/// multiply, and its shift.
pub(crate) fn quantise_standardisation(means: &[f64], stds: &[f64], scales: &[u32]) -> Result<FixedStandardisation, TrainError> {
    let err = |m: String| TrainError::Quantise(m);
    let fixed_means = means
        .iter()
        .enumerate()
        .map(|(j, &m)| {
            fixed::to_i32_bits(m, scales[j])
                .ok_or_else(|| err(format!("mean[{j}] = {m} does not fit 32 bits at its column's scale 2^-{}", scales[j])))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut inv_stds = Vec::with_capacity(stds.len());
    let mut shifts = Vec::with_capacity(stds.len());
    for (j, (&std, &scale)) in stds.iter().zip(scales).enumerate() {
        let (s, shift) = inv_std_fixed(std * fixed::pow2(scale))
            .ok_or_else(|| err(format!("std[{j}] = {std} cannot be represented at its column's scale 2^-{scale}")))?;
        inv_stds.push(s);
        shifts.push(shift);
    }
    Ok((fixed_means, inv_stds, shifts))
}

/// Standardisation statistics of the training rows (sample std; a constant feature gets 1).
pub(crate) fn standardisation(table: &FeatureTable) -> (Vec<f64>, Vec<f64>) {
    let n = table.n_rows() as f64;
    let k = table.n_features();
    let mut means = vec![0.0; k];
    for i in 0..table.n_rows() {
        for (m, v) in means.iter_mut().zip(table.row(i)) {
            *m += v / n;
        }
    }
    let mut vars = vec![0.0; k];
    for i in 0..table.n_rows() {
        for ((s, v), m) in vars.iter_mut().zip(table.row(i)).zip(&means) {
            *s += (v - m).powi(2);
        }
    }
    let stds = vars.iter().map(|v| (v / (n - 1.0).max(1.0)).sqrt()).map(|s| if s > 1e-9 { s } else { 1.0 }).collect();
    (means, stds)
}

/// Trains `spec` on `table`.
pub fn train(table: &FeatureTable, spec: ModelSpec, lambda: LambdaChoice, seed: u64) -> Result<TrainedModel, TrainError> {
    if !spec.is_affine() {
        return Err(TrainError::Invalid(format!("{} is not a linear model; use train_model", spec.name())));
    }
    let n = table.n_rows();
    let n_terms = zkml_core::n_terms(table.n_features() as u32, spec.degree()) as usize;
    if table.n_features() == 0 || table.n_features() > zkml_core::MAX_FEATURES as usize {
        return Err(TrainError::Invalid(format!(
            "{} features; between 1 and {} are supported",
            table.n_features(),
            zkml_core::MAX_FEATURES
        )));
    }
    if n < 3 {
        return Err(TrainError::Invalid(format!("{n} training rows are too few to fit a model")));
    }
    if spec == ModelSpec::Linear && !matches!(lambda, LambdaChoice::Fixed(l) if l == 0.0) {
        return Err(TrainError::Invalid("linear (OLS) takes no lambda; use ridge for a penalty".into()));
    }
    let (means, stds) = standardisation(table);
    let all: Vec<usize> = (0..n).collect();
    let (x, y) = design(table, &all, &means, &stds, spec.degree());

    let (chosen, cv) = match lambda {
        LambdaChoice::Fixed(l) if l >= 0.0 && l.is_finite() => (l, None),
        LambdaChoice::Fixed(l) => return Err(TrainError::Invalid(format!("lambda must be a finite number >= 0 (got {l})"))),
        LambdaChoice::CrossValidated { folds } => {
            if folds < 2 || folds > n {
                return Err(TrainError::Invalid(format!("cannot do {folds}-fold cross-validation on {n} rows")));
            }
            let mut order = all.clone();
            order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x00C0_FFEE));
            let grid = lambda_grid();
            let mut mean_mse = vec![0.0; grid.len()];
            for f in 0..folds {
                let (lo, hi) = (f * n / folds, (f + 1) * n / folds);
                let valid: Vec<usize> = order[lo..hi].to_vec();
                let fit_rows: Vec<usize> = order[..lo].iter().chain(&order[hi..]).copied().collect();
                // Standardisation is part of the fit: recompute it on the fold's training rows.
                let sub = table.select(&fit_rows);
                let (m, s) = standardisation(&sub);
                let (xf, yf) = design(table, &fit_rows, &m, &s, spec.degree());
                let (xv, yv) = design(table, &valid, &m, &s, spec.degree());
                for (g, &l) in grid.iter().enumerate() {
                    let w = fit(&xf, &yf, l)?;
                    mean_mse[g] += mse_of(&w, &xv, &yv) / folds as f64;
                }
            }
            let best = (0..grid.len()).min_by(|&a, &b| mean_mse[a].total_cmp(&mean_mse[b])).unwrap();
            (grid[best], Some(CvReport { folds, grid, mean_mse }))
        }
    };
    if n_terms >= n && chosen == 0.0 {
        return Err(TrainError::Invalid(format!("{n_terms} terms but only {n} rows: least squares is underdetermined; use ridge")));
    }
    let weights = fit(&x, &y, chosen)?;
    Ok(TrainedModel { spec, lambda: chosen, cv, means, stds, weights, column_max_abs: column_max_abs(table) })
}

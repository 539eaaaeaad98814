use crate::family::Regressor;
use serde::{Deserialize, Serialize};
use zkml_core::{fixed, Claim, GuestInput, SoftwareSha256};
use zkml_data::table::FeatureTable;

/// Test metrics of a model, in real units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    pub rows: usize,
    pub mse: f64,
    pub rmse: f64,
    pub mae: f64,
    pub r2: f64,
}

/// Metrics of the f64 model on the f64 table: the reference the fixed-point path is held to.
pub fn f64_metrics(model: &impl Regressor, table: &FeatureTable) -> RegressionMetrics {
    let n = table.n_rows() as f64;
    let mean_y = table.targets.iter().sum::<f64>() / n;
    let (mut sse, mut sae, mut sst) = (0.0, 0.0, 0.0);
    for i in 0..table.n_rows() {
        let e = table.targets[i] - model.predict(table.row(i));
        sse += e * e;
        sae += e.abs();
        sst += (table.targets[i] - mean_y).powi(2);
    }
    RegressionMetrics { rows: table.n_rows(), mse: sse / n, rmse: (sse / n).sqrt(), mae: sae / n, r2: 1.0 - sse / sst }
}

/// Metrics of the fixed-point evaluation of a guest input: MSE and R² straight from the
/// claim that every backend produces, MAE from the same per-row fixed-point predictions.
pub fn fixed_metrics(words: &[u32]) -> Result<(RegressionMetrics, Claim), zkml_core::CoreError> {
    let claim = zkml_core::evaluate_words::<SoftwareSha256>(words)?;
    let input = GuestInput::decode(words)?;
    let nf = input.model.n_features as usize;
    let mut z = vec![0i32; input.model.scratch_len()];
    let mut sae: u128 = 0;
    for (r, row) in input.test_set.rows().enumerate() {
        let p = input.model.predict(r as u64, &row[..nf], &mut z)?;
        sae += (row[nf] as i64 - p as i64).unsigned_abs() as u128;
    }
    let n = claim.n_rows as f64;
    Ok((
        RegressionMetrics {
            rows: claim.n_rows as usize,
            mse: claim.mse_f64(),
            rmse: claim.rmse_f64(),
            mae: fixed::from_fixed_wide(sae, claim.frac_bits) / n,
            r2: claim.r2_f64(),
        },
        claim,
    ))
}

//! The evaluation every backend runs: predict each test row, accumulate exact fixed-point
//! metrics, hash the model and the test set, and produce the [`Claim`].

use crate::claim::{Claim, CLAIM_VERSION};
use crate::commit::{self, Sha256};
use crate::error::CoreError;
use crate::fixed::{self, FRAC_BITS, MAX_ABS_FIXED, R2_FRAC_BITS};
use crate::model::Scratch;
use crate::wire::GuestInput;

/// Exact running sums of the metrics; [`Metrics::finish`] derives MSE and R².
///
/// Bounds: targets and predictions are within `±2^47`, so an error is within `±2^48` and its
/// square below `2^96`; with at most `MAX_ROWS = 2^31` rows every sum fits its integer type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    pub n: u64,
    pub sum_y: i128,
    pub sum_y2: u128,
    pub sse: u128,
}

impl Metrics {
    #[inline(always)]
    pub fn add(&mut self, target: i64, prediction: i64) {
        // |target|, |prediction| <= 2^47, so the error fits i64.
        let e = target - prediction;
        self.n += 1;
        self.sum_y += target as i128;
        self.sum_y2 += fixed::wide_mul(target, target) as u128;
        self.sse += fixed::wide_mul(e, e) as u128;
    }

    /// `SST = sum(y^2) - (sum y)^2 / n`, computed exactly and rounded up (so it is 0 only when
    /// every target is equal) without forming
    /// `(sum y)^2`, which could overflow: with `|S| = q n + r`, `S^2/n = |S| q + |S| r / n`.
    pub fn sst(&self) -> u128 {
        let s = self.sum_y.unsigned_abs();
        let n = self.n as u128;
        let (q, r) = (s / n, s % n);
        let s2_over_n = s * q + (s * r) / n;
        self.sum_y2 - s2_over_n
    }

    /// Returns `(sse, sst, mse, r2)` in the claim's units.
    pub fn finish(&self) -> Result<(u128, u128, u128, i64), CoreError> {
        if self.n == 0 {
            return Err(CoreError::EmptyTestSet);
        }
        let sst = self.sst();
        if sst == 0 {
            return Err(CoreError::ZeroVariance);
        }
        let mean_sq_err = self.sse / self.n as u128; // scale 2^(2F)
        let half = 1u128 << (FRAC_BITS - 1);
        let mse = (mean_sq_err + half) >> FRAC_BITS; // scale 2^F, rounded
        let ratio = fixed::div_scaled(self.sse, sst, R2_FRAC_BITS); // floor(sse/sst * 2^32)
        let r2 = if ratio > (i64::MAX as u128) { i64::MIN } else { (1i64 << R2_FRAC_BITS).saturating_sub(ratio as i64) };
        Ok((self.sse, sst, mse, r2))
    }
}

/// Evaluates the model on every test row and returns the claim, hashing with `H`.
pub fn evaluate<H: Sha256>(input: &GuestInput<'_>) -> Result<Claim, CoreError> {
    let model = &input.model;
    let test = &input.test_set;
    if test.n_rows == 0 {
        return Err(CoreError::EmptyTestSet);
    }
    let mut scratch = Scratch::for_model(model.n_features, model.degree);
    let mut metrics = Metrics::default();
    for (r, row) in test.rows().enumerate() {
        let r = r as u64;
        let target = row.target();
        if target.abs() > MAX_ABS_FIXED {
            return Err(CoreError::ValueOutOfRange { row: r, column: model.n_features, value: target });
        }
        for j in 0..model.n_features as usize {
            let v = row.feature(j);
            if v.abs() > MAX_ABS_FIXED {
                return Err(CoreError::ValueOutOfRange { row: r, column: j as u32, value: v });
            }
        }
        let prediction = model.predict(r, row.features(), &mut scratch)?;
        metrics.add(target, prediction);
    }
    let (sse, sst, mse, r2) = metrics.finish()?;
    Ok(Claim {
        version: CLAIM_VERSION,
        model_kind: model.kind,
        degree: model.degree,
        n_features: model.n_features,
        frac_bits: FRAC_BITS,
        n_rows: test.n_rows,
        model_hash: commit::model_hash::<H>(input.model_words),
        data_commitment: commit::data_commitment::<H>(input.test_set_words),
        sse,
        sst,
        mse,
        r2,
    })
}

/// Decodes `words` and evaluates: the whole job of a guest, minus committing the claim.
pub fn evaluate_words<H: Sha256>(words: &[u32]) -> Result<Claim, CoreError> {
    evaluate::<H>(&GuestInput::decode(words)?)
}

/// What every guest does with its input: evaluate and return the claim's canonical bytes,
/// the only thing it makes public. Panics on any input the format rejects, which makes the
/// proof fail; the host checks the same input natively first, with the error it names.
pub fn guest_claim<H: Sha256>(words: &[u32]) -> [u8; crate::claim::CLAIM_LEN] {
    match evaluate_words::<H>(words) {
        Ok(claim) => claim.encode(),
        Err(e) => panic!("zkml guest: {}", e),
    }
}

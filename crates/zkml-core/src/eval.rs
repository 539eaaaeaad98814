//! The evaluation every backend runs: predict each test row, accumulate exact fixed-point
//! metrics, hash the model and the test set, and produce the [`Claim`].

use crate::claim::{Claim, CLAIM_VERSION};
use crate::commit::{self, Sha256};
use crate::error::CoreError;
use crate::fixed::{self, R2_FRAC_BITS};
use crate::wire::GuestInput;

/// Exact running sums of the metrics; [`Metrics::finish`] derives MSE and R².
///
/// Bounds: targets and predictions are `i32`, so an error is below `2^32` in magnitude, its
/// square fits `u64`, `y²` is at most `2^62`, and with at most `MAX_ROWS = 2^31` rows `Σ y`
/// fits `i64` and the sums of squares `u128`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    pub n: u64,
    pub sum_y: i64,
    pub sum_y2: u128,
    pub sse: u128,
}

impl Metrics {
    #[inline(always)]
    pub fn add(&mut self, target: i32, prediction: i32) {
        // |e| <= 2^32 - 1: its square is one 32x32->64 multiply.
        let e = (target as i64 - prediction as i64).unsigned_abs() as u32 as u64;
        let y = target as i64;
        self.n += 1;
        self.sum_y += y;
        self.sum_y2 += (y * y) as u64 as u128;
        self.sse += (e * e) as u128;
    }

    /// The sums over both sets of rows; `None` if a sum would overflow its type.
    pub fn merge(&self, other: &Metrics) -> Option<Metrics> {
        Some(Metrics {
            n: self.n.checked_add(other.n)?,
            sum_y: self.sum_y.checked_add(other.sum_y)?,
            sum_y2: self.sum_y2.checked_add(other.sum_y2)?,
            sse: self.sse.checked_add(other.sse)?,
        })
    }

    /// `SST = sum(y^2) - (sum y)^2 / n`, computed exactly and rounded up (so it is 0 only when
    /// every target is equal) without forming
    /// `(sum y)^2`, which could overflow: with `|S| = q n + r`, `S^2/n = |S| q + |S| r / n`.
    pub fn sst(&self) -> u128 {
        let s = self.sum_y.unsigned_abs() as u128;
        let n = self.n as u128;
        let (q, r) = (s / n, s % n);
        let s2_over_n = s * q + (s * r) / n;
        self.sum_y2 - s2_over_n
    }

    /// Returns `(sse, sst, mse, r2)` in the claim's units, for targets with `frac_bits`
    /// fractional bits.
    pub fn finish(&self, frac_bits: u32) -> Result<(u128, u128, u128, i64), CoreError> {
        if self.n == 0 {
            return Err(CoreError::EmptyTestSet);
        }
        let sst = self.sst();
        if sst == 0 {
            return Err(CoreError::ZeroVariance);
        }
        let mean_sq_err = self.sse / self.n as u128; // scale 2^(2F)
        let mse = fixed::round_shift_u128(mean_sq_err, frac_bits); // scale 2^F, rounded
        let ratio = fixed::div_scaled(self.sse, sst, R2_FRAC_BITS); // floor(sse/sst * 2^32)
        let r2 = if ratio > (i64::MAX as u128) { i64::MIN } else { (1i64 << R2_FRAC_BITS).saturating_sub(ratio as i64) };
        Ok((self.sse, sst, mse, r2))
    }
}

/// The exact metric sums of the model over every test row (no hashing).
pub fn accumulate(input: &GuestInput<'_>) -> Result<Metrics, CoreError> {
    let model = &input.model;
    let test = &input.test_set;
    if test.n_rows == 0 {
        return Err(CoreError::EmptyTestSet);
    }
    let nf = model.n_features as usize;
    // One slot per feature (the MLP: its two activation buffers), reused for every row.
    let mut z = alloc::vec![0i32; model.scratch_len()];
    let z = &mut z[..];
    let mut metrics = Metrics::default();
    for (r, row) in test.rows().enumerate() {
        let (x, target) = row.split_at(nf);
        let prediction = model.predict(r as u64, x, z)?;
        metrics.add(target[0], prediction);
    }
    Ok(metrics)
}

/// The claim certifying `metrics` for a model and a data commitment.
pub(crate) fn claim_from_metrics(
    metrics: &Metrics,
    model_kind: crate::model::ModelKind,
    degree: u32,
    n_features: u32,
    frac_bits: u32,
    model_hash: [u8; 32],
    data_commitment: [u8; 32],
) -> Result<Claim, CoreError> {
    let (sse, sst, mse, r2) = metrics.finish(frac_bits)?;
    Ok(Claim {
        version: CLAIM_VERSION,
        model_kind,
        degree,
        n_features,
        frac_bits,
        n_rows: metrics.n as u32,
        model_hash,
        data_commitment,
        sse,
        sst,
        mse,
        r2,
    })
}

/// Evaluates the model on every test row and returns the claim, hashing with `H`.
pub fn evaluate<H: Sha256>(input: &GuestInput<'_>) -> Result<Claim, CoreError> {
    let metrics = accumulate(input)?;
    let model = &input.model;
    claim_from_metrics(
        &metrics,
        model.kind,
        model.degree,
        model.n_features,
        model.target_frac_bits(),
        commit::model_hash::<H>(input.model_words),
        commit::data_commitment::<H>(input.test_set_words),
    )
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

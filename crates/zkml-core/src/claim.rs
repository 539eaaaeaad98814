//! The claim: the only thing a guest makes public.

use crate::error::{CoreError, Section};
use crate::fixed::{self, MAX_COLUMN_FRAC_BITS};
use crate::model::ModelKind;

/// Version of the claim encoding (and of the evaluation semantics it certifies).
pub const CLAIM_VERSION: u32 = 2;
pub const CLAIM_MAGIC: [u8; 8] = *b"ZKMLCLM1";
/// Length of an encoded claim in bytes.
pub const CLAIM_LEN: usize = 8 + 6 * 4 + 32 + 32 + 3 * 16 + 8;

/// What a proof establishes: "the model with hash `model_hash`, evaluated on the `n_rows`
/// rows committed to by `data_commitment`, has these metrics".
///
/// Metrics are exact integers of the fixed-point evaluation, in the target column's scale
/// `frac_bits` (chosen when the model was quantised): `sse` and `sst` are sums of
/// squares of fixed-point values (scale `2^(2*frac_bits)`), `mse` is at scale `2^frac_bits`
/// (rounded), `r2 = 1 - sse/sst` at scale `2^R2_FRAC_BITS = 2^32` (rounded up, saturating at
/// `i64::MIN`, i.e. R² below about -2.1e9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Claim {
    pub version: u32,
    pub model_kind: ModelKind,
    pub degree: u32,
    pub n_features: u32,
    pub frac_bits: u32,
    pub n_rows: u32,
    pub model_hash: [u8; 32],
    pub data_commitment: [u8; 32],
    pub sse: u128,
    pub sst: u128,
    pub mse: u128,
    pub r2: i64,
}

impl Claim {
    /// Canonical little-endian encoding: what a guest commits and a verifier compares.
    pub fn encode(&self) -> [u8; CLAIM_LEN] {
        let mut out = [0u8; CLAIM_LEN];
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(&CLAIM_MAGIC);
        put(&self.version.to_le_bytes());
        put(&self.model_kind.code().to_le_bytes());
        put(&self.degree.to_le_bytes());
        put(&self.n_features.to_le_bytes());
        put(&self.frac_bits.to_le_bytes());
        put(&self.n_rows.to_le_bytes());
        put(&self.model_hash);
        put(&self.data_commitment);
        put(&self.sse.to_le_bytes());
        put(&self.sst.to_le_bytes());
        put(&self.mse.to_le_bytes());
        put(&self.r2.to_le_bytes());
        out
    }

    /// Decodes a claim, rejecting anything that is not exactly one canonical claim.
    pub fn decode(bytes: &[u8]) -> Result<Self, CoreError> {
        let s = Section::Claim;
        if bytes.len() < CLAIM_LEN {
            return Err(CoreError::Truncated { section: s, needed_bytes: CLAIM_LEN as u64, available_bytes: bytes.len() as u64 });
        }
        if bytes.len() > CLAIM_LEN {
            return Err(CoreError::TrailingBytes { section: s, extra_bytes: (bytes.len() - CLAIM_LEN) as u64 });
        }
        if bytes[..8] != CLAIM_MAGIC {
            return Err(CoreError::BadMagic { section: s });
        }
        let mut at = 8;
        let mut take = |n: usize| {
            let slice = &bytes[at..at + n];
            at += n;
            slice
        };
        let u32_ = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap());
        let u128_ = |b: &[u8]| u128::from_le_bytes(b.try_into().unwrap());
        let version = u32_(take(4));
        if version != CLAIM_VERSION {
            return Err(CoreError::Unsupported { section: s, field: "version", value: version as u64 });
        }
        let kind_code = u32_(take(4));
        let model_kind =
            ModelKind::from_code(kind_code).ok_or(CoreError::Unsupported { section: s, field: "model kind", value: kind_code as u64 })?;
        let degree = u32_(take(4));
        let n_features = u32_(take(4));
        let frac_bits = u32_(take(4));
        if frac_bits > MAX_COLUMN_FRAC_BITS {
            return Err(CoreError::Unsupported { section: s, field: "frac_bits", value: frac_bits as u64 });
        }
        let n_rows = u32_(take(4));
        let model_hash: [u8; 32] = take(32).try_into().unwrap();
        let data_commitment: [u8; 32] = take(32).try_into().unwrap();
        let sse = u128_(take(16));
        let sst = u128_(take(16));
        let mse = u128_(take(16));
        let r2 = i64::from_le_bytes(take(8).try_into().unwrap());
        Ok(Claim { version, model_kind, degree, n_features, frac_bits, n_rows, model_hash, data_commitment, sse, sst, mse, r2 })
    }

    /// MSE as a real number.
    pub fn mse_f64(&self) -> f64 {
        fixed::from_fixed_wide(self.mse, self.frac_bits)
    }

    /// R² as a real number.
    pub fn r2_f64(&self) -> f64 {
        self.r2 as f64 / (1u64 << fixed::R2_FRAC_BITS) as f64
    }

    /// RMSE as a real number (derived; not part of what is proven beyond `mse`).
    pub fn rmse_f64(&self) -> f64 {
        sqrt(self.mse_f64())
    }

    /// Short model name: `linear`, `ridge`, `poly2`, `poly3`.
    pub fn model_label(&self) -> &'static str {
        self.model_kind.label(self.degree)
    }
}

/// Newton's method square root (core has no `f64::sqrt` on every no_std target).
fn sqrt(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return if x == 0.0 { 0.0 } else { x };
    }
    let mut r = if x > 1.0 { x / 2.0 } else { 1.0 };
    for _ in 0..100 {
        let next = 0.5 * (r + x / r);
        if (next - r).abs() <= f64::EPSILON * next {
            return next;
        }
        r = next;
    }
    r
}

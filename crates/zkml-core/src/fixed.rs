//! Fixed-point numbers.
//!
//! RV32IM/RV64IM have no FPU, and soft-float costs tens of cycles per operation, so every
//! value that enters a guest is an integer scaled by `2^FRAC_BITS`. Products are formed in
//! `i128` and rounded back (round half away from zero), so the host and every guest compute
//! bit-identical results.

/// Fractional bits of every fixed-point value (features, targets, weights, predictions).
pub const FRAC_BITS: u32 = 16;
/// Fractional bits of R² in the claim: finer than `FRAC_BITS` so that the claim's R² is not
/// limited to a resolution of 1.5e-5 (it is a ratio in (-inf, 1], so 32 bits leave room).
pub const R2_FRAC_BITS: u32 = 32;
/// `2^FRAC_BITS`.
pub const SCALE: i64 = 1 << FRAC_BITS;
/// Fractional bits of the reciprocal standard deviations in a model. Much finer than
/// `FRAC_BITS` because `1/sigma` is small for large-valued features (monetary: sigma in the
/// thousands), where 16 bits would leave a relative error of several percent.
pub const INV_STD_FRAC_BITS: u32 = 40;

/// Largest magnitude, in real units, of a feature, target, mean, weight or prediction:
/// `2^31` (about 2.1e9). In fixed point that is `2^47`.
pub const MAX_ABS_REAL: f64 = (1u64 << 31) as f64;
/// [`MAX_ABS_REAL`] in fixed point.
pub const MAX_ABS_FIXED: i64 = 1 << 47;
/// Largest magnitude of a standardised feature, in standard deviations: `2^15`. With this
/// bound a degree-3 monomial stays below `2^45` real (`2^61` fixed), inside `i64`.
pub const MAX_ABS_STANDARDISED_FIXED: i64 = 1 << (15 + FRAC_BITS);
/// Largest reciprocal standard deviation (fixed at `INV_STD_FRAC_BITS`): `2^22` real, i.e.
/// the smallest standard deviation a model may carry is about `2.4e-7`.
pub const MAX_INV_STD_FIXED: i64 = 1 << 62;

/// Converts a real number to fixed point, or `None` when it is not finite or beyond
/// [`MAX_ABS_REAL`].
pub fn to_fixed(x: f64) -> Option<i64> {
    to_fixed_bits(x, FRAC_BITS, MAX_ABS_FIXED)
}

/// Converts a real number to fixed point with `frac_bits` fractional bits, or `None` when it
/// is not finite or its magnitude in fixed point would exceed `max_abs_fixed`.
pub fn to_fixed_bits(x: f64, frac_bits: u32, max_abs_fixed: i64) -> Option<i64> {
    if !x.is_finite() {
        return None;
    }
    let scaled = round_f64(x * (1u64 << frac_bits) as f64);
    if scaled.abs() > max_abs_fixed as f64 {
        return None;
    }
    Some(scaled as i64)
}

/// Converts fixed point back to a real number.
pub fn from_fixed(x: i64) -> f64 {
    x as f64 / SCALE as f64
}

/// Converts a wide fixed-point value with `frac_bits` fractional bits to a real number.
pub fn from_fixed_wide(x: u128, frac_bits: u32) -> f64 {
    x as f64 / (1u128 << frac_bits) as f64
}

/// `round()` without std (core has no f64::round before 1.x on no_std targets).
fn round_f64(x: f64) -> f64 {
    // Values beyond 2^52 are already integers.
    if x.abs() >= 4_503_599_627_370_496.0 {
        return x;
    }
    let t = x as i64 as f64; // truncation toward zero
    let diff = x - t;
    if diff >= 0.5 {
        t + 1.0
    } else if diff <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

/// Shifts a wide value right by `bits`, rounding half away from zero.
#[inline(always)]
pub fn round_shift(x: i128, bits: u32) -> i128 {
    let half = 1i128 << (bits - 1);
    if x >= 0 {
        (x + half) >> bits
    } else {
        -((-x + half) >> bits)
    }
}

/// [`round_shift`] for values that fit `i64` with room to round (`|x| < 2^62`): the same
/// result without 128-bit arithmetic.
#[inline(always)]
pub fn round_shift_i64(x: i64, bits: u32) -> i64 {
    let half = 1i64 << (bits - 1);
    if x >= 0 {
        (x + half) >> bits
    } else {
        -((-x + half) >> bits)
    }
}

/// Exact signed 64x64->128 multiply from four 32x32->64 partial products. On a 32-bit zkVM
/// this is a few dozen instructions, against a call to the generic 128x128 `__multi3`.
#[inline(always)]
fn mul_64x64(a: i64, b: i64) -> i128 {
    let negative = (a < 0) != (b < 0);
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    let (a0, a1) = (a & 0xffff_ffff, a >> 32);
    let (b0, b1) = (b & 0xffff_ffff, b >> 32);
    let lo = a0 * b0;
    let mid = (a0 * b1) as u128 + (a1 * b0) as u128;
    let magnitude = (((a1 * b1) as u128) << 64) + (mid << 32) + lo as u128;
    // |a|, |b| <= 2^63, so the magnitude is at most 2^126 and fits i128.
    if negative {
        -(magnitude as i128)
    } else {
        magnitude as i128
    }
}

/// `round_shift(a * b, bits)` computed exactly. Why two paths: a 32-bit zkVM has no 128-bit
/// multiply, and `i128 * i128` becomes a ~100-cycle library call (`__multi3`), the largest
/// single cost of evaluating a row. Operands that fit `i32` (ordinary features, z-scores and
/// weights) take a 32x32->64 multiply (two RV32 instructions) and 64-bit rounding; anything
/// larger takes the exact 128-bit path. Both give the same value.
#[inline(always)]
pub fn mul_round_shift(a: i64, b: i64, bits: u32) -> i128 {
    match (i32::try_from(a), i32::try_from(b)) {
        (Ok(a), Ok(b)) => round_shift_i64(a as i64 * b as i64, bits) as i128,
        _ => round_shift(mul_64x64(a, b), bits),
    }
}

/// Exact `a * b` as `i128`, with the same 32-bit fast path as [`mul_round_shift`].
#[inline(always)]
pub fn wide_mul(a: i64, b: i64) -> i128 {
    match (i32::try_from(a), i32::try_from(b)) {
        (Ok(a), Ok(b)) => (a as i64 * b as i64) as i128,
        _ => mul_64x64(a, b),
    }
}

/// Fixed-point product `a * b` (both at `FRAC_BITS`), rounded. Exact; the caller bounds the
/// operands so the result fits `i64` (see the module's bounds).
#[inline(always)]
pub fn mul(a: i64, b: i64) -> i64 {
    mul_round_shift(a, b, FRAC_BITS) as i64
}

/// `floor(num * 2^frac_bits / den)` for `den > 0`, exact, saturating at `u128::MAX >> 1`.
///
/// Long division on the remainder, so no intermediate overflows whatever `num` is.
pub fn div_scaled(num: u128, den: u128, frac_bits: u32) -> u128 {
    debug_assert!(den > 0);
    let int = num / den;
    if int > (u128::MAX >> (frac_bits + 1)) {
        return u128::MAX >> 1;
    }
    let mut rem = num % den;
    let mut frac: u128 = 0;
    for _ in 0..frac_bits {
        // rem < den; doubling can exceed u128 only when den > 2^127.
        let (doubled, carry) = rem.overflowing_mul(2);
        frac <<= 1;
        if carry || doubled >= den {
            rem = doubled.wrapping_sub(den);
            frac |= 1;
        } else {
            rem = doubled;
        }
    }
    (int << frac_bits) | frac
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 32-bit fast paths must give exactly the 128-bit reference, at and around the i32
    /// boundary where the path switches, for every sign combination and rounding case.
    #[test]
    fn fast_multiplies_equal_the_128_bit_reference() {
        let edges: [i64; 19] = [
            i64::MAX,
            i64::MIN + 1,
            -(1 << 62),
            0,
            1,
            -1,
            (1 << 15) + 1,
            -(1 << 15) - 1,
            i32::MAX as i64,
            i32::MIN as i64,
            i32::MAX as i64 + 1,
            i32::MIN as i64 - 1,
            1 << 40,
            -(1 << 40) - 7,
            (1 << 47) - 1,
            -(1 << 47),
            123_456_789,
            -987_654_321,
            3 << 15,
        ];
        for &a in &edges {
            for &b in &edges {
                assert_eq!(wide_mul(a, b), a as i128 * b as i128, "{a} * {b}");
                for bits in [FRAC_BITS, INV_STD_FRAC_BITS] {
                    assert_eq!(mul_round_shift(a, b, bits), round_shift(a as i128 * b as i128, bits), "{a} * {b} >> {bits}");
                }
            }
        }
        // Exact halves round away from zero on both paths.
        assert_eq!(mul(1 << 15, 1), 1);
        assert_eq!(mul(-(1 << 15), 1), -1);
        assert_eq!(mul(3 << 15, 1 << 32), round_shift((3i128 << 15) << 32, FRAC_BITS) as i64);
    }

    #[test]
    fn round_trip_small_values() {
        for &x in &[0.0, 1.0, -1.0, 0.5, 123.456, -98765.4321, 1e9] {
            let f = to_fixed(x).unwrap();
            assert!((from_fixed(f) - x).abs() <= 0.5 / SCALE as f64, "{x}");
        }
    }

    #[test]
    fn rejects_non_finite_and_huge() {
        assert_eq!(to_fixed(f64::NAN), None);
        assert_eq!(to_fixed(f64::INFINITY), None);
        assert_eq!(to_fixed(-f64::INFINITY), None);
        assert_eq!(to_fixed(MAX_ABS_REAL * 1.0001), None);
        assert!(to_fixed(MAX_ABS_REAL).is_some());
        assert!(to_fixed(-MAX_ABS_REAL).is_some());
    }

    #[test]
    fn mul_rounds_half_away_from_zero() {
        // 1.5 * 0.5 = 0.75 exactly
        assert_eq!(mul(3 * SCALE / 2, SCALE / 2), 3 * SCALE / 4);
        // smallest positive * 0.5 rounds up to 1 ulp, and symmetric for negatives
        assert_eq!(mul(1, SCALE / 2), 1);
        assert_eq!(mul(-1, SCALE / 2), -1);
        assert_eq!(mul(1, SCALE / 2 - 1), 0);
    }

    #[test]
    fn div_scaled_matches_exact_fraction() {
        assert_eq!(div_scaled(1, 3, 16), 21845); // floor(65536/3)
        assert_eq!(div_scaled(7, 7, 16), 1 << 16);
        assert_eq!(div_scaled(u128::MAX / 2, u128::MAX / 2 + 1, 16), (1 << 16) - 1);
        assert_eq!(div_scaled(u128::MAX, 1, 16), u128::MAX >> 1);
    }

    #[test]
    fn round_f64_matches_std() {
        for &x in &[0.49, 0.5, 0.51, -0.49, -0.5, -0.51, 2.5, -2.5, 1e15 + 0.5] {
            assert_eq!(round_f64(x), x.round(), "{x}");
        }
    }
}

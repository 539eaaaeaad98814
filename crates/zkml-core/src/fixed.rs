//! Fixed-point numbers.
//!
//! RV32IM/RV64IM have no FPU, and soft-float costs tens of cycles per operation, so every
//! value that enters a guest is a 32-bit integer scaled by a power of two. Each column of the
//! test set (every feature, and the target) has its own scale, fixed when the model is
//! quantised from the training data's range and committed with the test set: a row is one
//! 32-bit word per value, and every product inside a prediction is one exact 32×32→64
//! multiply. Rounding is to nearest, ties upward, so the host and every guest compute
//! bit-identical results.

/// Fractional bits of a standardised feature `z = (x - mean) / std` inside a prediction.
pub const Z_FRAC_BITS: u32 = 16;
/// Bound of a standardised feature (fixed point): `-2^10 <= z < 2^10` standard deviations.
/// With it, a weight (`i32`) times `z` stays below `2^57`, so 32 of them and a bias sum in
/// `i64` without overflow.
pub const MAX_ABS_Z: i64 = 1 << Z_BOUND_BITS;
/// `log2(MAX_ABS_Z)`.
pub const Z_BOUND_BITS: u32 = 10 + Z_FRAC_BITS;
/// Fractional bits of R² in the claim: a ratio in (-inf, 1], resolved to 2^-32.
pub const R2_FRAC_BITS: u32 = 32;
/// Finest column scale a model may choose: `2^-40`.
pub const MAX_COLUMN_FRAC_BITS: u32 = 40;
/// The quantiser puts the largest training magnitude of a column at or below `2^24` in fixed
/// point, leaving a factor of 128 of headroom below `i32` for test values beyond the
/// training range, while keeping 24 bits of resolution relative to the column's range.
pub const COLUMN_RANGE_BITS: u32 = 24;

/// The column scale (fractional bits) the quantiser chooses for a column whose training
/// values reach `max_abs` in magnitude: the finest scale, up to [`MAX_COLUMN_FRAC_BITS`],
/// that keeps `max_abs` at or below `2^COLUMN_RANGE_BITS` in fixed point.
pub fn column_frac_bits(max_abs: f64) -> u32 {
    let limit = (1u64 << COLUMN_RANGE_BITS) as f64;
    let mut bits = MAX_COLUMN_FRAC_BITS;
    while bits > 0 && max_abs * pow2(bits) > limit {
        bits -= 1;
    }
    bits
}

/// `2^bits` as f64 (exact for every bits used here).
pub fn pow2(bits: u32) -> f64 {
    (1u128 << bits) as f64
}

/// Converts a real number to fixed point with `frac_bits` fractional bits, or `None` when it
/// is not finite or its magnitude in fixed point would exceed `max_abs_fixed`.
pub fn to_fixed_bits(x: f64, frac_bits: u32, max_abs_fixed: i64) -> Option<i64> {
    if !x.is_finite() {
        return None;
    }
    let scaled = round_f64(x * pow2(frac_bits));
    if scaled.abs() > max_abs_fixed as f64 {
        return None;
    }
    Some(scaled as i64)
}

/// Converts a real number to a 32-bit fixed-point value at `frac_bits`, or `None` when it is
/// not finite or does not fit `i32` at that scale.
pub fn to_i32_bits(x: f64, frac_bits: u32) -> Option<i32> {
    to_fixed_bits(x, frac_bits, i32::MAX as i64).map(|v| v as i32)
}

/// Converts a fixed-point value with `frac_bits` fractional bits back to a real number.
pub fn from_fixed_bits(x: i64, frac_bits: u32) -> f64 {
    x as f64 / pow2(frac_bits)
}

/// Converts a wide fixed-point value with `frac_bits` fractional bits to a real number.
pub fn from_fixed_wide(x: u128, frac_bits: u32) -> f64 {
    x as f64 / pow2(frac_bits)
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

/// `x / 2^bits` rounded to the nearest integer, ties upward (`floor(x / 2^bits + 1/2)`), for
/// `bits` in 1..=62: one add and one shift, no branch on the sign. Exact for
/// `x <= i64::MAX - 2^(bits-1)`, which every caller's bounds guarantee.
#[inline(always)]
pub fn round_shift_i64(x: i64, bits: u32) -> i64 {
    (x + (1i64 << (bits - 1))) >> bits
}

/// `a * b / 2^32` rounded to nearest, ties upward: on RV32 the rounded high word of one
/// 32×32→64 multiply, the cheapest exact scaling there is.
#[inline(always)]
pub fn mul_hi_round(a: i32, b: i32) -> i32 {
    ((a as i64 * b as i64 + (1i64 << 31)) >> 32) as i32
}

/// Shifts an unsigned wide value right by `bits`, rounding half up; `bits == 0` is the value.
#[inline]
pub fn round_shift_u128(x: u128, bits: u32) -> u128 {
    if bits == 0 {
        x
    } else {
        (x >> bits) + ((x >> (bits - 1)) & 1)
    }
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

/// Most features a model may have (every model kind: the input layer of an MLP, the feature a
/// tree split reads). Degree 3 over 32 features is 6,545 weights. Here, below the models, so
/// that each model kind's module reads it without importing another's; last before the tests
/// so that it moves no line the guests' panic locations name.
pub const MAX_FEATURES: u32 = 32;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_to_nearest_ties_up_and_exact() {
        for bits in [1u32, 2, 16, 31, 32, 40, 62] {
            for x in [0i64, 1, -1, 3, -3, 1 << 20, -(1 << 20) - 1, (1 << 62) - 1, -(1 << 62) + 1, i32::MAX as i64, i32::MIN as i64] {
                let d = 1i128 << bits;
                let expect = (2 * x as i128 + d).div_euclid(2 * d); // floor(x/d + 1/2)
                assert_eq!(round_shift_i64(x, bits) as i128, expect, "{x} >> {bits}");
            }
        }
        assert_eq!(round_shift_i64(1 << 15, 16), 1);
        assert_eq!(round_shift_i64(-(1 << 15), 16), 0);
        assert_eq!(round_shift_i64(-(1 << 15) - 1, 16), -1);
        assert_eq!(round_shift_i64((1 << 15) - 1, 16), 0);
        for (a, b) in [(i32::MAX, i32::MAX), (i32::MIN, i32::MIN), (i32::MIN, i32::MAX), (12345, -678910), (-1, 1 << 31 >> 1)] {
            assert_eq!(mul_hi_round(a, b) as i128, (2 * (a as i128 * b as i128) + (1i128 << 32)).div_euclid(1i128 << 33), "{a} * {b}");
        }
        assert_eq!(round_shift_u128(3, 1), 2);
        assert_eq!(round_shift_u128(5, 0), 5);
        assert_eq!(round_shift_u128(5, 2), 1);
    }

    #[test]
    fn column_scales_keep_the_training_range_at_2_24() {
        assert_eq!(column_frac_bits(0.0), MAX_COLUMN_FRAC_BITS);
        assert_eq!(column_frac_bits(1.0), 24);
        assert_eq!(column_frac_bits(1.5), 23);
        assert_eq!(column_frac_bits(365.0), 15); // 365 * 2^15 = 11.9M <= 16.8M
        assert_eq!(column_frac_bits(1e9), 0);
        assert_eq!(column_frac_bits(1e-9), MAX_COLUMN_FRAC_BITS);
        for m in [0.37, 12.0, 4096.0, 99_999.0] {
            let b = column_frac_bits(m);
            assert!(m * pow2(b) <= pow2(COLUMN_RANGE_BITS) && m * pow2(b + 1) > pow2(COLUMN_RANGE_BITS), "{m}");
        }
    }

    #[test]
    fn rejects_non_finite_and_too_wide() {
        assert_eq!(to_i32_bits(f64::NAN, 16), None);
        assert_eq!(to_i32_bits(f64::INFINITY, 0), None);
        assert_eq!(to_i32_bits(32768.0, 16), None);
        assert_eq!(to_i32_bits(32767.0, 16), Some(32767 << 16));
        assert_eq!(to_i32_bits(-0.5, 0), Some(-1));
        assert_eq!(to_i32_bits(0.49, 0), Some(0));
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

use proptest::prelude::*;
use zkml_core::fixed::{self, FRAC_BITS, INV_STD_FRAC_BITS, MAX_ABS_FIXED, SCALE};
use zkml_core::*;

fn model(kind: ModelKind, degree: u32, nf: usize, weights: Vec<i64>) -> FixedModel {
    FixedModel { kind, degree, means: vec![0; nf], inv_stds: vec![1i64 << INV_STD_FRAC_BITS; nf], weights }
}

fn input(m: &FixedModel, rows: &[i64]) -> Vec<u32> {
    let mw = encode_model(m).unwrap();
    let dw = encode_test_set(m.n_features(), rows, &[7u8; 32]).unwrap();
    encode_guest_input(&mw, &dw)
}

fn f(x: f64) -> i64 {
    fixed::to_fixed(x).unwrap()
}

#[test]
fn n_terms_matches_expand() {
    for nf in 1..=6u32 {
        for d in 1..=3u32 {
            let z: Vec<f64> = (0..nf).map(|i| i as f64 + 2.0).collect();
            let mut out = Vec::new();
            expand(&z, d, &mut out, |a, b| a * b);
            assert_eq!(out.len() as u32, n_terms(nf, d), "nf={nf} d={d}");
        }
    }
    assert_eq!(n_terms(5, 1), 5);
    assert_eq!(n_terms(5, 2), 20);
    assert_eq!(n_terms(5, 3), 55);
}

#[test]
fn expand_order_is_lexicographic() {
    let mut out = Vec::new();
    expand(&[2.0, 3.0], 3, &mut out, |a, b| a * b);
    // z0 z1 | z0z0 z0z1 z1z1 | z0z0z0 z0z0z1 z0z1z1 z1z1z1
    assert_eq!(out, vec![2.0, 3.0, 4.0, 6.0, 9.0, 8.0, 12.0, 18.0, 27.0]);
}

#[test]
fn linear_model_metrics_are_exact() {
    // y_hat = 1 + 2 x ; rows (x, y): (0, 1), (1, 4), (2, 5) -> errors 0, 1, 0
    let m = model(ModelKind::Linear, 1, 1, vec![f(1.0), f(2.0)]);
    let rows = [f(0.0), f(1.0), f(1.0), f(4.0), f(2.0), f(5.0)];
    let claim = evaluate_words::<SoftwareSha256>(&input(&m, &rows)).unwrap();
    assert_eq!(claim.n_rows, 3);
    assert_eq!(claim.sse, (SCALE as u128).pow(2)); // one unit error squared
                                                   // mean y = 10/3, SST = (1-10/3)^2 + (4-10/3)^2 + (5-10/3)^2 = 78/9 = 8.666...
    let sst = claim.sst as f64 / (SCALE as f64).powi(2);
    assert!((sst - 78.0 / 9.0).abs() < 1e-9, "{sst}");
    assert!((claim.mse_f64() - 1.0 / 3.0).abs() < 1.0 / SCALE as f64);
    assert!((claim.r2_f64() - (1.0 - 9.0 / 78.0)).abs() < 1e-9);
}

#[test]
fn claim_binds_model_and_data() {
    let m = model(ModelKind::Ridge, 1, 2, vec![f(0.5), f(1.0), f(-1.0)]);
    let rows = [f(1.0), f(2.0), f(3.0), f(4.0), f(5.0), f(6.0), f(1.5), f(0.0), f(1.0)];
    let words = input(&m, &rows);
    let claim = evaluate_words::<SoftwareSha256>(&words).unwrap();
    let gi = GuestInput::decode(&words).unwrap();
    assert_eq!(claim.model_hash, commit::model_hash::<SoftwareSha256>(gi.model_words));
    assert_eq!(claim.data_commitment, commit::data_commitment::<SoftwareSha256>(gi.test_set_words));
    // Changing one target changes the commitment.
    let mut rows2 = rows;
    rows2[2] += 1;
    let claim2 = evaluate_words::<SoftwareSha256>(&input(&m, &rows2)).unwrap();
    assert_ne!(claim.data_commitment, claim2.data_commitment);
    assert_eq!(claim.model_hash, claim2.model_hash);
    // A different salt changes the commitment but not the metrics.
    let mw = encode_model(&m).unwrap();
    let dw = encode_test_set(2, &rows, &[8u8; 32]).unwrap();
    let claim3 = evaluate_words::<SoftwareSha256>(&encode_guest_input(&mw, &dw)).unwrap();
    assert_ne!(claim.data_commitment, claim3.data_commitment);
    assert_eq!((claim.sse, claim.sst, claim.r2), (claim3.sse, claim3.sst, claim3.r2));
}

#[test]
fn rejects_bad_inputs_with_named_errors() {
    let m = model(ModelKind::Linear, 1, 1, vec![f(1.0), f(2.0)]);
    // empty
    assert_eq!(encode_test_set(1, &[], &[0; 32]), Err(CoreError::EmptyTestSet));
    // value out of range, named by row and column
    let err = encode_test_set(1, &[0, 0, MAX_ABS_FIXED + 1, 0], &[0; 32]).unwrap_err();
    assert_eq!(err, CoreError::ValueOutOfRange { row: 1, column: 0, value: MAX_ABS_FIXED + 1 });
    // zero variance
    let words = input(&m, &[f(1.0), f(3.0), f(2.0), f(3.0)]);
    assert_eq!(evaluate_words::<SoftwareSha256>(&words), Err(CoreError::ZeroVariance));
    // feature count mismatch
    let mw = encode_model(&m).unwrap();
    let dw = encode_test_set(2, &[1, 2, 3], &[0; 32]).unwrap();
    assert_eq!(GuestInput::decode(&encode_guest_input(&mw, &dw)).unwrap_err(), CoreError::FeatureCountMismatch { model: 1, test_set: 2 });
    // wrong weight count
    let bad = model(ModelKind::Linear, 1, 2, vec![1, 2]);
    assert!(matches!(encode_model(&bad), Err(CoreError::Unsupported { field: "n_weights", .. })));
    // non-positive inv std
    let mut bad = m.clone();
    bad.inv_stds[0] = 0;
    assert!(matches!(encode_model(&bad), Err(CoreError::ModelParameterOutOfRange { field: "inv_stds", .. })));
}

#[test]
fn truncation_and_corruption_are_detected() {
    let m = model(ModelKind::Linear, 1, 1, vec![f(1.0), f(2.0)]);
    let words = input(&m, &[f(0.0), f(1.0), f(1.0), f(4.0)]);
    for cut in 0..words.len() {
        assert!(GuestInput::decode(&words[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = words.clone();
    longer.push(0);
    assert!(matches!(GuestInput::decode(&longer), Err(CoreError::TrailingBytes { .. })));
    let mut bad = words.clone();
    bad[0] ^= 1;
    assert_eq!(GuestInput::decode(&bad).unwrap_err(), CoreError::BadMagic { section: Section::GuestInput });
    assert_eq!(words_from_bytes(&[1, 2, 3]), Err(CoreError::Unaligned { len: 3 }));
}

#[test]
fn prediction_overflow_is_an_error_not_a_wrap() {
    // z = x / 1 std, weight 2^31 on z^3 with z = 2^10 -> 2^61, way past the bound.
    let mut w = vec![0i64; n_terms(1, 3) as usize + 1];
    *w.last_mut().unwrap() = MAX_ABS_FIXED;
    let m = model(ModelKind::PolyRidge, 3, 1, w);
    let words = input(&m, &[f(1024.0), f(1.0), f(0.0), f(2.0)]);
    assert_eq!(evaluate_words::<SoftwareSha256>(&words), Err(CoreError::PredictionOutOfRange { row: 0 }));
    // A standardised value beyond 2^15 sigma
    let m = model(ModelKind::Linear, 1, 1, vec![0, SCALE]);
    let words = input(&m, &[f(40000.0), f(1.0), f(0.0), f(2.0)]);
    assert_eq!(evaluate_words::<SoftwareSha256>(&words), Err(CoreError::StandardisedOutOfRange { row: 0, feature: 0 }));
}

#[test]
fn extreme_values_within_bounds_do_not_overflow() {
    // Errors of 2^48 (the largest possible) on many rows: SSE must still be exact.
    let m = model(ModelKind::Linear, 1, 1, vec![-MAX_ABS_FIXED, 0]);
    let rows: Vec<i64> = (0..1000).flat_map(|i| [0, if i % 2 == 0 { MAX_ABS_FIXED } else { -MAX_ABS_FIXED }]).collect();
    let claim = evaluate_words::<SoftwareSha256>(&input(&m, &rows)).unwrap();
    // errors alternate 2^48 and 0
    assert_eq!(claim.sse, 500u128 << 96);
    assert_eq!(claim.sst, 1000u128 << 94);
    assert!(claim.r2 < 0);
}

fn reference_metrics(ys: &[i64], preds: &[i64]) -> (u128, u128) {
    // Exact rationals: SST * n = n*sum(y^2) - (sum y)^2, rounded up (small test values only)
    let n = ys.len() as i128;
    let sum: i128 = ys.iter().map(|&y| y as i128).sum();
    let sum2: i128 = ys.iter().map(|&y| (y as i128).pow(2)).sum();
    let sst_times_n = n * sum2 - sum * sum;
    let sst = (sst_times_n + n - 1).div_euclid(n) as u128;
    let sse: i128 = ys.iter().zip(preds).map(|(&y, &p)| ((y - p) as i128).pow(2)).sum();
    (sse as u128, sst)
}

proptest! {
    #[test]
    fn claim_round_trips(kind in 0u32..3, degree in 1u32..4, nf in 1u32..33, rows in any::<u32>(),
                         mh in any::<[u8; 32]>(), dc in any::<[u8; 32]>(),
                         sse in any::<u128>(), sst in any::<u128>(), mse in any::<u128>(), r2 in any::<i64>()) {
        let c = Claim { version: CLAIM_VERSION, model_kind: ModelKind::from_code(kind).unwrap(), degree,
            n_features: nf, frac_bits: FRAC_BITS, n_rows: rows, model_hash: mh, data_commitment: dc, sse, sst, mse, r2 };
        let bytes = c.encode();
        prop_assert_eq!(Claim::decode(&bytes).unwrap(), c);
        prop_assert!(Claim::decode(&bytes[..CLAIM_LEN - 1]).is_err());
    }

    #[test]
    fn fixed_point_round_trip(x in -2.0e9f64..2.0e9) {
        let q = fixed::to_fixed(x).unwrap();
        prop_assert!((fixed::from_fixed(q) - x).abs() <= 0.5 / SCALE as f64 + x.abs() * 1e-15);
    }

    #[test]
    fn mul_matches_f64(a in -1_000_000i64..1_000_000, b in -1_000_000i64..1_000_000) {
        let exact = (a as f64) * (b as f64) / SCALE as f64;
        prop_assert!((fixed::mul(a, b) as f64 - exact).abs() <= 0.5);
    }

    #[test]
    fn div_scaled_is_exact_floor(num in any::<u64>(), den in 1u64..) {
        let expect = ((num as u128) << FRAC_BITS) / den as u128;
        prop_assert_eq!(fixed::div_scaled(num as u128, den as u128, FRAC_BITS), expect);
    }

    #[test]
    fn encoding_round_trips(nf in 1usize..6, degree in 1u32..4, nrows in 1usize..20, seed in any::<u64>()) {
        let mut s = seed;
        let mut next = move |m: i64| { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ((s >> 11) as i64).rem_euclid(2 * m + 1) - m };
        let nw = n_terms(nf as u32, degree) as usize + 1;
        let m = FixedModel {
            kind: if degree == 1 { ModelKind::Ridge } else { ModelKind::PolyRidge },
            degree,
            means: (0..nf).map(|_| next(MAX_ABS_FIXED)).collect(),
            inv_stds: (0..nf).map(|_| 1 + next(1 << 50).abs()).collect(),
            weights: (0..nw).map(|_| next(MAX_ABS_FIXED)).collect(),
        };
        let rows: Vec<i64> = (0..nrows * (nf + 1)).map(|_| next(MAX_ABS_FIXED)).collect();
        let mw = encode_model(&m).unwrap();
        let dw = encode_test_set(nf as u32, &rows, &[3; 32]).unwrap();
        let words = encode_guest_input(&mw, &dw);
        let bytes = words_as_bytes(&words).to_vec();
        let back = words_from_bytes(&bytes).unwrap();
        let gi = GuestInput::decode(&back).unwrap();
        prop_assert_eq!(gi.model.to_owned_model(), m);
        prop_assert_eq!(gi.test_set.n_rows as usize, nrows);
        let decoded: Vec<i64> = gi.test_set.rows().flat_map(|r| { let mut v: Vec<i64> = r.features().collect(); v.push(r.target()); v }).collect();
        prop_assert_eq!(decoded, rows);
    }

    #[test]
    fn metrics_match_two_pass_reference(ys in prop::collection::vec(-1_000_000_000i64..1_000_000_000, 2..50),
                                        noise in prop::collection::vec(-1_000_000i64..1_000_000, 50)) {
        let preds: Vec<i64> = ys.iter().zip(&noise).map(|(y, e)| y + e).collect();
        let mut m = Metrics::default();
        for (&y, &p) in ys.iter().zip(&preds) { m.add(y, p); }
        let (sse, sst) = reference_metrics(&ys, &preds);
        prop_assert_eq!(m.sse, sse);
        prop_assert_eq!(m.sst(), sst);
    }
}

/// The guests' one-buffer input: viewed in place when aligned, copied when not, and the same
/// words (and claim) either way; a length that is not whole words is an error.
#[test]
fn aligned_words_view_or_copy_the_same_words() {
    let words: Vec<u32> = (0..64u32).map(|i| i.wrapping_mul(0x9e37_79b9)).collect();
    let bytes = zkml_core::words_as_bytes(&words).to_vec();
    let view = zkml_core::aligned_words(&bytes).unwrap();
    assert_eq!(&*view, &words[..]);
    // The same bytes one byte off alignment.
    let mut shifted = vec![0u8; bytes.len() + 1];
    shifted[1..].copy_from_slice(&bytes);
    let copy = zkml_core::aligned_words(&shifted[1..]).unwrap();
    assert!(matches!(copy, std::borrow::Cow::Owned(_)) || shifted[1..].as_ptr() as usize % 4 == 0);
    assert_eq!(&*copy, &words[..]);
    assert!(zkml_core::aligned_words(&bytes[..7]).is_err());
}

use proptest::prelude::*;
use zkml_core::fixed::{self, Z_FRAC_BITS};
use zkml_core::*;

const F: u32 = 16;

/// Test models read every column at 2^16 with the weights (`[bias, w_1, ...]`) at 2^16 too.
/// Degree 1 folds the standardisation in (products at 2^32); a polynomial standardises with
/// mean 0 and std 1 (inv_std 2^30 and shift 2: z = round(x / 4) * 4), so z equals x for the
/// multiples of 4 used here. Either way, expected values can be worked out by hand.
fn model(kind: ModelKind, degree: u32, nf: usize, weights: Vec<i32>) -> FixedModel {
    let poly = degree > 1;
    FixedModel {
        schema: [0; 32],
        trees: None,
        layers: Vec::new(),
        kind,
        degree,
        column_frac_bits: vec![F; nf + 1],
        weight_frac_bits: if poly { F } else { 2 * F },
        means: if poly { vec![0; nf] } else { vec![] },
        inv_stds: if poly { vec![1 << 30; nf] } else { vec![] },
        z_shifts: if poly { vec![2; nf] } else { vec![] },
        bias: (weights[0] as i64) << F,
        weights: weights[1..].to_vec(),
    }
}

fn input(m: &FixedModel, rows: &[i32]) -> Vec<u32> {
    let mw = encode_model(m).unwrap();
    let dw = encode_test_set(&m.column_frac_bits, rows, &[7u8; 32]).unwrap();
    encode_guest_input(&mw, &dw)
}

fn f(x: f64) -> i32 {
    fixed::to_i32_bits(x, F).unwrap()
}

const SCALE: f64 = (1u64 << F) as f64;

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
    assert_eq!((claim.n_rows, claim.frac_bits), (3, F));
    assert_eq!(claim.sse, 1u128 << (2 * F)); // one unit error squared
                                             // mean y = 10/3, SST = (1-10/3)^2 + (4-10/3)^2 + (5-10/3)^2 = 78/9 = 8.666...
    let sst = claim.sst as f64 / SCALE.powi(2);
    assert!((sst - 78.0 / 9.0).abs() < 1e-9, "{sst}");
    assert!((claim.mse_f64() - 1.0 / 3.0).abs() < 1.0 / SCALE);
    assert!((claim.r2_f64() - (1.0 - 9.0 / 78.0)).abs() < 1e-9);
}

#[test]
fn standardisation_and_target_scale_are_applied() {
    // A degree-2 model over one feature read at 2^4, mean 10, std 4: 64 units, so 1/std is
    // 2^(16+32)/64 = 2^42, stored as inv_std 2^30 with shift 12 (z = round(d / 4) * 2^12);
    // target read at 2^8, weights at 2^10: y_hat = 100 + 8 z + 0.5 z^2.
    let m = FixedModel {
        schema: [0; 32],
        trees: None,
        layers: Vec::new(),
        kind: ModelKind::PolyRidge,
        degree: 2,
        column_frac_bits: vec![4, 8],
        weight_frac_bits: 10,
        means: vec![10 << 4],
        inv_stds: vec![1 << 30],
        z_shifts: vec![12],
        bias: 100 << 26,
        weights: vec![8 << 10, 1 << 9],
    };
    // x = 18 -> z = 2 -> 118; x = 6 -> z = -1 -> 92.5; targets 118 and 90.5 (error 2).
    let rows = [18 << 4, 118 << 8, 6 << 4, 181 << 7];
    let words = input(&m, &rows);
    let gi = GuestInput::decode(&words).unwrap();
    let mut z = [0i32; 1];
    assert_eq!(gi.model.predict(0, &rows[0..1], &mut z), Ok(118 << 8));
    assert_eq!(z[0], 2 << Z_FRAC_BITS);
    assert_eq!(gi.model.predict(1, &rows[2..3], &mut z), Ok(185 << 7));
    let claim = evaluate::<SoftwareSha256>(&gi).unwrap();
    assert_eq!(claim.frac_bits, 8);
    assert_eq!(claim.sse, 4u128 << 16);
    assert_eq!(claim.mse, 2 << 8);

    // Degree 1 folds it: y_hat = 100 + 8 (x - 10) / 4 = 80 + 2 x, with the weight at
    // 2^(12 - 4) and the bias at 2^12 (products at 2^12, rounded by 4 bits to the target).
    let m = FixedModel {
        schema: [0; 32],
        trees: None,
        layers: Vec::new(),
        kind: ModelKind::Ridge,
        degree: 1,
        column_frac_bits: vec![4, 8],
        weight_frac_bits: 12,
        means: vec![],
        inv_stds: vec![],
        z_shifts: vec![],
        bias: 80 << 12,
        weights: vec![2 << 8],
    };
    let gi_words = input(&m, &[18 << 4, 116 << 8, 6 << 4, 90 << 8]);
    let gi = GuestInput::decode(&gi_words).unwrap();
    assert_eq!(gi.model.predict(0, &[18 << 4], &mut z), Ok(116 << 8));
    assert_eq!(gi.model.predict(1, &[6 << 4], &mut z), Ok(92 << 8));
    assert_eq!(evaluate::<SoftwareSha256>(&gi).unwrap().sse, 4u128 << 16);
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
    let dw = encode_test_set(&m.column_frac_bits, &rows, &[8u8; 32]).unwrap();
    let claim3 = evaluate_words::<SoftwareSha256>(&encode_guest_input(&mw, &dw)).unwrap();
    assert_ne!(claim.data_commitment, claim3.data_commitment);
    assert_eq!((claim.sse, claim.sst, claim.r2), (claim3.sse, claim3.sst, claim3.r2));
    // A different column scale changes the model hash.
    let mut m4 = m.clone();
    m4.column_frac_bits[0] = 15;
    assert_ne!(commit::model_hash::<SoftwareSha256>(&encode_model(&m4).unwrap()), claim.model_hash);
}

#[test]
fn rejects_bad_inputs_with_named_errors() {
    let m = model(ModelKind::Linear, 1, 1, vec![f(1.0), f(2.0)]);
    // empty
    assert_eq!(encode_test_set(&[F, F], &[], &[0; 32]), Err(CoreError::EmptyTestSet));
    // zero variance
    let words = input(&m, &[f(1.0), f(3.0), f(2.0), f(3.0)]);
    assert_eq!(evaluate_words::<SoftwareSha256>(&words), Err(CoreError::ZeroVariance));
    // feature count mismatch
    let mw = encode_model(&m).unwrap();
    let dw = encode_test_set(&[F, F, F], &[1, 2, 3], &[0; 32]).unwrap();
    assert_eq!(GuestInput::decode(&encode_guest_input(&mw, &dw)).unwrap_err(), CoreError::FeatureCountMismatch { model: 1, test_set: 2 });
    // a test set encoded at other column scales
    let dw = encode_test_set(&[F, F - 1], &[1, 2], &[0; 32]).unwrap();
    assert_eq!(
        GuestInput::decode(&encode_guest_input(&mw, &dw)).unwrap_err(),
        CoreError::ScaleMismatch { column: 1, model: F, test_set: F - 1 }
    );
    // an unsupported column scale
    assert!(matches!(encode_test_set(&[41, F], &[1, 2], &[0; 32]), Err(CoreError::Unsupported { field: "column_frac_bits", .. })));
    // wrong weight count
    let bad = model(ModelKind::Linear, 1, 2, vec![1, 2]);
    assert!(matches!(encode_model(&bad), Err(CoreError::Unsupported { field: "n_weights", .. })));
    // standardisation given to a folded (degree-1) model
    let mut bad = m.clone();
    bad.means = vec![0];
    assert!(matches!(encode_model(&bad), Err(CoreError::Unsupported { field: "means length", .. })));
    // a folded weight or a bias beyond its bound
    let mut bad = m.clone();
    bad.weights[0] = (1 << 25) + 1;
    assert!(matches!(encode_model(&bad), Err(CoreError::ModelParameterOutOfRange { field: "weights", .. })));
    let mut bad = m.clone();
    bad.bias = (1 << 60) + 1;
    assert!(matches!(encode_model(&bad), Err(CoreError::ModelParameterOutOfRange { field: "bias", .. })));
    let bad = model(ModelKind::PolyRidge, 2, 2, vec![1, 2]);
    assert!(matches!(encode_model(&bad), Err(CoreError::Unsupported { field: "n_weights", .. })));
    // a linear model of degree 2
    let bad = model(ModelKind::Linear, 2, 1, vec![1, 2, 3]);
    assert!(matches!(encode_model(&bad), Err(CoreError::Unsupported { field: "degree of a linear model", .. })));
    // non-positive inv std, shift out of range
    let poly = model(ModelKind::PolyRidge, 2, 1, vec![f(1.0), f(2.0), 0]);
    let mut bad = poly.clone();
    bad.inv_stds[0] = 0;
    assert!(matches!(encode_model(&bad), Err(CoreError::ModelParameterOutOfRange { field: "inv_stds", .. })));
    let mut bad = poly.clone();
    bad.weight_frac_bits = 0; // the prediction's rounding shift 16 + 0 - 16 would be 0
    assert!(matches!(encode_model(&bad), Err(CoreError::Unsupported { field: "weight_frac_bits", .. })));
    let mut bad = poly.clone();
    bad.z_shifts[0] = 17;
    assert!(matches!(encode_model(&bad), Err(CoreError::ModelParameterOutOfRange { field: "z_shifts", .. })));
    // every error names what is wrong
    let text = CoreError::StandardisedOutOfRange { row: 41, feature: 3 }.to_string();
    assert!(text.contains("row 41") && text.contains("feature 3"), "{text}");
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
    // z = 1000 (within 2^10 sigma), weight 2^20 on z^3: far beyond i32 at every level.
    let mut w = vec![0i32; n_terms(1, 3) as usize + 1];
    *w.last_mut().unwrap() = 1 << 20;
    let m = model(ModelKind::PolyRidge, 3, 1, w);
    let words = input(&m, &[f(1000.0), f(1.0), f(0.0), f(2.0)]);
    assert_eq!(evaluate_words::<SoftwareSha256>(&words), Err(CoreError::PredictionOutOfRange { row: 0 }));
    // The same in the second row, and in a linear model whose sum leaves i32.
    let m = model(ModelKind::Linear, 1, 1, vec![0, 1 << 25]);
    let words = input(&m, &[f(0.0), f(1.0), f(1000.0), f(2.0)]);
    assert_eq!(evaluate_words::<SoftwareSha256>(&words), Err(CoreError::PredictionOutOfRange { row: 1 }));
    // A standardised value beyond 2^10 sigma
    let m = model(ModelKind::PolyRidge, 2, 1, vec![0, 1 << 16, 0]);
    let words = input(&m, &[f(1.0), f(1.0), f(1024.0), f(2.0)]);
    assert_eq!(evaluate_words::<SoftwareSha256>(&words), Err(CoreError::StandardisedOutOfRange { row: 1, feature: 0 }));
    // x - mean beyond i32
    let mut m = model(ModelKind::PolyRidge, 2, 1, vec![0, 1, 0]);
    m.means[0] = i32::MAX;
    let words = input(&m, &[-2, 1, 0, 2]);
    assert_eq!(evaluate_words::<SoftwareSha256>(&words), Err(CoreError::StandardisedOutOfRange { row: 0, feature: 0 }));
}

#[test]
fn extreme_values_within_bounds_do_not_overflow() {
    // Targets at both ends of i32 and predictions at the other end: the largest errors
    // (2^32 - 1 and 2^32 - 2) on many rows; SSE, SST and the sums stay exact.
    // x = 2^30 at 2^16 times the folded weight 2^25 at 2^(32 - 16) is 2^39 at 2^32, plus a bias
    // of i32::MAX * 2^16 - 2^39: every prediction is i32::MAX at the target's 2^16.
    let mut m = model(ModelKind::Linear, 1, 1, vec![0, 1 << 25]);
    m.bias = ((i32::MAX as i64) << 16) - (1i64 << 55);
    let x = 1 << 30;
    let rows: Vec<i32> = (0..1000).flat_map(|i| if i % 2 == 0 { [x, i32::MIN] } else { [x, i32::MAX] }).collect();
    let claim = evaluate_words::<SoftwareSha256>(&input(&m, &rows)).unwrap();
    let e = (i32::MAX as i128 - i32::MIN as i128) as u128;
    assert_eq!(claim.sse, 500 * e * e);
    let (ys, preds): (Vec<i64>, Vec<i64>) = rows.chunks(2).map(|r| (r[1] as i64, i32::MAX as i64)).unzip();
    assert_eq!((claim.sse, claim.sst), reference_metrics(&ys, &preds));
    assert!(claim.r2 < 0);
}

fn reference_metrics(ys: &[i64], preds: &[i64]) -> (u128, u128) {
    // Exact rationals: SST * n = n*sum(y^2) - (sum y)^2, rounded up
    let n = ys.len() as i128;
    let sum: i128 = ys.iter().map(|&y| y as i128).sum();
    let sum2: i128 = ys.iter().map(|&y| (y as i128).pow(2)).sum();
    let sst_times_n = n * sum2 - sum * sum;
    let sst = (sst_times_n + n - 1).div_euclid(n) as u128;
    let sse: i128 = ys.iter().zip(preds).map(|(&y, &p)| ((y - p) as i128).pow(2)).sum();
    (sse as u128, sst)
}

/// Division by `2^bits` rounded to nearest, ties upward, by plain i128 division (not shifts).
fn div_round(x: i128, bits: u32) -> i128 {
    let d = 1i128 << bits;
    (2 * x + d).div_euclid(2 * d)
}

/// The evaluation's definition in wide integers, written independently of the guest's
/// kernel: standardise, then the Horner levels over the monomials in canonical order (found
/// by enumerating index tuples, not by running pointers), each level rounded once to the
/// target's scale and bounded by i32. `None` where the core must report an error.
#[allow(clippy::needless_range_loop)] // indexes mirror the definition
fn reference_predict(m: &FixedModel, x: &[i32]) -> Option<i64> {
    let n = x.len();
    let out_shift = if m.degree == 1 { m.weight_frac_bits } else { m.weight_frac_bits + 16 } - m.column_frac_bits[n];
    let fits = |v: i128| (i32::MIN as i128..=i32::MAX as i128).contains(&v).then_some(v);
    if m.degree == 1 {
        let acc: i128 = m.bias as i128 + (0..n).map(|j| m.weights[j] as i128 * x[j] as i128).sum::<i128>();
        return fits(div_round(acc, out_shift)).map(|v| v as i64);
    }
    let mut z = Vec::new();
    for j in 0..n {
        let d = x[j] as i128 - m.means[j] as i128;
        if d > i32::MAX as i128 || d < i32::MIN as i128 {
            return None;
        }
        let hi = (d * m.inv_stds[j] as i128 + (1i128 << 31)).div_euclid(1i128 << 32); // nearest, ties up
        let zj = hi * (1i128 << m.z_shifts[j]);
        if zj < -(fixed::MAX_ABS_Z as i128) || zj >= fixed::MAX_ABS_Z as i128 {
            return None;
        }
        z.push(zj);
    }
    // The canonical index tuples of the monomials, in weight order.
    let mut tuples: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    for d in 2..=m.degree as usize {
        let prev: Vec<Vec<usize>> = tuples.iter().filter(|t| t.len() == d - 1).cloned().collect();
        for t in prev {
            for k in *t.last().unwrap()..n {
                let mut u = t.clone();
                u.push(k);
                tuples.push(u);
            }
        }
    }
    let weight = |t: &[usize]| -> i128 { m.weights[tuples.iter().position(|u| u == t).unwrap()] as i128 };
    fn level(prefix: &mut Vec<usize>, degree: usize, n: usize, z: &[i128], weight: &dyn Fn(&[usize]) -> i128) -> Option<i128> {
        let mut acc = weight(prefix) << 16;
        if prefix.len() < degree {
            for j in *prefix.last().unwrap()..n {
                prefix.push(j);
                let u = level(prefix, degree, n, z, weight)?;
                prefix.pop();
                acc += u * z[j];
            }
        }
        let v = div_round(acc, 16);
        (i32::MIN as i128..=i32::MAX as i128).contains(&v).then_some(v)
    }
    let mut acc = m.bias as i128;
    for i in 0..n {
        acc += level(&mut vec![i], m.degree as usize, n, &z, &weight)? * z[i];
    }
    fits(div_round(acc, out_shift)).map(|v| v as i64)
}

fn lcg(seed: u64) -> impl FnMut(i64) -> i64 {
    let mut s = seed;
    move |m: i64| {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 11) as i64).rem_euclid(2 * m + 1) - m
    }
}

/// A random model for values of about `value_bits` bits: means inside the values' range,
/// `1/std` with 29-30 significant bits and shifts 0..=4, weights up to `weight_bound` (at most
/// 2^25 when folded).
fn random_model(nf: usize, degree: u32, next: &mut impl FnMut(i64) -> i64, value_bits: u32, weight_bound: i64) -> FixedModel {
    let nw = n_terms(nf as u32, degree) as usize;
    let poly = degree > 1;
    let weight_bound = if poly { weight_bound } else { weight_bound.min(1 << 25) };
    FixedModel {
        schema: [0; 32],
        trees: None,
        layers: Vec::new(),
        kind: if poly { ModelKind::PolyRidge } else { ModelKind::Ridge },
        degree,
        column_frac_bits: (0..nf).map(|_| next(20).unsigned_abs() as u32).chain([8]).collect(),
        weight_frac_bits: 9 + next(20).unsigned_abs() as u32,
        means: (0..nf).filter(|_| poly).map(|_| next(1 << (value_bits - 1)) as i32).collect(),
        inv_stds: (0..nf).filter(|_| poly).map(|_| (1 << 29) + next(1 << 28).abs() as i32).collect(),
        z_shifts: (0..nf).filter(|_| poly).map(|_| next(4).unsigned_abs() as u32).collect(),
        bias: next(weight_bound) << 16,
        weights: (0..nw).map(|_| next(weight_bound) as i32).collect(),
    }
}

proptest! {
    #[test]
    fn claim_round_trips(kind in 0u32..3, degree in 1u32..4, nf in 1u32..33, rows in any::<u32>(), frac_bits in 0u32..41,
                         mh in any::<[u8; 32]>(), dc in any::<[u8; 32]>(),
                         sse in any::<u128>(), sst in any::<u128>(), mse in any::<u128>(), r2 in any::<i64>()) {
        let c = Claim { version: CLAIM_VERSION, model_kind: ModelKind::from_code(kind).unwrap(), degree,
            n_features: nf, frac_bits, n_rows: rows, model_hash: mh, data_commitment: dc, sse, sst, mse, r2 };
        let bytes = c.encode();
        prop_assert_eq!(Claim::decode(&bytes).unwrap(), c);
        prop_assert!(Claim::decode(&bytes[..CLAIM_LEN - 1]).is_err());
    }

    #[test]
    fn fixed_point_round_trip(x in -2.0e9f64..2.0e9, bits in 0u32..41) {
        if let Some(q) = fixed::to_i32_bits(x, bits) {
            prop_assert!((fixed::from_fixed_bits(q as i64, bits) - x).abs() <= 0.5 / fixed::pow2(bits) + x.abs() * 1e-15);
        } else {
            prop_assert!(x.abs() * fixed::pow2(bits) > i32::MAX as f64 - 1.0);
        }
    }

    #[test]
    fn div_scaled_is_exact_floor(num in any::<u64>(), den in 1u64..) {
        let expect = ((num as u128) << 16) / den as u128;
        prop_assert_eq!(fixed::div_scaled(num as u128, den as u128, 16), expect);
    }

    #[test]
    fn encoding_round_trips(nf in 1usize..6, degree in 1u32..4, nrows in 1usize..20, seed in any::<u64>()) {
        let mut next = lcg(seed);
        let m = random_model(nf, degree, &mut next, 31, i32::MAX as i64);
        let rows: Vec<i32> = (0..nrows * (nf + 1)).map(|_| next(i32::MAX as i64) as i32).collect();
        let mw = encode_model(&m).unwrap();
        let dw = encode_test_set(&m.column_frac_bits, &rows, &[3; 32]).unwrap();
        let words = encode_guest_input(&mw, &dw);
        let bytes = words_as_bytes(&words).to_vec();
        let back = words_from_bytes(&bytes).unwrap();
        let gi = GuestInput::decode(&back).unwrap();
        prop_assert_eq!(gi.model.to_owned_model(), m);
        prop_assert_eq!(gi.test_set.n_rows as usize, nrows);
        let decoded: Vec<i32> = gi.test_set.rows().flatten().copied().collect();
        prop_assert_eq!(decoded, rows);
    }

    /// The guest's kernel equals the wide-integer reference on random models and rows of
    /// every degree, including the rows it must refuse (z or a partial sum out of range).
    #[test]
    fn prediction_equals_the_wide_integer_reference(nf in 1usize..7, degree in 1u32..4, seed in any::<u64>(),
                                                    weight_bits in 4u32..32, value_bits in 8u32..32) {
        let mut next = lcg(seed);
        let m = random_model(nf, degree, &mut next, value_bits, (1i64 << weight_bits) - 1);
        let words = encode_model(&m).unwrap();
        let view = decode_model(&words).unwrap();
        let mut z = vec![0i32; nf];
        for r in 0..20u64 {
            let x: Vec<i32> = (0..nf).map(|_| next((1i64 << value_bits) - 1) as i32).collect();
            let got = view.predict(r, &x, &mut z);
            match reference_predict(&m, &x) {
                Some(v) => prop_assert_eq!(got, Ok(v as i32)),
                None => prop_assert!(got.is_err(), "reference refuses row {}, kernel gave {:?}", r, got),
            }
        }
    }

    #[test]
    fn metrics_match_two_pass_reference(ys in prop::collection::vec(any::<i32>(), 2..50),
                                        preds in prop::collection::vec(any::<i32>(), 50)) {
        let mut m = Metrics::default();
        for (&y, &p) in ys.iter().zip(&preds) { m.add(y, p); }
        let ys64: Vec<i64> = ys.iter().map(|&y| y as i64).collect();
        let p64: Vec<i64> = preds.iter().take(ys.len()).map(|&p| p as i64).collect();
        let (sse, sst) = reference_metrics(&ys64, &p64);
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
    assert!(matches!(copy, std::borrow::Cow::Owned(_)) || (shifted[1..].as_ptr() as usize).is_multiple_of(4));
    assert_eq!(&*copy, &words[..]);
    assert!(zkml_core::aligned_words(&bytes[..7]).is_err());
}

/// Issue #33: the column schema travels in the model section, so the model hash covers it.
#[test]
fn the_schema_is_part_of_the_model_section_and_its_hash() {
    let plain = model(ModelKind::Ridge, 1, 3, vec![5, 1, 2, 3]);
    let mut named = plain.clone();
    named.schema = [7; 32];
    let words = encode_model(&named).unwrap();
    assert_eq!(decode_model(&words).unwrap().to_owned_model(), named);
    let hash = |m: &FixedModel| zkml_core::commit::model_hash::<zkml_core::SoftwareSha256>(&encode_model(m).unwrap());
    assert_ne!(hash(&named), hash(&plain));
    let mut other = named.clone();
    other.schema[31] ^= 1;
    assert_ne!(hash(&other), hash(&named));
}

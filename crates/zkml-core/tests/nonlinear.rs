//! Gradient-boosted trees and the MLP: the guest's kernels held equal to independent
//! wide-integer references, the wire format round-tripped, malformed sections refused.

use proptest::prelude::*;
use zkml_core::trees::{internal_nodes, ALWAYS_LEFT};
use zkml_core::*;

fn lcg(seed: u64) -> impl FnMut(i64) -> i64 {
    let mut s = seed;
    move |m: i64| {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 11) as i64).rem_euclid(2 * m + 1) - m
    }
}

/// Division by `2^bits` rounded to nearest, ties upward, by plain i128 division.
fn div_round(x: i128, bits: u32) -> i128 {
    let d = 1i128 << bits;
    (2 * x + d).div_euclid(2 * d)
}

fn fits_i32(v: i128) -> Option<i64> {
    (i32::MIN as i128..=i32::MAX as i128).contains(&v).then_some(v as i64)
}

fn forest(nf: usize, n_trees: usize, depth: u32, next: &mut impl FnMut(i64) -> i64, value_bits: u32) -> FixedModel {
    let internal = internal_nodes(depth);
    FixedModel {
        schema: [0; 32],
        kind: ModelKind::Gbdt,
        degree: 0,
        column_frac_bits: (0..nf).map(|_| next(20).unsigned_abs() as u32).chain([8]).collect(),
        weight_frac_bits: 9 + next(20).unsigned_abs() as u32,
        means: vec![],
        inv_stds: vec![],
        z_shifts: vec![],
        bias: next(1 << 40),
        weights: vec![],
        trees: Some(FixedTrees {
            depth,
            features: (0..n_trees * internal).map(|_| next(nf as i64 - 1).unsigned_abs() as u32 % nf as u32).collect(),
            thresholds: (0..n_trees * internal)
                .map(|_| if next(8) == 0 { ALWAYS_LEFT } else { next((1i64 << value_bits) - 1) as i32 })
                .collect(),
            leaves: (0..n_trees << depth).map(|_| next(i32::MAX as i64) as i32).collect(),
        }),
        layers: vec![],
    }
}

/// The forest's definition, written as a circuit would: a leaf is taken when every node on its
/// path agrees with the leaf's bits (no walking by index arithmetic).
fn reference_forest(m: &FixedModel, x: &[i32]) -> Option<i64> {
    let t = m.trees.as_ref().unwrap();
    let (d, internal) = (t.depth, internal_nodes(t.depth));
    let mut acc = m.bias as i128;
    for tree in 0..t.n_trees() {
        let mut taken = 0;
        for leaf in 0..1usize << d {
            let mut node = 0usize;
            let mut agrees = true;
            for level in (0..d).rev() {
                let right = (leaf >> level) & 1 == 1;
                let k = tree * internal + node;
                agrees &= (x[t.features[k] as usize] > t.thresholds[k]) == right;
                node = 2 * node + 1 + right as usize;
            }
            if agrees {
                acc += t.leaves[(tree << d) + leaf] as i128;
                taken += 1;
            }
        }
        assert_eq!(taken, 1, "exactly one leaf per tree");
    }
    let shift = m.weight_frac_bits - m.column_frac_bits[x.len()];
    fits_i32(div_round(acc, shift))
}

fn mlp(nf: usize, hidden: &[u32], next: &mut impl FnMut(i64) -> i64, weight_bits: u32, value_bits: u32) -> FixedModel {
    let widths: Vec<u32> = std::iter::once(nf as u32).chain(hidden.iter().copied()).chain([1]).collect();
    let layers: Vec<FixedLayer> = widths
        .windows(2)
        .map(|w| FixedLayer {
            frac_bits: 1 + next(19).unsigned_abs() as u32 + 20,
            n_in: w[0],
            n_out: w[1],
            biases: (0..w[1]).map(|_| next(1 << 50)).collect(),
            weights: (0..w[0] * w[1]).map(|_| next((1i64 << weight_bits) - 1) as i32).collect(),
        })
        .collect();
    FixedModel {
        schema: [0; 32],
        kind: ModelKind::Mlp,
        degree: 0,
        column_frac_bits: (0..nf).map(|_| next(20).unsigned_abs() as u32).chain([8]).collect(),
        weight_frac_bits: layers.last().unwrap().frac_bits,
        means: (0..nf).map(|_| next(1 << (value_bits - 1)) as i32).collect(),
        inv_stds: (0..nf).map(|_| (1 << 29) + next(1 << 28).abs() as i32).collect(),
        z_shifts: (0..nf).map(|_| next(4).unsigned_abs() as u32).collect(),
        bias: 0,
        weights: vec![],
        trees: None,
        layers,
    }
}

#[allow(clippy::needless_range_loop)] // indexes mirror the definition
/// The MLP's definition in i128: standardise, each layer's exact sum rounded once by plain
/// division, ReLU, bounded activations, the output rounded to the target's scale.
fn reference_mlp(m: &FixedModel, x: &[i32]) -> Option<i64> {
    let mut a: Vec<i128> = Vec::new();
    for j in 0..x.len() {
        let d = x[j] as i128 - m.means[j] as i128;
        if d < i32::MIN as i128 || d > i32::MAX as i128 {
            return None;
        }
        let z = div_round(d * m.inv_stds[j] as i128, 32) << m.z_shifts[j];
        if !(-(1 << 26)..1 << 26).contains(&z) {
            return None;
        }
        a.push(z);
    }
    for (l, layer) in m.layers.iter().enumerate() {
        let sums: Vec<i128> = (0..layer.n_out as usize)
            .map(|i| {
                let w = &layer.weights[i * layer.n_in as usize..(i + 1) * layer.n_in as usize];
                layer.biases[i] as i128 + w.iter().zip(&a).map(|(&w, &v)| w as i128 * v).sum::<i128>()
            })
            .collect();
        if l + 1 == m.layers.len() {
            let shift = layer.frac_bits + 16 - m.column_frac_bits[x.len()];
            return fits_i32(div_round(sums[0], shift));
        }
        a = Vec::new();
        for s in sums {
            let v = div_round(s, layer.frac_bits).max(0);
            if v >= 1 << 26 {
                return None;
            }
            a.push(v);
        }
    }
    unreachable!()
}

fn view_predicts(m: &FixedModel, rows: &[Vec<i32>], reference: impl Fn(&FixedModel, &[i32]) -> Option<i64>) -> Result<(), TestCaseError> {
    let words = encode_model(m).unwrap();
    let view = decode_model(&words).unwrap();
    prop_assert_eq!(&view.to_owned_model(), m);
    let mut scratch = vec![0i32; view.scratch_len()];
    for (r, x) in rows.iter().enumerate() {
        let got = view.predict(r as u64, x, &mut scratch);
        match reference(m, x) {
            Some(v) => prop_assert_eq!(got, Ok(v as i32)),
            None => prop_assert!(got.is_err(), "reference refuses row {}, kernel gave {:?}", r, got),
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn forest_equals_the_path_reference(nf in 1usize..7, n_trees in 1usize..12, depth in 1u32..6, seed in any::<u64>(),
                                        value_bits in 4u32..32) {
        let mut next = lcg(seed);
        let m = forest(nf, n_trees, depth, &mut next, value_bits);
        let rows: Vec<Vec<i32>> = (0..20).map(|_| (0..nf).map(|_| next((1i64 << value_bits) - 1) as i32).collect()).collect();
        view_predicts(&m, &rows, reference_forest)?;
    }

    #[test]
    fn mlp_equals_the_wide_integer_reference(nf in 1usize..7, hidden in prop::collection::vec(1u32..10, 0..3), seed in any::<u64>(),
                                             weight_bits in 2u32..25, value_bits in 8u32..32) {
        let mut next = lcg(seed);
        let m = mlp(nf, &hidden, &mut next, weight_bits, value_bits);
        let rows: Vec<Vec<i32>> = (0..20).map(|_| (0..nf).map(|_| next((1i64 << value_bits) - 1) as i32).collect()).collect();
        view_predicts(&m, &rows, reference_mlp)?;
    }
}

/// One tree of depth 2 over 2 features, at 2^4, worked out by hand.
#[test]
fn a_small_forest_predicts_by_hand() {
    let m = FixedModel {
        schema: [0; 32],
        kind: ModelKind::Gbdt,
        degree: 0,
        column_frac_bits: vec![4, 4, 4],
        weight_frac_bits: 8,
        means: vec![],
        inv_stds: vec![],
        z_shifts: vec![],
        bias: 10 << 8,
        weights: vec![],
        // root: x0 <= 2; left child: x1 <= 1 (leaves 1, 2); right child: padding (leaf 3 twice)
        trees: Some(FixedTrees {
            depth: 2,
            features: vec![0, 1, 0],
            thresholds: vec![2 << 4, 1 << 4, ALWAYS_LEFT],
            leaves: vec![1 << 8, 2 << 8, 3 << 8, 3 << 8],
        }),
        layers: vec![],
    };
    let words = encode_model(&m).unwrap();
    let view = decode_model(&words).unwrap();
    let mut z = vec![0; view.scratch_len()];
    let p = |x: [f64; 2], z: &mut [i32]| view.predict(0, &[(x[0] * 16.0) as i32, (x[1] * 16.0) as i32], z).unwrap() as f64 / 16.0;
    assert_eq!(p([2.0, 1.0], &mut z), 11.0); // <= is left at equality
    assert_eq!(p([2.0, 1.0625], &mut z), 12.0);
    assert_eq!(p([2.0625, -5.0], &mut z), 13.0);
    let rows = [16 * 2, 16, 0, 16 * 3, 0, 16 * 5];
    let dw = encode_test_set(&m.column_frac_bits, &rows, &[1; 32]).unwrap();
    let claim = evaluate_words::<Sha256Impl>(&encode_guest_input(&words, &dw)).unwrap();
    assert_eq!((claim.model_kind, claim.degree, claim.model_label()), (ModelKind::Gbdt, 0, "gbdt"));
    // Predictions 11 and 13 against targets 0 and 5: errors 11 and 8, at 2^4.
    assert_eq!(claim.sse, 176 * 176 + 128 * 128);
}

type Sha256Impl = SoftwareSha256;

#[test]
fn sections_that_contradict_their_kind_are_refused() {
    let mut next = lcg(5);
    let f = forest(3, 2, 2, &mut next, 16);
    let n = mlp(3, &[4], &mut next, 10, 16);
    let err = |m: &FixedModel| encode_model(m).unwrap_err().to_string();

    let mut bad = f.clone();
    bad.layers = n.layers.clone();
    assert!(err(&bad).contains("layers of a model of this kind"), "{}", err(&bad));
    let mut bad = f.clone();
    bad.kind = ModelKind::Mlp;
    assert!(err(&bad).contains("trees of a model of this kind") || err(&bad).contains("length"), "{}", err(&bad));
    let mut bad = f.clone();
    bad.trees.as_mut().unwrap().features[1] = 3;
    assert!(err(&bad).contains("tree features[1] = 3"), "{}", err(&bad));
    let mut bad = f.clone();
    bad.trees.as_mut().unwrap().leaves.pop();
    assert!(err(&bad).contains("leaves"), "{}", err(&bad));
    let mut bad = f.clone();
    bad.degree = 2;
    assert!(err(&bad).contains("degree"), "{}", err(&bad));

    let mut bad = n.clone();
    bad.layers.last_mut().unwrap().n_out = 2;
    assert!(err(&bad).contains("layer units"), "{}", err(&bad));
    let mut bad = n.clone();
    bad.layers[0].n_in = 4;
    assert!(err(&bad).contains("layer inputs"), "{}", err(&bad));
    let mut bad = n.clone();
    bad.layers[0].weights[2] = (1 << 24) + 1;
    assert!(err(&bad).contains("layer weights[2]"), "{}", err(&bad));
    let mut bad = n.clone();
    bad.trees = f.trees.clone();
    assert!(err(&bad).contains("trees of a model of this kind"), "{}", err(&bad));
    let mut bad = n.clone();
    bad.weight_frac_bits += 1;
    assert!(err(&bad).contains("output layer"), "{}", err(&bad));

    // Decoding a tampered header: sizes are checked before anything is computed from them.
    // (The model header: magic, six fields and the 8-word schema digest.)
    const HEADER: usize = 16;
    for (m, at, value, needle) in [
        (&f, HEADER + 4, 5000u32, "number of trees"), // n_trees
        (&f, HEADER + 4 + 1, 11, "tree depth"),       // depth
        (&f, 5, 3, "trailing bytes"),                 // header's body words
        (&n, HEADER + 4 + 9, 9, "number of layers"),  // n_layers
        (&n, HEADER + 4 + 9 + 1, 2, "MLP inputs"),    // widths[0]
    ] {
        let mut words = encode_model(m).unwrap();
        words[at] = value;
        let e = decode_model(&words).unwrap_err().to_string();
        assert!(e.contains(needle), "word {at} = {value}: {e}");
    }
}

/// A hidden unit beyond its bound is an error naming the row, the layer and the unit.
#[test]
fn an_exploding_activation_names_its_row_layer_and_unit() {
    let mut next = lcg(9);
    let mut m = mlp(1, &[2], &mut next, 10, 16);
    m.means = vec![0];
    m.inv_stds = vec![1 << 30];
    m.z_shifts = vec![2]; // z = x at 2^16 for multiples of 4
    m.layers[0].frac_bits = 1;
    m.layers[0].biases = vec![0, 0];
    m.layers[0].weights = vec![0, 1 << 20]; // unit 1 = 2^19 x
    let words = encode_model(&m).unwrap();
    let view = decode_model(&words).unwrap();
    let mut scratch = vec![0; view.scratch_len()];
    let e = view.predict(7, &[1 << 16], &mut scratch).unwrap_err();
    assert_eq!(e, CoreError::ActivationOutOfRange { row: 7, layer: 0, unit: 1 });
    assert!(e.to_string().contains("test row 7: hidden layer 0, unit 1"));
}

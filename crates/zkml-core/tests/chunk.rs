//! Chunked claims (issue #36): chunks proven apart and aggregated give the whole test set's
//! metrics bit for bit, with the data commitment defined over the chunks; a chunk missing,
//! repeated, out of order or of another model is refused by name.

use proptest::prelude::*;
use zkml_core::chunk::{
    self, chunk_salt, chunked_data_commitment, encode_aggregate_input, encode_chunk_input, evaluate_chunk_words, ChunkClaim,
};
use zkml_core::*;

type H = SoftwareSha256;

/// Ridge over 2 features, every column at 2^8: y ≈ 3 + 2·x0 − x1 at 2^8.
fn ridge() -> FixedModel {
    FixedModel {
        schema: [0; 32],
        trees: None,
        layers: Vec::new(),
        kind: ModelKind::Ridge,
        degree: 1,
        column_frac_bits: vec![8; 3],
        weight_frac_bits: 16,
        means: vec![],
        inv_stds: vec![],
        z_shifts: vec![],
        bias: 3 << 16,
        weights: vec![2 << 8, -(1 << 8)],
    }
}

fn rows(n: usize, seed: u64) -> Vec<i32> {
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 33) as i32 % 20_000) - 10_000
    };
    (0..n * 3).map(|_| next()).collect()
}

const SALT: [u8; 32] = [9; 32];

/// The chunk claims of `rows` cut into chunks of `chunk_rows`, as chunk guests make them.
fn chunk_claims(m: &FixedModel, rows: &[i32], chunk_rows: usize) -> Vec<ChunkClaim> {
    let mw = encode_model(m).unwrap();
    let chunks: Vec<&[i32]> = rows.chunks(3 * chunk_rows).collect();
    let k = chunks.len() as u32;
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let dw = encode_test_set(&m.column_frac_bits, c, &chunk_salt::<H>(&SALT, i as u32)).unwrap();
            let words = encode_chunk_input(i as u32, k, &encode_guest_input(&mw, &dw));
            let claim = evaluate_chunk_words::<H>(&words).unwrap();
            assert_eq!(ChunkClaim::decode(&chunk::guest_chunk_claim::<H>(&words)).unwrap(), claim);
            claim
        })
        .collect()
}

fn whole(m: &FixedModel, rows: &[i32]) -> Claim {
    let mw = encode_model(m).unwrap();
    let dw = encode_test_set(&m.column_frac_bits, rows, &SALT).unwrap();
    evaluate_words::<H>(&encode_guest_input(&mw, &dw)).unwrap()
}

#[test]
fn chunks_aggregate_to_the_whole_test_sets_metrics_with_a_commitment_over_the_chunks() {
    let m = ridge();
    let rows = rows(1_000, 1);
    let whole = whole(&m, &rows);
    let claims = chunk_claims(&m, &rows, 300);
    assert_eq!(claims.len(), 4);
    assert_eq!(claims.iter().map(|c| c.n_rows).collect::<Vec<_>>(), [300, 300, 300, 100]);
    let agg = aggregate::<H>(&claims).unwrap();
    assert_eq!(
        (agg.n_rows, agg.sse, agg.sst, agg.mse, agg.r2, agg.model_hash, agg.model_kind, agg.frac_bits),
        (whole.n_rows, whole.sse, whole.sst, whole.mse, whole.r2, whole.model_hash, whole.model_kind, whole.frac_bits)
    );
    // The data commitment: over the chunks' commitments, in order, each chunk under its own salt.
    let commitments: Vec<[u8; 32]> = claims.iter().map(|c| c.chunk_commitment).collect();
    assert_eq!(agg.data_commitment, chunked_data_commitment::<H>(&commitments));
    assert_ne!(agg.data_commitment, whole.data_commitment);
    let first = encode_test_set(&m.column_frac_bits, &rows[..900], &chunk_salt::<H>(&SALT, 0)).unwrap();
    assert_eq!(claims[0].chunk_commitment, commit::data_commitment::<H>(&first));
    assert_ne!(chunk_salt::<H>(&SALT, 0), chunk_salt::<H>(&SALT, 1));
    // One chunk is the whole test set, under the derived salt.
    let one = aggregate::<H>(&chunk_claims(&m, &rows, 1_000)).unwrap();
    assert_eq!((one.sse, one.sst, one.r2), (whole.sse, whole.sst, whole.r2));
}

#[test]
fn a_chunk_missing_repeated_out_of_order_or_of_another_model_is_refused() {
    let m = ridge();
    let rows = rows(400, 2);
    let claims = chunk_claims(&m, &rows, 100);
    let err = |c: &[ChunkClaim]| aggregate::<H>(c).unwrap_err();
    assert_eq!(err(&claims[..3]), CoreError::ChunkCount { expected: 4, found: 3 });
    assert_eq!(err(&[]), CoreError::EmptyTestSet);
    let repeated = [claims[0], claims[1], claims[1], claims[3]];
    assert_eq!(err(&repeated), CoreError::ChunkOrder { position: 2, index: 1, count: 4 });
    let swapped = [claims[0], claims[2], claims[1], claims[3]];
    assert_eq!(err(&swapped), CoreError::ChunkOrder { position: 1, index: 2, count: 4 });
    // A chunk from the same rows cut into another number of chunks.
    let other_cut = chunk_claims(&m, &rows, 200);
    let mixed = [claims[0], claims[1], other_cut[1], claims[3]];
    assert_eq!(err(&mixed), CoreError::ChunkOrder { position: 2, index: 1, count: 2 });
    let mut other = m.clone();
    other.bias += 1;
    let theirs = chunk_claims(&other, &rows, 100);
    let mixed = [claims[0], claims[1], theirs[2], claims[3]];
    assert_eq!(err(&mixed), CoreError::ChunkMismatch { index: 2, field: "model hash" });
    assert!(err(&mixed).to_string().contains("another model"));
}

#[test]
fn chunk_claims_and_inputs_reject_what_is_not_one_canonical_encoding() {
    let m = ridge();
    let claims = chunk_claims(&m, &rows(50, 3), 20);
    let bytes = claims[1].encode();
    assert_eq!(ChunkClaim::decode(&bytes).unwrap(), claims[1]);
    assert!(matches!(ChunkClaim::decode(&bytes[1..]), Err(CoreError::Truncated { .. })));
    assert!(matches!(ChunkClaim::decode(&[&bytes[..], &[0]].concat()), Err(CoreError::TrailingBytes { .. })));
    let mut bad = bytes;
    bad[0] ^= 1;
    assert_eq!(ChunkClaim::decode(&bad), Err(CoreError::BadMagic { section: Section::ChunkClaim }));
    // An ordinary claim is not a chunk claim.
    assert!(ChunkClaim::decode(&whole(&m, &rows(50, 3)).encode()).is_err());
    // Index past the count.
    let mut bad = bytes;
    bad[8 + 5 * 4..8 + 6 * 4].copy_from_slice(&3u32.to_le_bytes());
    assert!(matches!(ChunkClaim::decode(&bad), Err(CoreError::Unsupported { field: "chunk index/count", .. })));
    let mw = encode_model(&m).unwrap();
    let dw = encode_test_set(&m.column_frac_bits, &rows(5, 4), &SALT).unwrap();
    let input = encode_guest_input(&mw, &dw);
    assert_eq!(evaluate_chunk_words::<H>(&input).unwrap_err(), CoreError::BadMagic { section: Section::ChunkInput });
    for (i, k) in [(0, 0), (2, 2), (0, chunk::MAX_CHUNKS + 1)] {
        assert!(matches!(evaluate_chunk_words::<H>(&encode_chunk_input(i, k, &input)), Err(CoreError::Unsupported { .. })), "{i}/{k}");
    }
}

#[test]
fn the_aggregation_input_is_the_words_the_aggregation_guests_parse() {
    // The guests read: 2 words of magic, 8 of the chunk program, the count K, then K claims of
    // CHUNK_CLAIM_LEN / 4 words, each the bytes its chunk proof committed.
    let claims = chunk_claims(&ridge(), &rows(250, 5), 100);
    let program = [1, 2, 3, 4, 5, 6, 7, 0xdead_beef];
    let words = encode_aggregate_input(&program, &claims);
    let per = chunk::CHUNK_CLAIM_LEN / 4;
    assert_eq!(words.len(), 11 + 3 * per);
    assert_eq!(zkml_core::words_as_bytes(&words[..2]), b"ZKMLAGI1");
    assert_eq!(words[2..10], program);
    assert_eq!(words[10], 3);
    for (i, c) in claims.iter().enumerate() {
        let committed = zkml_core::words_as_bytes(&words[11 + i * per..11 + (i + 1) * per]);
        assert_eq!(committed, c.encode(), "claim {i} as its chunk proof committed it");
        assert_eq!(ChunkClaim::decode(committed).unwrap(), *c);
    }
    assert_eq!(encode_aggregate_input(&program, &[]).len(), 11, "no claim: the header alone");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Any cut of any test set aggregates to the whole set's exact metrics.
    #[test]
    fn any_cut_gives_the_whole_sets_metrics(n in 2usize..300, chunk_rows in 1usize..120, seed in any::<u64>()) {
        let m = ridge();
        let rows = rows(n, seed);
        let whole = whole(&m, &rows);
        let agg = aggregate::<H>(&chunk_claims(&m, &rows, chunk_rows));
        match agg {
            Ok(agg) => prop_assert_eq!((agg.n_rows, agg.sse, agg.sst, agg.mse, agg.r2), (whole.n_rows, whole.sse, whole.sst, whole.mse, whole.r2)),
            Err(e) => prop_assert!(false, "{}", e),
        }
    }
}

//! The RISC Zero guest: read the zkml-core guest input as raw words, evaluate every private
//! test row with zkml-core, commit only the 152-byte claim to the journal.

#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use risc0_zkvm::guest::env;
use risc0_zkvm::sha::Sha256 as _;
use zkml_core::{guest_claim, Sha256};

/// RISC Zero's SHA-256 accelerator ("precompiles on"): `risc0_zkvm::sha::Impl` inside the
/// zkVM runs the compression function as one accelerated operation per block.
pub struct Risc0Sha256;

impl Sha256 for Risc0Sha256 {
    fn digest(data: &[u8]) -> [u8; 32] {
        let digest = risc0_zkvm::sha::Impl::hash_bytes(data);
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_bytes());
        out
    }
}

/// Reads the canonical input: its length in words, then the words themselves, straight into
/// an aligned buffer (no serde, no per-value decoding).
pub fn read_input() -> Vec<u32> {
    let mut len = [0u32; 1];
    env::read_slice(&mut len);
    let mut words = vec![0u32; len[0] as usize];
    env::read_slice(&mut words);
    words
}

/// Reads the input, evaluates, commits the claim. Panics (and so makes the proof fail) on any
/// input the format rejects: the host checks the same input natively first.
pub fn run<H: Sha256>() {
    env::commit_slice(&guest_claim::<H>(&read_input()));
}

/// A chunk of a larger test set (issue #36): evaluates the chunk's rows, commits only its
/// chunk claim (partial sums and the chunk's commitment).
pub fn run_chunk() {
    env::commit_slice(&zkml_core::chunk::guest_chunk_claim::<Risc0Sha256>(&read_input()));
}

/// The aggregation guest's input: `"ZKMLAGI1"`, the chunk guest's image id (8 words), the
/// chunk count `K`, then `K` chunk claims of `CHUNK_CLAIM_LEN / 4` words each, in order.
pub use zkml_core::chunk::AGGREGATE_INPUT_MAGIC;

/// Verifies `K` chunk receipts by composition (`env::verify`: each chunk claim must be the
/// journal of a receipt of the chunk guest; the prover supplies those receipts as assumptions,
/// resolved by the succinct prover), checks them with `zkml_core::aggregate`, and commits the
/// ordinary claim followed by the chunk guest's image id (the verifier checks that id against
/// its own chunk guest: the image id cannot be compiled in, our guests are built without
/// risc0-build).
pub fn run_aggregate() {
    use zkml_core::chunk::{ChunkClaim, CHUNK_CLAIM_LEN};
    let words = read_input();
    assert!(words.len() >= 11, "zkml aggregate guest: input too short");
    assert!(zkml_core::words_as_bytes(&words[..2]) == AGGREGATE_INPUT_MAGIC, "zkml aggregate guest: bad magic");
    let mut image_id = [0u32; 8];
    image_id.copy_from_slice(&words[2..10]);
    let k = words[10] as usize;
    let per = CHUNK_CLAIM_LEN / 4;
    let body = &words[11..];
    assert!(body.len() == k * per, "zkml aggregate guest: {k} chunk claims expected");
    let mut claims = Vec::with_capacity(k);
    for journal in body.chunks_exact(per) {
        let bytes = zkml_core::words_as_bytes(journal);
        env::verify(risc0_zkvm::sha::Digest::from(image_id), bytes).expect("infallible");
        claims.push(ChunkClaim::decode(bytes).unwrap_or_else(|e| panic!("zkml aggregate guest: {e}")));
    }
    let claim = zkml_core::aggregate::<Risc0Sha256>(&claims).unwrap_or_else(|e| panic!("zkml aggregate guest: {e}"));
    env::commit_slice(&claim.encode());
    env::commit_slice(zkml_core::words_as_bytes(&image_id));
}

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

/// Verifies `K` chunk receipts by composition (`env::verify`: each chunk claim of the input
/// ([`zkml_core::chunk::AggregateInput`], the chunk program being the chunk guest's image id)
/// must be the journal of a receipt of the chunk guest; the prover supplies those receipts as
/// assumptions, resolved by the succinct prover), checks them with `zkml_core::aggregate`, and
/// commits the ordinary claim followed by the chunk guest's image id (the verifier checks that
/// id against its own chunk guest: the image id cannot be compiled in, our guests are built
/// without risc0-build).
pub fn run_aggregate() {
    let words = read_input();
    let input = zkml_core::chunk::AggregateInput::decode(&words).unwrap_or_else(|e| panic!("zkml aggregate guest: {e}"));
    let image_id = risc0_zkvm::sha::Digest::from(input.chunk_program);
    for journal in input.committed() {
        env::verify(image_id, journal).expect("infallible");
    }
    let claim = zkml_core::aggregate::<Risc0Sha256>(&input.claims).unwrap_or_else(|e| panic!("zkml aggregate guest: {e}"));
    env::commit_slice(&claim.encode());
    env::commit_slice(zkml_core::words_as_bytes(&input.chunk_program));
}

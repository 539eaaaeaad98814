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

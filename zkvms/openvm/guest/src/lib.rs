//! The OpenVM guest: read the zkml-core guest input, evaluate every private test row with
//! zkml-core, reveal only the 152-byte claim as public values.

#![no_std]

extern crate alloc;

use zkml_core::{guest_claim, Sha256};

/// OpenVM's SHA-256 extension ("precompiles on").
pub struct OpenVmSha256;

impl Sha256 for OpenVmSha256 {
    fn digest(data: &[u8]) -> [u8; 32] {
        openvm_sha2::Sha256::digest(data)
    }
}

/// Reads the input, evaluates, reveals the claim. Panics (and so makes the proof fail) on
/// any input the format rejects: the host checks the same input natively first.
pub fn run<H: Sha256>() {
    // One hint stream: the canonical input bytes, viewed as words in place.
    let bytes = openvm::io::read_vec();
    let words = zkml_core::aligned_words(&bytes).expect("input length is a multiple of 4");
    for (i, chunk) in guest_claim::<H>(&words).chunks_exact(4).enumerate() {
        openvm::io::reveal_u32(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]), i);
    }
}

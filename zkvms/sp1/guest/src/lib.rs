//! The SP1 guest: read the zkml-core guest input (one byte buffer, viewed as words in place),
//! evaluate every private test row with zkml-core, commit only the 152-byte claim.

#![no_std]

extern crate alloc;

use zkml_core::{guest_claim, Sha256};

/// SHA-256 through SP1's precompiles ("precompiles on"): per 64-byte block, one
/// `sha256_extend` and one `sha256_compress` syscall. SP1 6 is RV64: the syscalls take 64-bit
/// slots, each holding one 32-bit SHA-256 word in its low half.
pub struct Sp1Sha256;

const H0: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

fn compress(state: &mut [u64; 8], block: &[u8]) {
    let mut w = [0u64; 64];
    for (slot, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        *slot = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as u64;
    }
    sp1_zkvm::syscalls::syscall_sha256_extend(&mut w);
    sp1_zkvm::syscalls::syscall_sha256_compress(&mut w, state);
}

impl Sha256 for Sp1Sha256 {
    fn digest(data: &[u8]) -> [u8; 32] {
        let mut state = H0.map(|h| h as u64);
        let mut blocks = data.chunks_exact(64);
        for block in &mut blocks {
            compress(&mut state, block);
        }
        // Padding: 0x80, zeros, the message length in bits (big-endian), in one or two blocks.
        let rest = blocks.remainder();
        let mut tail = [0u8; 128];
        tail[..rest.len()].copy_from_slice(rest);
        tail[rest.len()] = 0x80;
        let tail_len = if rest.len() < 56 { 64 } else { 128 };
        tail[tail_len - 8..tail_len].copy_from_slice(&((data.len() as u64) * 8).to_be_bytes());
        for block in tail[..tail_len].chunks_exact(64) {
            compress(&mut state, block);
        }
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
            chunk.copy_from_slice(&(word as u32).to_be_bytes());
        }
        out
    }
}

/// Reads the input, evaluates, commits the claim. Panics (and so makes the proof fail) on any
/// input the format rejects: the host checks the same input natively first.
pub fn run<H: Sha256>() {
    // One input buffer: the canonical input bytes, viewed as words in place.
    let bytes = sp1_zkvm::io::read_vec();
    let words = zkml_core::aligned_words(&bytes).expect("input length is a multiple of 4");
    sp1_zkvm::io::commit_slice(&guest_claim::<H>(&words));
}

/// A chunk of a larger test set (issue #36): evaluates the chunk's rows, commits only its
/// chunk claim (partial sums and the chunk's commitment).
pub fn run_chunk() {
    let bytes = sp1_zkvm::io::read_vec();
    let words = zkml_core::aligned_words(&bytes).expect("input length is a multiple of 4");
    sp1_zkvm::io::commit_slice(&zkml_core::chunk::guest_chunk_claim::<Sp1Sha256>(&words));
}

/// The aggregation guest's input: `"ZKMLAGI1"`, the chunk guest's verifying-key digest (8
/// words, `HashableKey::hash_u32`), the chunk count `K`, then `K` chunk claims of
/// `CHUNK_CLAIM_LEN / 4` words each, in order (`zkml_core::chunk::encode_aggregate_input`).
pub use zkml_core::chunk::AGGREGATE_INPUT_MAGIC;

/// Verifies `K` compressed chunk proofs inside this proof (`verify_sp1_proof`: the next proof
/// the host supplied must be a proof of the program with that key digest whose public values
/// hash to the chunk claim's SHA-256; the prover checks each in its recursion), checks them
/// with `zkml_core::aggregate`, and commits the ordinary claim followed by the key digest (the
/// verifier checks it against its own chunk guest's key).
#[cfg(feature = "aggregate")]
pub fn run_aggregate() {
    use zkml_core::chunk::{ChunkClaim, CHUNK_CLAIM_LEN};
    let bytes = sp1_zkvm::io::read_vec();
    let words = zkml_core::aligned_words(&bytes).expect("input length is a multiple of 4");
    assert!(words.len() >= 11, "zkml aggregate guest: input too short");
    assert!(zkml_core::words_as_bytes(&words[..2]) == AGGREGATE_INPUT_MAGIC, "zkml aggregate guest: bad magic");
    let mut vk_digest = [0u32; 8];
    vk_digest.copy_from_slice(&words[2..10]);
    let k = words[10] as usize;
    let per = CHUNK_CLAIM_LEN / 4;
    let body = &words[11..];
    assert!(body.len() == k * per, "zkml aggregate guest: {k} chunk claims expected");
    let mut claims = alloc::vec::Vec::with_capacity(k);
    for public_values in body.chunks_exact(per) {
        let bytes = zkml_core::words_as_bytes(public_values);
        sp1_zkvm::lib::verify::verify_sp1_proof(&vk_digest, &Sp1Sha256::digest(bytes));
        claims.push(ChunkClaim::decode(bytes).unwrap_or_else(|e| panic!("zkml aggregate guest: {e}")));
    }
    let claim = zkml_core::aggregate::<Sp1Sha256>(&claims).unwrap_or_else(|e| panic!("zkml aggregate guest: {e}"));
    sp1_zkvm::io::commit_slice(&claim.encode());
    sp1_zkvm::io::commit_slice(zkml_core::words_as_bytes(&vk_digest));
}

//! Cycle profile of the guest's work, phase by phase, for the cycles-per-row breakdown.
//! Writes cycle counts (u64 words) to the guest's stdout, never to the journal; it is not a
//! prover guest and its runs are never reported as proofs.
//!
//! Phases: reading the input words; decoding and validating the format; the model hash and
//! test-set commitment with the accelerator and with software SHA-256; the evaluation itself
//! (prediction and metrics, with hashing replaced by a constant).
#![no_std]
#![no_main]

use risc0_zkvm::guest::env;
use zkml_core::{evaluate, GuestInput, Sha256, SoftwareSha256};

risc0_zkvm::guest::entry!(main);

/// Stands in for SHA-256 so that `evaluate` measures prediction and metrics alone.
struct NoHash;

impl Sha256 for NoHash {
    fn digest(_: &[u8]) -> [u8; 32] {
        [0; 32]
    }
}

fn main() {
    let c0 = env::cycle_count();
    let words = zkml_risc0_guest::read_input();
    let c1 = env::cycle_count();
    let input = GuestInput::decode(&words).expect("valid input");
    let c2 = env::cycle_count();
    let a = zkml_risc0_guest::Risc0Sha256::digest(zkml_core::words_as_bytes(input.model_words));
    let b = zkml_risc0_guest::Risc0Sha256::digest(zkml_core::words_as_bytes(input.test_set_words));
    let c3 = env::cycle_count();
    let a2 = SoftwareSha256::digest(zkml_core::words_as_bytes(input.model_words));
    let b2 = SoftwareSha256::digest(zkml_core::words_as_bytes(input.test_set_words));
    let c4 = env::cycle_count();
    assert!(a == a2 && b == b2, "accelerated and software SHA-256 disagree");
    let claim = evaluate::<NoHash>(&input).expect("evaluates");
    let c5 = env::cycle_count();
    core::hint::black_box(claim);
    env::write_slice(&[input.test_set.n_rows as u64, c1 - c0, c2 - c1, c3 - c2, c4 - c3, c5 - c4]);
}

//! # zkml-core
//!
//! The one truth shared by the host and every zkVM guest: fixed-point numbers, polynomial
//! feature expansion, prediction, exact metrics (SSE, SST, MSE, R²), the [`Claim`], the
//! guest-input wire format (decoded in place, no serde) and SHA-256 commitments.
//!
//! `no_std` + `alloc`, dependencies: `sha2` (optional) and `bytemuck`. It builds for
//! `riscv32im-unknown-none-elf` and `riscv64im-unknown-none-elf`.
//!
//! ## Overflow bounds of the format
//! | quantity | bound |
//! |---|---|
//! | fractional bits | 16 (`1/65536` resolution) |
//! | feature, target, mean, weight, prediction | `|v| <= 2^31` real (`2^47` fixed) |
//! | standardised feature | `|z| <= 2^15` standard deviations |
//! | smallest training standard deviation | `2^-22` (`1/std` fixed at 40 bits) |
//! | features | 32; degree <= 3 |
//! | test rows | `2^31` |
//! Values beyond them are rejected with a [`CoreError`] naming the row and column; nothing
//! wraps silently.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod claim;
pub mod commit;
pub mod error;
pub mod eval;
pub mod fixed;
pub mod model;
pub mod wire;

pub use claim::{Claim, CLAIM_LEN, CLAIM_VERSION};
pub use commit::Sha256;
#[cfg(feature = "software-sha256")]
pub use commit::SoftwareSha256;
pub use error::{CoreError, Section};
pub use eval::{evaluate, evaluate_words, guest_claim, Metrics};
pub use model::{expand, n_terms, FixedModel, ModelKind, ModelView, Scratch, MAX_DEGREE, MAX_FEATURES};
pub use wire::{
    aligned_words, decode_model, decode_test_set, encode_guest_input, encode_model, encode_test_set, words_as_bytes, words_from_bytes,
    GuestInput, MAX_ROWS,
};

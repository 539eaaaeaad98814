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
//! | feature, target (each column at its own power-of-two scale) | `i32` |
//! | mean, `1/std` (at a per-feature shift), weight (at the target's scale) | `i32` |
//! | standardised feature `z` (at 2^16) | `|z| < 2^10` standard deviations |
//! | prediction and each Horner partial sum (target's scale) | `i32` |
//! | features | 32; degree <= 3 |
//! | trees (gbdt) | `2^12` trees of depth <= 10; leaves `i32`, bias `2^60` at the accumulator |
//! | MLP | <= 8 layers of <= 1024 units; weights `2^24`, biases `2^60`; activations `< 2^10` (real) |
//! | test rows | `2^31` |
//! Every `i32` test value is within bounds; a standardised feature or a prediction beyond
//! them is a [`CoreError`] naming the row (and feature); nothing wraps silently.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod chunk;
pub mod claim;
pub mod commit;
pub mod error;
pub mod eval;
pub mod fixed;
pub mod mlp;
pub mod model;
pub mod trees;
pub mod wire;

pub use chunk::{aggregate, ChunkClaim, CHUNK_CLAIM_LEN};
pub use claim::{Claim, CLAIM_LEN, CLAIM_VERSION};
pub use commit::Sha256;
#[cfg(feature = "software-sha256")]
pub use commit::SoftwareSha256;
pub use error::{CoreError, Section};
pub use eval::{accumulate, evaluate, evaluate_words, guest_claim, Metrics};
pub use mlp::{FixedLayer, MlpView};
pub use model::{expand, n_terms, FixedModel, ModelKind, ModelView, MAX_DEGREE, MAX_FEATURES};
pub use trees::{FixedTrees, TreesView};
pub use wire::{
    aligned_words, decode_model, decode_test_set, encode_guest_input, encode_model, encode_test_set, words_as_bytes, words_from_bytes,
    GuestInput, MAX_ROWS,
};

//! # zkml-protocol
//!
//! The contract between the harness and every zkVM backend. A backend is a binary (its own
//! process, its own cargo workspace) that implements [`Backend`] and calls [`run_cli`]:
//!
//! ```text
//! zkml-<vm> info                                            -> BackendInfo JSON
//! zkml-<vm> execute --input in.bin [--precompiles on|off]   -> ExecuteReport JSON
//! zkml-<vm> prove   --input in.bin --out proof.zkp [--mode M] [--precompiles on|off]
//!                                                           -> ProveReport JSON
//! zkml-<vm> verify  --proof proof.zkp                       -> VerifyReport JSON
//! ```
//! JSON goes to stdout (one object), human logs to stderr. Exit status: 0 success, 1 error
//! (`{"error": ...}` on stdout), 2 the proof did not verify. `in.bin` is the canonical
//! zkml-core guest input; `proof.zkp` is a [`ProofFile`].

pub mod backend;
pub mod files;
pub mod host;
pub mod memory_guard;
pub mod own_quantisation;
pub mod proof_file;
pub mod reports;

pub use backend::{run_cli, run_cli_from, Backend, ChunkProveOutput, ProveOutput};
pub use host::{Checked, Guests, Rejected, Role};
pub use own_quantisation::{Agreement, NormalisedModel, OwnQuantisation};
pub use proof_file::{ChunkProofFile, ProofFile, ProofFileError, ProofHeader};
pub use reports::*;

/// Version of this protocol; backends report it in `info` and the harness checks it.
pub const PROTOCOL_VERSION: u32 = 1;

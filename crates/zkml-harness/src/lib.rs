//! # zkml-harness
//!
//! Runs backends for the CLI (and, later, the benchmark):
//! - [`registry`]: which zkVMs exist, which can run here, and why not;
//! - [`process`]: the protocol client that drives a backend binary as a child process;
//! - [`workflow`]: prove and verify as a user runs them (model + private test CSV in, proof
//!   file out; proof file in, checked claim out).

pub mod bench;
pub mod hostinfo;
pub mod measure;
pub mod plots;
pub mod process;
pub mod registry;
pub mod report;
pub mod results;
pub mod workflow;

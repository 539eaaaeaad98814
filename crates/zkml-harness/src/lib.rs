//! # zkml-harness
//!
//! Runs backends for the CLI and the benchmark:
//! - [`registry`]: which zkVMs exist, which can run here, and why not;
//! - [`process`]: the protocol client that drives a backend binary as a child process;
//! - [`workflow`]: prove and verify as a user runs them (model + private test CSV in, proof
//!   file out; proof file in, checked claim out);
//! - [`workload`]: the sweep's data (synthetic, or the user's transactions or features),
//!   models and guest inputs; [`bench`]: the plan and the measured runs
//!   ([`estimate`]: how long they will take, from earlier records); [`measure`]: one
//!   measured child process; [`probe`]: how fast the machine is in each sitting; [`results`]: the run records; [`report`] and [`plots`]: the report, with
//!   [`verdict`] (who wins), [`versus`] (EZKL beside the zkVMs) [`scaling`] (how cost grows with the test set) and [`intensity`] (how
//!   it grows with the work per row).

pub mod bench;
pub mod cycles;
pub mod estimate;
pub mod hostinfo;
pub mod intensity;
pub mod measure;
pub mod plots;
pub mod probe;
pub mod process;
pub mod registry;
pub mod report;
pub mod results;
pub mod scaling;
pub mod verdict;
pub mod versus;
pub mod workflow;
pub mod workload;

//! The runner: everything that starts processes and measures them.
//! - [`registry`]: which zkVMs exist, which can run here, and why not; builds their hosts;
//! - [`driver`]: the one interface a sweep drives a backend through (a mock in tests);
//! - [`process`]: the protocol client that drives a backend binary as a child process;
//! - [`measure`]: one measured child process (wall time, peak memory, limits, Ctrl-C);
//! - [`workflow`]: prove and verify as a user runs them (model + private test CSV in, proof
//!   file out; proof file in, checked claim out);
//! - [`config`]: what a sweep runs; [`workload`]: its data, models and guest inputs;
//! - [`bench`]: the plan and the measured runs, appended to the records as they land;
//!   [`estimate`]: how long a plan will take, from earlier records; [`probe`]: how fast the
//!   machine is in each sitting; [`cycles`]: the guests' cycle profile (execution only).

pub mod bench;
pub mod chunked;
pub mod config;
pub mod cycles;
pub mod driver;
pub mod estimate;
pub mod measure;
pub mod probe;
pub mod process;
pub mod registry;
pub mod workflow;
pub mod workload;

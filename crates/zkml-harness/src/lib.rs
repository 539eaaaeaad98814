//! # zkml-harness
//!
//! Runs backends for the CLI and the benchmark, and turns what they recorded into a report.
//! Two rooms over a shared floor; imports point down or sideways within a room, never up and
//! never from one room into the other:
//! - [`records`]: the contract at the bottom — the run records of `runs.jsonl` and
//!   `backends.json` ([`records::host`] the machine, [`records::sitting`] the sitting), and
//!   [`records::data`] loading and grouping them; with [`stats`] (medians, lines, crossings)
//!   and [`budget`] (the hand-counted cycle budget of each model);
//! - [`run`]: the runner — registry, processes, measuring, workflow, workload, sweep
//!   plan/resume, estimate, speed probe, cycle profile;
//! - [`report`]: the report — records in, markdown and plots out, with its sections
//!   [`report::verdict`] (who wins), [`report::versus`] (EZKL beside the zkVMs),
//!   [`report::scaling`] (how cost grows with the test set) and [`report::intensity`] (how it
//!   grows with the work per row).

pub mod budget;
pub mod catalogue;
pub mod records;
pub mod report;
pub mod run;
pub mod stats;

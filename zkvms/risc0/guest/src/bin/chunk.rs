//! One chunk of a test set too large for one proof (issue #36): commits the chunk claim.
#![no_std]
#![no_main]

risc0_zkvm::guest::entry!(main);

fn main() {
    zkml_risc0_guest::run_chunk();
}

//! Combines the chunk claims of verified chunk receipts into the ordinary claim (issue #36).
#![no_std]
#![no_main]

risc0_zkvm::guest::entry!(main);

fn main() {
    zkml_risc0_guest::run_aggregate();
}

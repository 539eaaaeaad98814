//! Combines the chunk claims of verified chunk proofs into the ordinary claim (issue #36).
#![no_main]

sp1_zkvm::entrypoint!(main);

fn main() {
    zkml_sp1_guest::run_aggregate();
}

//! One chunk of a test set too large for one proof (issue #36): commits the chunk claim.
#![no_main]

sp1_zkvm::entrypoint!(main);

fn main() {
    zkml_sp1_guest::run_chunk();
}

#![no_std]
#![no_main]

risc0_zkvm::guest::entry!(main);

fn main() {
    zkml_risc0_guest::run::<zkml_risc0_guest::Risc0Sha256>();
}

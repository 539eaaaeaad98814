#![no_main]

sp1_zkvm::entrypoint!(main);

fn main() {
    zkml_sp1_guest::run::<zkml_sp1_guest::Sp1Sha256>();
}

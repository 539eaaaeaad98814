#![no_std]
#![no_main]

openvm::entry!(main);

fn main() {
    zkml_openvm_guest::run::<zkml_core::SoftwareSha256>();
}

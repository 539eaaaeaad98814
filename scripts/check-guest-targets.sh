#!/usr/bin/env bash
# zkml-core is compiled into every zkVM guest: check that it builds, without std, for both
# RISC-V flavours the zkVMs use.
#   riscv32im-unknown-none-elf  (RISC Zero, OpenVM): prebuilt core/alloc from rustup
#   riscv64im-unknown-none-elf  (SP1): tier 3, core/alloc built from rust-src (-Zbuild-std)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== zkml-core for riscv32im-unknown-none-elf"
cargo build --release -p zkml-core --target riscv32im-unknown-none-elf
echo "== zkml-core for riscv64im-unknown-none-elf (build-std)"
RUSTC_BOOTSTRAP=1 cargo build --release -p zkml-core --target riscv64im-unknown-none-elf -Zbuild-std=core,alloc
echo "== zkml-core without the software SHA-256 (guests that bring their own accelerator)"
cargo build --release -p zkml-core --no-default-features --target riscv32im-unknown-none-elf
echo "guest targets OK"

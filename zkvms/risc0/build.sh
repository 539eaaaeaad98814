#!/usr/bin/env bash
# Builds the RISC Zero guest (both precompile variants and the cycle profiler) and host into
# the shared cache (${ZKML_CACHE:-$HOME/.cache/zkml-bench}), outside the clone, so every
# checkout and CI on this machine reuse them. Up to date: a few seconds. Prints the host
# binary's path last.
#
# risc0-zkvm 3.1.0-rc.1: its recursion circuit comes from crates.io crates, so the host build
# downloads nothing (3.0.6's build script fetched recursion_zkr.zip; see README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"

build_guest risc0 riscv32im-risc0-zkvm-elf alloc,core,proc_macro,panic_abort,std -- "${RV32_GUEST_FLAGS[@]}"
echo "== risc0 host (release; C++ prover kernels at the opt-levels in host/Cargo.toml)" >&2
build_host risc0 ZKML_RISC0_GUEST_DIR="$elf_dir"
install_backend risc0 "$elf_dir/zkml-risc0-precompiles-on" "$elf_dir/zkml-risc0-precompiles-off" "$elf_dir/zkml-risc0-profile" "$elf_dir/zkml-risc0-chunk" "$elf_dir/zkml-risc0-aggregate"

#!/usr/bin/env bash
# Builds the OpenVM guest (both precompile variants) and host into the shared cache
# (${ZKML_CACHE:-$HOME/.cache/zkml-bench}), outside the clone, so every checkout and CI on
# this machine reuse them. Up to date: a few seconds. Prints the host binary's path last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"

build_guest openvm riscv32im-risc0-zkvm-elf alloc,core,proc_macro,panic_abort,std -- "${RV32_GUEST_FLAGS[@]}"
echo "== openvm host (release)" >&2
build_host openvm ZKML_OPENVM_GUEST_DIR="$elf_dir"
install_backend openvm "$elf_dir/zkml-openvm-precompiles-on" "$elf_dir/zkml-openvm-precompiles-off"

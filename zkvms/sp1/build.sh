#!/usr/bin/env bash
# Builds the SP1 guest (both precompile variants) and host into the shared cache
# (${ZKML_CACHE:-$HOME/.cache/zkml-bench}), outside the clone, so every checkout and CI on this
# machine reuse them. Up to date: a few seconds. Prints the host binary's path last.
#
# Guest: the RV64IM target spec kept in guest/riscv64im-succinct-zkvm-elf.json and the rustflags
# SP1's own build uses. Host: needs protoc (scripts/setup.sh installs it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"

flags=(-C passes=lower-atomic -C link-arg=--image-base=2013265920 -C panic=abort --cfg 'getrandom_backend="custom"'
  -C llvm-args=-misched-prera-direction=bottomup -C llvm-args=-misched-postra-direction=bottomup)
build_guest sp1 riscv64im-succinct-zkvm-elf.json std,panic_abort -- "${flags[@]}"
# The aggregation guest (issue #36) on its own: SP1's `verify` feature, which it needs, changes
# the runtime of every program built with it, so the others are built without it above.
GUEST_CARGO_ARGS=(--features aggregate --bin zkml-sp1-aggregate)
build_guest sp1 riscv64im-succinct-zkvm-elf.json std,panic_abort -- "${flags[@]}"
unset GUEST_CARGO_ARGS
echo "== sp1 host (release)" >&2
build_host sp1 ZKML_SP1_GUEST_DIR="$elf_dir"
install_backend sp1 "$elf_dir/zkml-sp1-precompiles-on" "$elf_dir/zkml-sp1-precompiles-off" "$elf_dir/zkml-sp1-chunk" \
  "$elf_dir/zkml-sp1-aggregate"

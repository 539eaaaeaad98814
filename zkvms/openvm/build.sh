#!/usr/bin/env bash
# Builds the OpenVM guest (both precompile variants) and host into the shared cache
# (${ZKML_CACHE:-$HOME/.cache/zkml-bench}), outside the clone, so every checkout and CI on
# this machine reuse them. Up to date: a few seconds. Prints the host binary's path last.
#
# Guest recipe (no rzup/openvm toolchain download): the pinned stable toolchain with rust-src,
# RUSTC_BOOTSTRAP=1, build-std, and the rustflags openvm-build itself uses.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ZKML_CACHE:-$HOME/.cache/zkml-bench}"
toolchain="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$here/../../rust-toolchain.toml")"

echo "== openvm guest (riscv32im-risc0-zkvm-elf, toolchain $toolchain + build-std)" >&2
rustup component add rust-src --toolchain "$toolchain" >&2 2>/dev/null || true
flags=(-C passes=lower-atomic -C link-arg=-Ttext=0x00200800 -C link-arg=--fatal-warnings -C panic=abort --cfg 'getrandom_backend="custom"')
encoded="$(printf '%s\x1f' "${flags[@]}")"
encoded="${encoded%$'\x1f'}"
(
  cd "$here/guest"
  env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS \
    RUSTUP_TOOLCHAIN="$toolchain" RUSTC_BOOTSTRAP=1 CARGO_ENCODED_RUSTFLAGS="$encoded" \
    cargo build --release --locked --target riscv32im-risc0-zkvm-elf \
      -Zbuild-std=alloc,core,proc_macro,panic_abort,std -Zbuild-std-features=compiler-builtins-mem \
      --target-dir "$cache/target/openvm-guest" >&2
)
elf_dir="$cache/target/openvm-guest/riscv32im-risc0-zkvm-elf/release"

echo "== openvm host (release)" >&2
(
  cd "$here/host"
  ZKML_OPENVM_GUEST_DIR="$elf_dir" cargo build --release --locked --target-dir "$cache/target/openvm" >&2
)
echo "$cache/target/openvm/release/zkml-openvm"

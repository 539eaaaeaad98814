#!/usr/bin/env bash
# Builds the SP1 guest (both precompile variants) and host into the shared cache
# (${ZKML_CACHE:-$HOME/.cache/zkml-bench}), outside the clone, so every checkout and CI on this
# machine reuse them. Up to date: a few seconds. Prints the host binary's path last.
#
# Guest recipe (no sp1up, no docker): the pinned stable toolchain with rust-src,
# RUSTC_BOOTSTRAP=1, the RV64IM target spec kept in guest/riscv64im-succinct-zkvm-elf.json,
# build-std, and the rustflags SP1's own build uses. Host: needs protoc (protobuf-compiler).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ZKML_CACHE:-$HOME/.cache/zkml-bench}"
toolchain="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$here/../../rust-toolchain.toml")"

echo "== sp1 guest (riscv64im-succinct-zkvm-elf.json, toolchain $toolchain + build-std)" >&2
rustup component add rust-src --toolchain "$toolchain" >&2 2>/dev/null || true
flags=(-C passes=lower-atomic -C link-arg=--image-base=2013265920 -C panic=abort --cfg 'getrandom_backend="custom"'
  -C llvm-args=-misched-prera-direction=bottomup -C llvm-args=-misched-postra-direction=bottomup)
encoded="$(printf '%s\x1f' "${flags[@]}")"
encoded="${encoded%$'\x1f'}"
(
  cd "$here/guest"
  env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS \
    RUSTUP_TOOLCHAIN="$toolchain" RUSTC_BOOTSTRAP=1 CARGO_ENCODED_RUSTFLAGS="$encoded" \
    cargo build --release --locked --target riscv64im-succinct-zkvm-elf.json -Zjson-target-spec \
      -Zbuild-std=std,panic_abort -Zbuild-std-features=compiler-builtins-mem \
      --target-dir "$cache/target/sp1-guest" >&2
)
elf_dir="$cache/target/sp1-guest/riscv64im-succinct-zkvm-elf/release"

echo "== sp1 host (release)" >&2
if ! command -v protoc >/dev/null; then
  echo "sp1 host: protoc not found; install it (Debian: apt-get install -y protobuf-compiler)" >&2
  exit 1
fi
(
  cd "$here/host"
  ZKML_SP1_GUEST_DIR="$elf_dir" cargo build --release --locked --target-dir "$cache/target/sp1" >&2
)
echo "$cache/target/sp1/release/zkml-sp1"

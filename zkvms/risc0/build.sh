#!/usr/bin/env bash
# Builds the RISC Zero guest (both precompile variants and the cycle profiler) and host into
# the shared cache (${ZKML_CACHE:-$HOME/.cache/zkml-bench}), outside the clone, so every
# checkout and CI on this machine reuse them. Up to date: a few seconds. Prints the host
# binary's path last.
#
# Guest recipe (no rzup, no docker): the pinned stable toolchain with rust-src,
# RUSTC_BOOTSTRAP=1, build-std for rustc's built-in riscv32im-risc0-zkvm-elf target, and the
# rustflags risc0-build itself uses. Host: DOCS_RS=1 makes risc0-circuit-recursion's build
# script skip a download this machine cannot reach (see README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ZKML_CACHE:-$HOME/.cache/zkml-bench}"
toolchain="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$here/../../rust-toolchain.toml")"

echo "== risc0 guest (riscv32im-risc0-zkvm-elf, toolchain $toolchain + build-std)" >&2
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
      --target-dir "$cache/target/risc0-guest" >&2
)
elf_dir="$cache/target/risc0-guest/riscv32im-risc0-zkvm-elf/release"

echo "== risc0 host (release; C++ prover kernels at the opt-levels in host/Cargo.toml)" >&2
host_build() {
  (cd "$here/host" && DOCS_RS=1 ZKML_RISC0_GUEST_DIR="$elf_dir" cargo build --release --locked --target-dir "$cache/target/risc0" >&2)
}
# risc0-circuit-recursion's build script writes an empty recursion_zkr.zip under DOCS_RS only
# when none exists; when it reruns (e.g. a build dependency was rebuilt) it finds its own empty
# file, deletes it and tries the download, which fails here. Then: remove the empty files, and
# the rerun takes the DOCS_RS path again.
if ! host_build; then
  echo "== risc0 host: retrying after removing empty recursion_zkr.zip placeholders" >&2
  find "$cache/target/risc0/release/build" -path '*risc0-circuit-recursion-*/out/recursion_zkr.zip' -size 0 -delete
  host_build
fi
echo "$cache/target/risc0/release/zkml-risc0"

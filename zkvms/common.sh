# Shared by every zkvms/NAME/build.sh (sourced, not run): the machine set-up, the cache layout
# and the stock-Rust guest build all three zkVMs use. A build script sets `here` (its own
# directory) before sourcing this file.
#
# Guest recipe (no rzup/sp1up/openvm toolchain download): the pinned stable toolchain with
# rust-src, RUSTC_BOOTSTRAP=1, build-std, and the rustflags each SDK's own build tool uses.
set -euo pipefail
root="$(cd "$here/../.." && pwd)"
cache="${ZKML_CACHE:-$HOME/.cache/zkml-bench}"
toolchain="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$root/rust-toolchain.toml")"
"$root/scripts/setup.sh"

# build_guest NAME TARGET BUILD_STD -- RUSTFLAG...
#   Builds guest/ for TARGET (a rustc target name or a target-spec JSON file in guest/) with
#   -Zbuild-std=BUILD_STD into $cache/target/NAME-guest and sets `elf_dir` to the binaries.
build_guest() {
  local name="$1" target="$2" build_std="$3"
  shift 4
  local encoded extra=()
  encoded="$(printf '%s\x1f' "$@")"
  encoded="${encoded%$'\x1f'}"
  [[ "$target" == *.json ]] && extra=(-Zjson-target-spec)
  echo "== $name guest ($target, toolchain $toolchain + build-std)" >&2
  (
    cd "$here/guest"
    env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS \
      RUSTUP_TOOLCHAIN="$toolchain" RUSTC_BOOTSTRAP=1 CARGO_ENCODED_RUSTFLAGS="$encoded" \
      cargo build --release --locked --target "$target" "${extra[@]}" \
        -Zbuild-std="$build_std" -Zbuild-std-features=compiler-builtins-mem \
        --target-dir "$cache/target/$name-guest" >&2
  )
  elf_dir="$cache/target/$name-guest/${target%.json}/release"
}

# The rustflags of rustc's riscv32im-risc0-zkvm-elf guests (RISC Zero and OpenVM).
RV32_GUEST_FLAGS=(-C passes=lower-atomic -C link-arg=-Ttext=0x00200800 -C link-arg=--fatal-warnings -C panic=abort
  --cfg 'getrandom_backend="custom"')

# build_host NAME [ENV=VALUE...]: builds host/ (release, own lockfile) into $cache/target/NAME.
build_host() {
  local name="$1"
  shift
  (cd "$here/host" && env "$@" cargo build --release --locked --target-dir "$cache/target/$name" >&2)
}

# Printed last by every build script: the host binary the harness runs.
host_binary() { echo "$cache/target/$1/release/zkml-$1"; }

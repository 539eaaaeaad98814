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

# One build of a backend at a time on this machine, whichever checkout runs it: two builds at
# once would race while staging zkml-core into the same guest directory (one removing the
# other's half-written file) and, from two checkouts, could swap a guest in the shared target
# directory between its build and install_backend's snapshot. The lock is the open file
# descriptor: the kernel releases it when this script exits, however it exits.
mkdir -p "$cache/locks"
exec {build_lock}>"$cache/locks/$(basename "$here").build.lock"
if ! flock -n "$build_lock"; then
  echo "== waiting for another build of $(basename "$here") on this machine to finish" >&2
  flock "$build_lock"
fi

# build_guest NAME TARGET BUILD_STD -- RUSTFLAG...
#   Builds guest/ for TARGET (a rustc target name or a target-spec JSON file in guest/) with
#   -Zbuild-std=BUILD_STD into $cache/target/NAME-guest (or $ZKML_GUEST_ONLY_DIR: see
#   build_host) and sets `elf_dir` to the binaries. Extra cargo arguments (features, one bin)
#   from the array GUEST_CARGO_ARGS, when set.
build_guest() {
  local name="$1" target="$2" build_std="$3"
  shift 4
  local encoded extra=()
  encoded="$(printf '%s\x1f' "$@")"
  encoded="${encoded%$'\x1f'}"
  [[ "$target" == *.json ]] && extra=(-Zjson-target-spec)
  local target_dir="${ZKML_GUEST_ONLY_DIR:-$cache/target/$name-guest}"
  # Reproducible guests (issue #33): every absolute path the compiler could embed (panic
  # locations, debug info, build-script outputs) is remapped to a fixed name, so the ELF — and
  # the program id a verifier checks (image id, exe commit, vkey) — depends on the revision
  # alone, not on where it was cloned, the home directory or the toolchain's location.
  local sysroot remap=()
  sysroot="$(RUSTUP_TOOLCHAIN="$toolchain" rustc --print sysroot)"
  # The symbol table goes too (-C strip=symbols): no zkVM loads it. The code's layout, which the
  # symbol names order, is made path-independent by stage_core (below).
  remap=(--remap-path-prefix="$root=/zkml-bench" --remap-path-prefix="${CARGO_HOME:-$HOME/.cargo}=/cargo"
    --remap-path-prefix="$sysroot=/rust-sysroot" --remap-path-prefix="$target_dir=/zkml-target" -C strip=symbols)
  encoded="$(printf '%s\x1f' "${remap[@]}")$encoded"
  stage_core
  echo "== $name guest ($target, toolchain $toolchain + build-std)" >&2
  (
    cd "$here/guest"
    env -u RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS \
      RUSTUP_TOOLCHAIN="$toolchain" RUSTC_BOOTSTRAP=1 CARGO_ENCODED_RUSTFLAGS="$encoded" \
      cargo build --release --locked --target "$target" "${extra[@]}" ${GUEST_CARGO_ARGS[@]+"${GUEST_CARGO_ARGS[@]}"} \
        -Zbuild-std="$build_std" -Zbuild-std-features=compiler-builtins-mem \
        --target-dir "$target_dir" >&2
  )
  elf_dir="$target_dir/${target%.json}/release"
}

# stage_core: zkml-core as a member of the guest's own workspace, at guest/.zkml-core (ignored
#   by git): its sources, and a manifest with what it inherits from the root workspace written
#   out (no dev-dependencies: the guest never builds its tests). Why (issue #33): cargo names a
#   path dependency's symbols by a hash of its path — relative to the workspace root when the
#   crate lies inside the workspace, absolute when it lies outside — and the symbol names order
#   the code, so a guest that reached zkml-core at ../../../crates had another layout, and so
#   another program id, in every clone. Only files whose bytes changed are rewritten, so an
#   unchanged zkml-core does not rebuild the guest.
stage_core() {
  local staged="$here/guest/.zkml-core" fresh
  fresh="$(mktemp -d)"
  mkdir -p "$fresh/src"
  (cd "$root/crates/zkml-core/src" && find . -type f -print0 | xargs -0 -I{} cp --parents {} "$fresh/src/")
  python3 - "$root/Cargo.toml" "$root/crates/zkml-core/Cargo.toml" > "$fresh/Cargo.toml" <<'PY'
import sys, tomllib
ws = tomllib.load(open(sys.argv[1], "rb"))["workspace"]
crate = tomllib.load(open(sys.argv[2], "rb"))
def value(v):
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, str): return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list): return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict): return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
    raise SystemExit(f"stage_core: cannot write {v!r}")
def inherit(section, key, v):
    if isinstance(v, dict) and v.get("workspace") is True:
        base = ws["package"][key] if section == "package" else ws["dependencies"][key]
        base = {"version": base} if isinstance(base, str) else dict(base)
        rest = {k: x for k, x in v.items() if k != "workspace"}
        if section == "package":
            return base["version"] if "version" in base and len(base) == 1 else base
        if rest.get("features"):
            rest["features"] = base.get("features", []) + rest["features"]
        base.update(rest)
        return base
    return v
print("# Written by zkvms/common.sh (stage_core) from crates/zkml-core/Cargo.toml: do not edit.")
for section in ("package", "dependencies", "features"):
    if section not in crate: continue
    print(f"[{section}]")
    for k, v in crate[section].items():
        print(f"{k} = {value(inherit(section, k, v))}")
PY
  local f
  (cd "$fresh" && find . -type f) | while read -r f; do
    if ! cmp -s "$fresh/$f" "$staged/$f"; then
      mkdir -p "$(dirname "$staged/$f")"
      cp "$fresh/$f" "$staged/$f.tmp.$$" && mv -f "$staged/$f.tmp.$$" "$staged/$f"
    fi
  done
  (cd "$staged" && find . -type f) | while read -r f; do [ -e "$fresh/$f" ] || rm -f "$staged/$f"; done
  rm -rf "$fresh"
}

# The rustflags of rustc's riscv32im-risc0-zkvm-elf guests (RISC Zero and OpenVM).
RV32_GUEST_FLAGS=(-C passes=lower-atomic -C link-arg=-Ttext=0x00200800 -C link-arg=--fatal-warnings -C panic=abort
  --cfg 'getrandom_backend="custom"')

# build_host NAME [ENV=VALUE...]: builds host/ (release, own lockfile) into $cache/target/NAME.
#   With ZKML_GUEST_ONLY_DIR set, the script stops here instead, printing the guests'
#   directory: how CI builds a guest from another path to check that it is reproducible.
build_host() {
  local name="$1"
  shift
  if [ -n "${ZKML_GUEST_ONLY_DIR:-}" ]; then
    echo "$elf_dir"
    exit 0
  fi
  (cd "$here/host" && env "$@" cargo build --release --locked --target-dir "$cache/target/$name" >&2)
}

# install_backend NAME [FILE...]: a snapshot of the host binary and FILEs (its guest ELFs, its
#   job script) in $cache/installed/NAME-DIGEST, named by the digest of their bytes, written
#   once and never again, so that a `prove` or `verify` running from one snapshot never has
#   another checkout's or revision's build swapped under it (hosts read their guests from their
#   own directory). NAME-current points to the newest; the three newest are kept. Prints the
#   snapshot's host binary, last: the binary the harness runs.
install_backend() {
  local name="$1"
  shift
  local host="$cache/target/$name/release/zkml-$name" installed="$cache/installed"
  local digest dest tmp
  digest="$( (sha256sum "$host" "$@" | cut -d' ' -f1; for f in "$@"; do basename "$f"; done) | sha256sum | cut -c1-16)"
  dest="$installed/$name-$digest"
  mkdir -p "$installed"
  if [ ! -x "$dest/zkml-$name" ]; then
    tmp="$(mktemp -d "$installed/.$name-XXXXXX")"
    cp "$host" "$@" "$tmp/"
    chmod 0755 "$tmp"
    # Another build may have installed the same bytes meanwhile: then keep its copy.
    mv -T "$tmp" "$dest" 2>/dev/null || rm -rf "$tmp"
  fi
  touch "$dest"
  ln -sfn "$name-$digest" "$installed/.$name-current.$$" && mv -T "$installed/.$name-current.$$" "$installed/$name-current"
  # Older snapshots go once they are not among the three newest and an hour old (a run that
  # started from one has long read its guests by then).
  find "$installed" -maxdepth 1 -name "$name-????????????????" -type d -printf '%T@ %p\n' | sort -rn | tail -n +4 | cut -d' ' -f2- |
    while read -r old; do find "$old" -maxdepth 0 -mmin +60 -exec rm -rf {} +; done
  echo "$dest/zkml-$name"
}

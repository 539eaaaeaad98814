#!/usr/bin/env bash
# Installs, explicitly and idempotently, what building and testing zkml-bench needs on a new
# machine: the pinned toolchain (rust-toolchain.toml) with rustfmt, clippy and rust-src, the
# riscv targets zkml-core is checked against, and protoc (the SP1 host's build needs it).
#
# Why explicit: rustup only installs what rust-toolchain.toml lists when auto-install is on, and
# machines of this project set RUSTUP_AUTO_INSTALL=0 (the pinned toolchain may also already exist
# as a link to stable without the targets). Already installed: under a second, no network.
# Used by .ci/run, scripts/test.sh and every zkvms/*/build.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
toolchain_file="$root/rust-toolchain.toml"
channel="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$toolchain_file")"
# The lists in rust-toolchain.toml, e.g. components = ["rustfmt", "clippy", "rust-src"].
list() { sed -n "s/^$1 = \[\(.*\)\]/\1/p" "$toolchain_file" | tr -d '" ' | tr ',' ' '; }
components="$(list components)"
targets="$(list targets)"

if ! command -v rustup >/dev/null; then
  echo "setup: rustup not found; install it from https://rustup.rs (the toolchain itself is installed here)" >&2
  exit 1
fi
if ! rustup run "$channel" rustc --version >/dev/null 2>&1; then
  echo "setup: installing toolchain $channel" >&2
  rustup toolchain install "$channel" --profile minimal >&2
fi
# `rustup component/target list --installed` is local; only missing pieces are downloaded.
installed="$(rustup component list --installed --toolchain "$channel" 2>/dev/null) $(rustup target list --installed --toolchain "$channel" 2>/dev/null)"
missing_components=()
for c in $components; do
  grep -q "^$c\(-\|$\)" <<<"$(tr ' ' '\n' <<<"$installed")" || missing_components+=("$c")
done
missing_targets=()
for t in $targets; do
  grep -qx "$t" <<<"$(tr ' ' '\n' <<<"$installed")" || missing_targets+=("$t")
done
if [ ${#missing_components[@]} -gt 0 ]; then
  echo "setup: adding components to $channel: ${missing_components[*]}" >&2
  rustup component add --toolchain "$channel" "${missing_components[@]}" >&2
fi
if [ ${#missing_targets[@]} -gt 0 ]; then
  echo "setup: adding targets to $channel: ${missing_targets[*]}" >&2
  rustup target add --toolchain "$channel" "${missing_targets[@]}" >&2
fi

if [ "${ZKML_SETUP_SKIP_PROTOC:-0}" != 1 ] && ! command -v protoc >/dev/null; then
  echo "setup: installing protoc (Debian package protobuf-compiler)" >&2
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  if command -v apt-get >/dev/null; then
    "${sudo[@]}" apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq protobuf-compiler >/dev/null
  else
    echo "setup: protoc missing and no apt-get here; install protobuf-compiler with your package manager" >&2
    exit 1
  fi
fi

#!/usr/bin/env bash
# Builds the EZKL backend into the shared cache (${ZKML_CACHE:-$HOME/.cache/zkml-bench}): a Python
# virtual environment with the pinned ezkl, onnx and numpy from PyPI (requirements.txt; installed
# again only when that file changes), the job script, and the Rust host that speaks the backend
# protocol. Nothing is downloaded at run time (the SRS is generated locally on first use).
# Up to date: a few seconds. Prints the host binary's path last.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../common.sh"

venv="$cache/ezkl/venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum <"$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== ezkl: Python virtual environment $venv (pinned: $(grep -v '^#' "$here/requirements.txt" | tr '\n' ' '))" >&2
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    echo "== ezkl: installing python3-venv (Debian)" >&2
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check --no-input -q -r "$here/requirements.txt" >&2
  echo "$want" >"$stamp"
fi

echo "== ezkl host (release)" >&2
cargo build --release --locked -p zkml-ezkl --manifest-path "$root/Cargo.toml" --target-dir "$cache/target/ezkl" >&2
install_backend ezkl "$here/ezkl_job.py"

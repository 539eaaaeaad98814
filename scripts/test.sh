#!/usr/bin/env bash
# The project's test command (README "Run the tests"; .ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."
# A new machine has the pinned toolchain without its riscv targets and rust-src: install them.
scripts/setup.sh
scripts/check-guest-targets.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# --no-fail-fast: a failing test binary does not hide the ones after it (a cold CI stopped at
# OpenVM's and never ran RISC Zero's or SP1's).
cargo test --workspace --release --no-fail-fast 2>&1 | tee "$log" || status=$?
# The zkVM hosts' own unit tests (SP1's prover pipeline, OpenVM's aggregation fan-in): each host
# is a workspace of its own, tested in the target directory its build uses (zkvms/common.sh
# build_host), so only the host crate compiles again.
cache="${ZKML_CACHE:-$HOME/.cache/zkml-bench}"
for vm in risc0 sp1 openvm; do
  (cd "zkvms/$vm/host" && cargo test --release --locked --target-dir "$cache/target/$vm") 2>&1 | tee -a "$log" || status=$?
done

# One closing line over every test binary of the workspace.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"

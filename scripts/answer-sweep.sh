#!/usr/bin/env bash
# Issue #14's sweep (sweeps/answer.toml) into one results directory, resumable: every part
# skips what OUT already records, so the same command continues it in a later sitting.
#   scripts/answer-sweep.sh OUT [extra bench flags, e.g. --dry-run --estimate-from DIRS]
# Parts: the calibration cells of this machine (RISC Zero succinct, OpenVM stark, EZKL hashed on
# 100 ridge rows, accelerator on; into OUT-calibration/<kernel build>, one directory per VM, so
# that every VM a sitting runs on compares all systems at 100 rows: docs/design-notes.md, 11);
# 100 and 1,000 rows with precompiles on and off; 10,000 rows with precompiles on; the native
# baseline at 10,000 rows (it has only "off"). ANSWER_PARTS picks some, e.g. "10000".
# The sweep is measured on one revision: run it from a checkout of the revision OUT already
# holds (bench refuses to mix revisions), with ZKML_BENCH pointing at that checkout's CLI.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: scripts/answer-sweep.sh OUT [bench flags]}"
shift
bench="${ZKML_BENCH:-$root/target/release/zkml-bench}"
config="$root/sweeps/answer.toml"
parts="${ANSWER_PARTS:-calibration small 10000 native-10000}"
for part in $parts; do
  case "$part" in
    calibration) "$bench" bench --config "$config" --zkvms risc0,openvm,ezkl --models ridge --rows 100 --precompiles on \
      --modes succinct,stark,hashed --out "$out-calibration/$(uname -r)" --no-report "$@" ;;
    small) "$bench" bench --config "$config" --rows 100,1000 --out "$out" --no-report "$@" ;;
    10000) "$bench" bench --config "$config" --rows 10000 --precompiles on --out "$out" --no-report "$@" ;;
    native-10000) "$bench" bench --config "$config" --zkvms native --rows 10000 --precompiles off --out "$out" --no-report "$@" ;;
    *) echo "answer-sweep: unknown part $part (calibration, small, 10000, native-10000)" >&2; exit 2 ;;
  esac
done

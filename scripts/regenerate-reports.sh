#!/usr/bin/env bash
# Regenerates every published report under docs/results from its records alone, with the
# `zkml-bench` of this checkout (build it first: cargo build --release -p zkml-cli). A report
# names its sources on its third line (`from `DIR`, `DIR`.`, relative to the report); its plots
# directory is emptied first, so that a chart the report no longer draws does not linger.
# Usage: scripts/regenerate-reports.sh [REPORT_DIR...]   (default: every published report)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/target/release/zkml-bench"
[[ -x "$bin" ]] || { echo "no $bin: run cargo build --release -p zkml-cli first" >&2; exit 1; }
if [[ $# -eq 0 ]]; then
  mapfile -t reports < <(cd "$root" && find docs/results -name README.md \( -path '*/report/README.md' -o -path '*/report-all/README.md' \) -printf '%h\n' | sort)
else
  reports=("$@")
fi
for dir in "${reports[@]}"; do
  line="$(sed -n 3p "$dir/README.md")"
  # The sources: the backticked names between " from " and ". Every number".
  list="${line#* from }"
  list="${list%%. Every number*}"
  mapfile -t sources < <(grep -o '`[^`]*`' <<<"$list" | tr -d '`')
  [[ ${#sources[@]} -gt 0 ]] || { echo "$dir/README.md: no sources on its third line" >&2; exit 1; }
  args=()
  for s in "${sources[@]}"; do args+=("$dir/$s"); done
  rm -rf "$dir/plots"
  echo "== $dir <- ${sources[*]}" >&2
  # Merged reports of several revisions were published with --allow-mixed-revisions (they list
  # the revisions); for one revision's records the flag changes nothing.
  "$bin" report "${args[@]}" --out "$dir" --allow-mixed-revisions >/dev/null
done

#!/usr/bin/env bash
# Shows why SP1's zero-knowledge wrap (Groth16/PLONK over BN254) cannot be built here (issue #35).
#
# SP1 proves the wrap with gnark (Go). sp1-recursion-gnark-ffi builds it from its Go sources
# (`go build -buildmode=c-archive`, feature `native`); otherwise the SDK downloads prebuilt
# artifacts or runs docker. This script tries the build from sources with the only Go that a
# registry here serves (Debian's golang-1.19-go, unpacked into a temporary directory, nothing
# installed), first as shipped, then with the go.mod's Go version lowered so that the module
# download is what fails. Both errors are printed; the script exits 0 once it has shown them.
set -uo pipefail
gnark_ffi="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/sp1-recursion-gnark-ffi-6.10.0 2>/dev/null | head -1)"
if [ -z "$gnark_ffi" ]; then
  echo "sp1-recursion-gnark-ffi 6.10.0 is not in the cargo registry: run zkvms/sp1/build.sh (or cargo fetch in zkvms/sp1/host) first" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download golang-1.19-go golang-1.19-src >/dev/null 2>&1) || { echo "apt-get download golang-1.19-go failed" >&2; exit 1; }
for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
export GOROOT="$tmp/root/usr/lib/go-1.19" GOPATH="$tmp/gopath" GOCACHE="$tmp/gocache" CGO_ENABLED=1
cp -r "$gnark_ffi/go" "$tmp/src"
cd "$tmp/src"
echo "== $("$GOROOT/bin/go" version); go build of sp1-recursion-gnark-ffi 6.10.0's Go sources, as shipped:"
"$GOROOT/bin/go" build -tags=debug -o "$tmp/libsp1gnark.a" -buildmode=c-archive . 2>&1 | head -3
sed -i 's/^go 1\.24\.0$/go 1.19/' go.mod
echo "== the same with go.mod's 'go 1.24.0' lowered to 1.19 (its modules must then come from the Go module proxy):"
timeout 120 "$GOROOT/bin/go" build -tags=debug -o "$tmp/libsp1gnark.a" -buildmode=c-archive . 2>&1 | grep -E "go: downloading|proxy.golang.org" | head -4
exit 0

#!/usr/bin/env bash
# Builds kappa/coredns:<version>: CoreDNS from the Go module proxy with only the plugins cluster DNS needs
# (main.go.txt), static, FROM scratch. Optional: the test cluster runs it only with KAPPA_CLUSTER_DNS=1.
# Idempotent (--force rebuilds).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
version="${KAPPA_COREDNS_VERSION:-v1.12.1}"
name="kappa/coredns:${version#v}"
if [ -f "$(image_tar "$name")" ] && [ "${1:-}" != --force ]; then
  echo "$name"
  exit 0
fi
src="$KAPPA_CACHE_ROOT/coredns-$version/src"
bin="$KAPPA_CACHE_ROOT/coredns-$version/coredns"
mkdir -p "$src"
if [ ! -x "$bin" ]; then
  printf 'module kappa.dev/coredns-build\n\ngo 1.24\n\nrequire github.com/coredns/coredns %s\n' "$version" >"$src/go.mod"
  cp "$here/main.go.txt" "$src/main.go"
  echo "coredns: building $version (a few minutes the first time)" >&2
  (cd "$src" && GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 go build -p 2 -trimpath -ldflags "-s -w" -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
fi
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
install -m 0755 "$bin" "$rootfs/coredns"
mkdir -p "$rootfs/etc/coredns"
bash "$here/../build-image.sh" --entrypoint '["/coredns"]' --cmd '["-conf", "/etc/coredns/Corefile"]' \
  --expose 53/udp --expose 53/tcp "$name" "$rootfs"
echo "$name"

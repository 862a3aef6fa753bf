#!/usr/bin/env bash
# Builds kappa/node-base:<node version> (and :<major>) from this machine's /usr/bin/node: the binary, the shared
# libraries ldd lists, the loader, a minimal /etc and the CA bundle. No package manager, no shell.
# Others layer on it: test/images/build-image.sh --base kappa/node-base:20 ... Idempotent (--force rebuilds).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
node_bin="${NODE_BIN:-$(readlink -f "$(command -v node)")}"
version="$("$node_bin" -p 'process.versions.node')"
major="${version%%.*}"
name="kappa/node-base:$version"
if [ -f "$(image_tar "$name")" ] && [ -f "$(image_tar "kappa/node-base:$major")" ] && [ "${1:-}" != --force ]; then
  exit 0
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
minimal_etc "$rootfs" node
mkdir -p "$rootfs/usr/bin" "$rootfs/home/node" "$rootfs/var/task"
chown 1000:1000 "$rootfs/home/node"
copy_with_libs "$rootfs" "$node_bin"
[ "$node_bin" = /usr/bin/node ] || mv "$rootfs$node_bin" "$rootfs/usr/bin/node"

bash "$here/../build-image.sh" --tag "kappa/node-base:$major" \
  --env PATH=/usr/bin:/bin --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
  --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --entrypoint '["/usr/bin/node"]' --workdir /var/task "$name" "$rootfs"

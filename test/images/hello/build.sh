#!/usr/bin/env bash
# Builds kappa-test/hello:1 (kappa/node-base + server.mjs) for the cluster smoke test. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
name=kappa-test/hello:1
bash "$here/../node-base/build.sh"
if [ -f "$(image_tar "$name")" ] && [ "$(image_tar "$name")" -nt "$here/server.mjs" ] && [ "${1:-}" != --force ]; then
  exit 0
fi
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/app"
cp "$here/server.mjs" "$rootfs/app/server.mjs"
bash "$here/../build-image.sh" --base "kappa/node-base:$(node -p 'process.versions.node.split(".")[0]')" \
  --cmd '["/app/server.mjs"]' --user 1000 --expose 8080/tcp "$name" "$rootfs"

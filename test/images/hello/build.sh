#!/usr/bin/env bash
# Builds kappa-test/hello:1 (kappa/node-base + server.mjs) for the cluster smoke test. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
name=kappa-test/hello:1
bash "$here/../node-base/build.sh"
base="kappa/node-base:$(node -p 'process.versions.node.split(".")[0]')"
tar="$(image_tar "$name")"
if [ -f "$tar" ] && [ "$tar" -nt "$here/server.mjs" ] && [ "$tar" -nt "$(image_tar "$base")" ] && [ "${1:-}" != --force ]; then
  exit 0
fi
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs/app"
cp "$here/server.mjs" "$rootfs/app/server.mjs"
bash "$here/../build-image.sh" --base "$base" \
  --cmd '["/app/server.mjs"]' --user 1000 --expose 8080/tcp "$name" "$rootfs"

#!/usr/bin/env bash
# Builds the pod sandbox image kappa/pause:1.0 from pause.c (static, so the image holds one file). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
name=kappa/pause:1.0
if [ -f "$(image_tar "$name")" ] && [ "$(image_tar "$name")" -nt "$here/pause.c" ] && [ "${1:-}" != --force ]; then
  exit 0
fi
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
gcc -static -O2 -s -o "$rootfs/pause" "$here/pause.c"
bash "$here/../build-image.sh" --entrypoint '["/pause"]' "$name" "$rootfs"

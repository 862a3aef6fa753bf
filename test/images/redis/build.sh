#!/usr/bin/env bash
# Builds kappa-test/redis:<Debian redis version> (FROM scratch: Debian's redis-server and its libraries) for
# testcontainers. Idempotent (--force rebuilds). Prints the image name on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"
if ! command -v redis-server >/dev/null; then
  echo "error: redis-server is not installed; run: bash test/cluster/install-deps.sh" >&2
  exit 1
fi
version="$(redis-server --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p')"
name="kappa-test/redis:$version"
if [ ! -f "$(image_tar "$name")" ] || [ "${1:-}" = --force ]; then
  rootfs="$(mktemp -d)"
  trap 'rm -rf "$rootfs"' EXIT
  minimal_etc "$rootfs" redis
  mkdir -p "$rootfs/data"
  chmod 0777 "$rootfs/data"
  copy_with_libs "$rootfs" "$(readlink -f "$(command -v redis-server)")"
  [ -e "$rootfs/usr/bin/redis-server" ] || { mkdir -p "$rootfs/usr/bin" && mv "$rootfs$(readlink -f "$(command -v redis-server)")" "$rootfs/usr/bin/redis-server"; }
  bash "$here/../build-image.sh" --expose 6379/tcp --workdir /data \
    --entrypoint '["/usr/bin/redis-server"]' --cmd '["--bind", "0.0.0.0", "--protected-mode", "no", "--save", ""]' \
    "$name" "$rootfs"
fi
echo "$name"

#!/usr/bin/env bash
# Builds the runtime images on this machine with no registry and no pull, on top of kappa/node-base
# (test/images/node-base/build.sh), through test/images/build-image.sh (which also imports them into the test
# cluster's containerd and the test Docker engine when those run).
#
#   build-local.sh [nodejs20|python3.11|provided|all]     (default all)
#
# Images: kappa/runtime-nodejs20:<version>, kappa/runtime-python3.11:<version>, kappa/runtime-provided:<version>
# (<version> = package.json's version). Each runs the agent as its entrypoint on port 8090, task root /var/task.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
images="$repo/test/images"
version="$(node -p "require('$repo/package.json').version")"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
base="kappa/node-base:$node_major"
which="${1:-all}"

[ -x "$images/build-image.sh" ] || { echo "error: $images/build-image.sh is missing" >&2; exit 1; }
bash "$images/node-base/build.sh"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
bash "$here/bundle-agent.sh" "$stage/agent"

# rootfs <runtime>: a directory with the agent, its hosts and the runtime's own files.
rootfs() {
  local runtime="$1" dir="$stage/rootfs-$1"
  mkdir -p "$dir/opt/kappa" "$dir/var/task" "$dir/tmp"
  chmod 1777 "$dir/tmp"
  cp -r "$stage/agent/." "$dir/opt/kappa/"
  if [ "$runtime" = python3.11 ]; then
    local py
    py="$(readlink -f "${PYTHON311:-/usr/bin/python3.11}")"
    # shellcheck source=../../test/images/lib.sh
    (source "$images/lib.sh" && copy_with_libs "$dir" "$py")
    [ "$py" = /usr/bin/python3.11 ] || { mkdir -p "$dir/usr/bin"; mv "$dir$py" "$dir/usr/bin/python3.11"; }
    local stdlib
    stdlib="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
    mkdir -p "$dir/usr/lib"
    tar -C "$(dirname "$stdlib")" --exclude='test' --exclude='idlelib' --exclude='tkinter' --exclude='ensurepip' \
      --exclude='__pycache__' --exclude='site-packages' -cf - "$(basename "$stdlib")" | tar -C "$dir/usr/lib" -xf -
    local dynload="$dir/usr/lib/$(basename "$stdlib")/lib-dynload"
    if [ -d "$dynload" ]; then
      # shellcheck source=../../test/images/lib.sh
      (source "$images/lib.sh" && for so in "$dynload"/*.so; do
        for lib in $(ldd "$so" | grep -o '/[^ ]*'); do
          [ -e "$dir$lib" ] || { mkdir -p "$dir$(dirname "$lib")"; cp -L "$lib" "$dir$lib"; }
        done
      done)
    fi
    ln -sf python3.11 "$dir/usr/bin/python3"
  fi
  echo "$dir"
}

build() {
  local runtime="$1"
  local dir
  dir="$(rootfs "$runtime")"
  bash "$images/build-image.sh" --base "$base" \
    --env KAPPA_RUNTIME="$runtime" --env KAPPA_TASK_ROOT=/var/task --env KAPPA_AGENT_PORT=8090 \
    --env KAPPA_PYTHON_BIN=/usr/bin/python3.11 --env PATH=/usr/bin:/bin \
    --entrypoint '["/usr/bin/node","/opt/kappa/agent.mjs"]' --workdir /var/task --expose 8090/tcp \
    "kappa/runtime-$runtime:$version" "$dir"
}

case "$which" in
  all) for r in nodejs20 python3.11 provided; do build "$r"; done ;;
  nodejs20 | python3.11 | provided) build "$which" ;;
  *) echo "error: unknown runtime '$which': use nodejs20, python3.11, provided or all" >&2; exit 2 ;;
esac

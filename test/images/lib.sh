# Shared by the image scripts: where image tarballs live and how they reach containerd and Docker. Sourced.
# shellcheck shell=bash
images_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../cluster/versions.sh
source "$images_here/../cluster/versions.sh"
mkdir -p "$KAPPA_IMAGES_CACHE"

# image_tar <name:tag>: the cached tarball of an image (kappa/node-base:20 -> .../kappa_node-base_20.tar).
image_tar() {
  echo "$KAPPA_IMAGES_CACHE/$(tr '/:' '__' <<<"$1").tar"
}

# docker_env: DOCKER_HOST of the engine docker-up.sh started, when it runs.
docker_env() {
  [ -f "$KAPPA_STATE_ROOT/docker.env" ] || return 1
  # shellcheck disable=SC1091
  source "$KAPPA_STATE_ROOT/docker.env"
  export DOCKER_HOST
  docker version >/dev/null 2>&1
}

# import_everywhere <tarball>: into the cluster's containerd and the test Docker engine, whichever run now.
# (up.sh imports every cached tarball when the cluster starts, so images built earlier are there too.)
import_everywhere() {
  local tar="$1"
  local sock="$KAPPA_CLUSTER_DIR/containerd.sock"
  if [ -S "$sock" ] && ctr --address "$sock" version >/dev/null 2>&1; then
    ctr --address "$sock" --namespace k8s.io images import "$tar" >/dev/null
    # up.sh skips tarballs recorded here (the image store outlives the cluster).
    echo "$(basename "$tar") $(stat -c '%s %Y' "$tar")" >>"$KAPPA_CONTAINERD_ROOT/kappa-imported"
    echo "imported into the cluster's containerd" >&2
  fi
  if (docker_env); then
    (docker_env && docker load -q -i "$tar" >/dev/null)
    echo "loaded into the test Docker engine" >&2
  fi
}

# copy_with_libs <rootfs> <binary>...: each binary plus every library ldd lists (and the loader) at the same path.
copy_with_libs() {
  local rootfs="$1" bin lib
  shift
  for bin in "$@"; do
    mkdir -p "$rootfs$(dirname "$bin")"
    cp -L "$bin" "$rootfs$bin"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
      [ -e "$rootfs$lib" ] && continue
      mkdir -p "$rootfs$(dirname "$lib")"
      cp -L "$lib" "$rootfs$lib"
    done
  done
}

# minimal_etc <rootfs>: passwd/group with root, an unprivileged user (1000) and nobody; nsswitch; CA bundle; /tmp.
minimal_etc() {
  local rootfs="$1" user="${2:-app}"
  mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/tmp"
  chmod 1777 "$rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\n%s:x:1000:1000:%s:/home/%s:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' \
    "$user" "$user" "$user" >"$rootfs/etc/passwd"
  printf 'root:x:0:\n%s:x:1000:\nnogroup:x:65534:\n' "$user" >"$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
  cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  # glibc loads these at run time for name resolution; ldd does not list them.
  local lib
  for lib in /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libnss_files.so.2 \
    /lib/x86_64-linux-gnu/libresolv.so.2; do
    if [ -e "$lib" ]; then mkdir -p "$rootfs$(dirname "$lib")" && cp -L "$lib" "$rootfs$lib"; fi
  done
}

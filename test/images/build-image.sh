#!/usr/bin/env bash
# Builds an image without any registry and makes it available to the test cluster and the test Docker engine.
#
#   build-image.sh [options] <name:tag> <rootfs directory>
#       Packs the directory as the image's top layer (no Docker needed). Options:
#       --base <name:tag>     layer on an image built by this script (e.g. kappa/node-base:20)
#       --entrypoint '<json array>'  --cmd '<json array>'  --env KEY=VALUE  --workdir <dir>  --user <uid>
#       --expose <port/tcp>   --tag <name:tag> (another name for the same image)
#   build-image.sh <name:tag> <path/to/Dockerfile>
#       `docker build` in the Dockerfile's directory on the engine of docker-up.sh, then `docker save`. FROM images
#       built by this script are loaded into Docker first.
#
# The tarball is cached as $KAPPA_IMAGES_CACHE/<name_tag>.tar (up.sh imports all of them into a new cluster)
# and imported right away into the cluster's containerd and the Docker engine if they run.
# Pods must use imagePullPolicy: Never (or IfNotPresent with a tag other than latest).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

args=()
aliases=()
base=""
while [ $# -gt 0 ]; do
  case "$1" in
    --base) base="$2"; shift 2 ;;
    --entrypoint | --cmd | --env | --workdir | --user | --expose) args+=("$1" "$2"); shift 2 ;;
    --tag) args+=(--name "$2"); aliases+=("$2"); shift 2 ;;
    -h | --help) usage ;;
    --*) echo "error: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || usage
name="$1"
source_path="$2"
if [[ "$name" != *:* ]] || [[ "${name##*/}" != *:* ]]; then
  echo "error: image name '$name' needs a tag, e.g. $name:1.0 (the kubelet would otherwise try to pull :latest)" >&2
  exit 2
fi
out="$(image_tar "$name")"

if [ -d "$source_path" ]; then
  if [ -n "$base" ]; then
    base_tar="$(image_tar "$base")"
    if [ ! -f "$base_tar" ]; then
      echo "error: base image $base is not built (no $base_tar); build it first" >&2
      exit 2
    fi
    args+=(--base "$base_tar")
  fi
  python3 "$here/image-tarball.py" --name "$name" --rootfs "$source_path" --output "$out" "${args[@]}" >/dev/null
elif [ -f "$source_path" ]; then
  if [ ${#args[@]} -gt 0 ] || [ -n "$base" ]; then
    echo "error: options apply to a rootfs directory; with a Dockerfile put them in the Dockerfile" >&2
    exit 2
  fi
  if ! docker_env; then
    echo "error: building from a Dockerfile needs the test Docker engine; start it with: bash test/images/docker-up.sh" >&2
    exit 1
  fi
  for from in $(awk 'toupper($1) == "FROM" { print $2 }' "$source_path"); do
    [ "$from" = scratch ] && continue
    if ! docker image inspect "$from" >/dev/null 2>&1 && [ -f "$(image_tar "$from")" ]; then
      docker load -q -i "$(image_tar "$from")" >/dev/null
    fi
  done
  docker build -q -t "$name" -f "$source_path" "$(dirname "$source_path")" >/dev/null
  docker save -o "$out.tmp" "$name"
  mv "$out.tmp" "$out"
else
  echo "error: '$source_path' is neither a rootfs directory nor a Dockerfile" >&2
  exit 2
fi
# Other names of the same image share the tarball (up.sh imports regular files only, so each image once).
for alias in "${aliases[@]}"; do
  ln -sfn "$(basename "$out")" "$(image_tar "$alias")"
done
echo "built $name -> $out" >&2
import_everywhere "$out"

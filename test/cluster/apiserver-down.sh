#!/usr/bin/env bash
# Stops what apiserver-up.sh started in <state dir> (by pid) and removes the directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/proc.sh
source "$here/lib/proc.sh"
dir="${1:-}"
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "usage: apiserver-down.sh <state dir printed by apiserver-up.sh as KAPPA_APISERVER_DIR>" >&2
  exit 2
fi
if [ ! -d "$dir/pki" ] && [ ! -d "$dir/pids" ]; then
  echo "error: $dir does not look like an apiserver-up.sh state directory; refusing to remove it" >&2
  exit 2
fi
stop_daemons "$dir" kube-controller-manager kube-apiserver etcd
rm -rf "$dir"

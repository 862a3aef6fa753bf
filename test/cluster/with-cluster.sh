#!/usr/bin/env bash
# Runs a command against the test cluster and leaves the cluster as it found it: brings it up if it is down, runs
# the command with KUBECONFIG set, and stops the cluster again if a with-cluster.sh run started it and no other
# with-cluster.sh run still uses it (two test runs at once share one cluster; the last one out stops it).
# A cluster started by `npm run cluster:up` is never stopped here.
# Usage: with-cluster.sh <command...>   e.g. with-cluster.sh node scripts/run-tests.mjs e2e
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
# shellcheck source=lib/proc.sh
source "$here/lib/proc.sh"
if [ $# -eq 0 ]; then
  echo "usage: with-cluster.sh <command...>" >&2
  exit 2
fi

users="$KAPPA_STATE_ROOT/cluster-users"
marker="$KAPPA_STATE_ROOT/cluster-started-by-with-cluster"
mkdir -p "$users"
exec 9>"$KAPPA_STATE_ROOT/cluster.lock"

flock 9
touch "$users/$$"
if ! daemon_alive "$KAPPA_CLUSTER_DIR" kube-apiserver || ! daemon_alive "$KAPPA_CLUSTER_DIR" kubelet; then
  if ! bash "$here/build.sh" || ! bash "$here/up.sh" >/dev/null; then
    bash "$here/down.sh"
    rm -f "$users/$$"
    exit 1
  fi
  touch "$marker"
fi
flock -u 9

leave() {
  flock 9
  rm -f "$users/$$"
  local pid others=0
  for f in "$users"/*; do
    [ -e "$f" ] || continue
    pid="$(basename "$f")"
    if kill -0 "$pid" 2>/dev/null; then others=1; else rm -f "$f"; fi
  done
  if [ $others = 0 ] && [ -f "$marker" ]; then
    bash "$here/down.sh"
    rm -f "$marker"
  fi
  flock -u 9
}
trap 'leave; exit 130' INT TERM
KUBECONFIG="$KAPPA_CLUSTER_DIR/kubeconfig" "$@"
status=$?
leave
exit $status

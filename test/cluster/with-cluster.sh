#!/usr/bin/env bash
# Runs a command against the test cluster and leaves the cluster as it found it: brings it up if it is down, runs
# the command with KUBECONFIG set, and stops the cluster again only if this script started it.
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

started=0
if ! daemon_alive "$KAPPA_CLUSTER_DIR" kube-apiserver || ! daemon_alive "$KAPPA_CLUSTER_DIR" kubelet; then
  bash "$here/build.sh" || exit 1
  bash "$here/up.sh" >/dev/null || { bash "$here/down.sh"; exit 1; }
  started=1
fi
stop() { [ $started = 1 ] && bash "$here/down.sh"; }
trap 'stop; exit 130' INT TERM
KUBECONFIG="$KAPPA_CLUSTER_DIR/kubeconfig" "$@"
status=$?
stop
exit $status

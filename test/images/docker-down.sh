#!/usr/bin/env bash
# Stops the Docker engine docker-up.sh started (by the pid in ~/.kappa/docker.pid). Keeps its data root, so the
# loaded images survive; pass --purge to remove /var/lib/kappa-docker too.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
pid_file="$KAPPA_STATE_ROOT/docker.pid"
if [ -f "$pid_file" ]; then
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$pid_file" "$KAPPA_STATE_ROOT/docker.env"
fi
if [ "${1:-}" = --purge ]; then
  awk '$5 ~ "^/var/lib/kappa-docker(/|$)|^/run/kappa-docker(/|$)" { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
  rm -rf /var/lib/kappa-docker /run/kappa-docker
fi

#!/usr/bin/env bash
# Starts a Docker engine for testcontainers with its own socket, data root and exec root (so it never collides with
# another engine), installs Debian's docker.io if missing, and loads the locally built test images (Redis).
# Idempotent. Writes:
#   ~/.kappa/docker.env  DOCKER_HOST, TESTCONTAINERS_RYUK_DISABLED=true, KAPPA_REDIS_IMAGE (source it, or read it
#                        from test code through test/support/docker-env.ts)
#   ~/.kappa/docker.pid  the dockerd pid; stop it with test/images/docker-down.sh
# Networking stays Docker's default (docker0 bridge + iptables port publishing): testcontainers reaches a container
# through a published port on the host.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

root=/var/lib/kappa-docker
exec_root=/run/kappa-docker
sock="$exec_root.sock"
env_file="$KAPPA_STATE_ROOT/docker.env"
pid_file="$KAPPA_STATE_ROOT/docker.pid"
mkdir -p "$KAPPA_STATE_ROOT"

if ! command -v dockerd >/dev/null; then
  bash "$here/../cluster/install-deps.sh"
fi

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }
if ! running; then
  mkdir -p "$root" "$exec_root"
  start=$SECONDS
  setsid dockerd --host "unix://$sock" --data-root "$root" --exec-root "$exec_root" \
    --pidfile "$exec_root/dockerd.pid" --log-level warn >"$root.log" 2>&1 </dev/null &
  echo $! >"$pid_file"
  until DOCKER_HOST="unix://$sock" docker version >/dev/null 2>&1; do
    if ! running; then
      echo "error: dockerd exited; last lines of $root.log:" >&2
      tail -n 20 "$root.log" >&2
      rm -f "$pid_file"
      exit 1
    fi
    if [ $((SECONDS - start)) -gt 60 ]; then
      echo "error: dockerd did not answer on $sock within 60 s (log: $root.log)" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "docker-up: dockerd $(cat "$pid_file") ready on $sock in $((SECONDS - start)) s" >&2
fi

cat >"$env_file" <<ENV
DOCKER_HOST=unix://$sock
TESTCONTAINERS_RYUK_DISABLED=true
ENV
redis_image="$(bash "$here/redis/build.sh")"
echo "KAPPA_REDIS_IMAGE=$redis_image" >>"$env_file"
export DOCKER_HOST="unix://$sock"
if ! docker image inspect "$redis_image" >/dev/null 2>&1; then
  docker load -q -i "$(image_tar "$redis_image")" >/dev/null
fi
cat "$env_file"

#!/usr/bin/env bash
# Installs the Debian packages the test cluster and the Docker engine need. Idempotent; silent when all are present.
set -euo pipefail
packages=(etcd-server containerd runc containernetworking-plugins iptables conntrack socat ethtool iproute2
  openssl unzip gcc libc6-dev docker.io redis-server)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Another engineer may hold the apt lock: wait for it rather than fail.
for attempt in $(seq 1 60); do
  if apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/kappa-install-deps.log 2>&1; then
    break
  fi
  if grep -qE 'Could not get lock|Unable to acquire' /tmp/kappa-install-deps.log; then
    sleep 5
    continue
  fi
  if grep -q 'Unable to locate package' /tmp/kappa-install-deps.log; then
    apt-get update -q >/dev/null 2>&1 || true
    [ "$attempt" -lt 3 ] && continue
  fi
  cat /tmp/kappa-install-deps.log >&2
  exit 1
done
# Debian starts services on install where it can; the cluster scripts run their own instances with their own state.
for svc in etcd containerd docker; do
  if command -v service >/dev/null && service "$svc" status >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done

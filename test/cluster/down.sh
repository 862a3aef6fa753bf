#!/usr/bin/env bash
# Stops every process up.sh started (by pid), removes their pods, mounts, network plumbing and state.
# Safe to run when nothing runs. Keeps containerd's image store ($KAPPA_CONTAINERD_ROOT) unless given --purge.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
# shellcheck source=lib/cluster-env.sh
source "$here/lib/cluster-env.sh"
# shellcheck source=lib/proc.sh
source "$here/lib/proc.sh"
start_time=$SECONDS
# One up/down at a time (with-cluster.sh holds the same lock around its own checks, not across these calls).
mkdir -p "$KAPPA_STATE_ROOT"
if [ "${KAPPA_CLUSTER_LOCK_HELD:-0}" != 1 ]; then
  exec 8>"$KAPPA_STATE_ROOT/cluster-updown.lock"
  flock 8
fi
log() { echo "cluster-down: $* ($((SECONDS - start_time)) s)" >&2; }

purge=0
[ "${1:-}" = --purge ] && purge=1
# Without state there is nothing to stop, but leftovers of a crashed run (network, mounts) are still swept.
[ -d "$dir" ] || log "no cluster state in $dir; sweeping leftovers only"

# Pods first, through the kubelet, so that the CRI stops each sandbox and CNI releases its IP and iptables rules.
# The controllers go first so nothing recreates or reschedules them.
stop_daemons "$dir" kube-controller-manager kube-scheduler
if daemon_alive "$dir" kubelet && daemon_alive "$dir" kube-apiserver; then
  kubectl_admin delete pods --all --all-namespaces --grace-period=0 --force --wait=false >/dev/null 2>&1 || true
  deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ] && [ -n "$(ctr_cluster tasks ls -q 2>/dev/null)" ]; do sleep 0.5; done
fi
stop_daemons "$dir" kubelet kube-proxy

# Whatever the kubelet did not stop: kill the tasks through containerd, then the shims of this containerd.
if daemon_alive "$dir" containerd; then
  for id in $(ctr_cluster tasks ls -q 2>/dev/null); do
    ctr_cluster tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  sleep 0.5
  for id in $(ctr_cluster tasks ls -q 2>/dev/null); do ctr_cluster tasks delete -f "$id" >/dev/null 2>&1 || true; done
  # containerd's root is kept for its images (see versions.sh); containers and their snapshots must not be.
  for id in $(ctr_cluster containers ls -q 2>/dev/null); do ctr_cluster containers delete "$id" >/dev/null 2>&1 || true; done
fi
stop_daemons "$dir"
# (Their command line names our socket: "-address <dir>/containerd.sock"; arguments are NUL-separated.)
for cmdline in /proc/[0-9]*/cmdline; do
  case "$(tr '\0' ' ' <"$cmdline" 2>/dev/null)" in
    *containerd-shim*" -address $dir/containerd.sock"*)
      pid="${cmdline#/proc/}"
      kill -KILL "${pid%/cmdline}" 2>/dev/null || true
      ;;
  esac
done
# Container processes left in the kubelet's pod cgroups.
find /sys/fs/cgroup/*/kubepods* -name cgroup.procs 2>/dev/null | while read -r procs; do
  while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$procs"
done
log "processes stopped"

# Network: kube-proxy's chains, CNI's per-pod chains, the bridge, the FORWARD rules, ip_forward.
if [ -x "$KAPPA_K8S_BIN/kube-proxy" ]; then
  "$KAPPA_K8S_BIN/kube-proxy" --cleanup --v=0 >/dev/null 2>&1 || true
fi
iptables-save -t nat 2>/dev/null | grep -- "name: \\\\\"$CNI_NETWORK\\\\\"" | grep '^-A POSTROUTING' |
  while read -r rule; do
    chain="$(sed -n 's/.* -j \(CNI-[0-9a-f]*\).*/\1/p' <<<"$rule")"
    eval "iptables -t nat ${rule/-A /-D }" 2>/dev/null || true
    [ -n "$chain" ] && { iptables -t nat -F "$chain" 2>/dev/null; iptables -t nat -X "$chain" 2>/dev/null; }
  done
# What kube-proxy --cleanup leaves: the kubelet's KUBE-FIREWALL, canary and hint chains, in every table.
for cmd in iptables ip6tables; do
  command -v "$cmd" >/dev/null || continue
  for table in filter nat mangle; do
    "$cmd-save" -t "$table" 2>/dev/null | grep -E '^-A [A-Z]+ .*-j KUBE-' | grep -vE '^-A KUBE-' |
      while read -r rule; do eval "$cmd -t $table ${rule/-A /-D }" 2>/dev/null || true; done
    for chain in $("$cmd-save" -t "$table" 2>/dev/null | sed -n 's/^:\(KUBE-[A-Z0-9-]*\) .*/\1/p'); do
      "$cmd" -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$cmd-save" -t "$table" 2>/dev/null | sed -n 's/^:\(KUBE-[A-Z0-9-]*\) .*/\1/p'); do
      "$cmd" -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
done
for side in -s -d; do
  while iptables -D FORWARD "$side" "$POD_CIDR" -m comment --comment kappa-cluster -j ACCEPT 2>/dev/null; do :; done
done
ip link delete "$BRIDGE" 2>/dev/null || true
rm -rf "/var/lib/cni/networks/$CNI_NETWORK"
find /var/lib/cni/results -name "$CNI_NETWORK-*" -delete 2>/dev/null || true
if [ -f "$dir/ip_forward.orig" ]; then cat "$dir/ip_forward.orig" >/proc/sys/net/ipv4/ip_forward; fi

# Mounts: the kubelet makes its root rshared and containerd mounts overlays and shm; unmount deepest first.
for root in "$dir" "$CONTAINERD_STATE" "$KAPPA_CONTAINERD_ROOT"; do
  awk -v root="$root" '$5 == root || index($5, root "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
done
rm -rf "$CONTAINERD_STATE" "$ETCD_DATA" "$dir"
# The CRI plugin's per-sandbox/container directories belong to the cluster, not to the image cache.
rm -rf "$KAPPA_CONTAINERD_ROOT/io.containerd.grpc.v1.cri" "$KAPPA_CONTAINERD_ROOT/io.containerd.runtime.v2.task"
if [ "$purge" = 1 ]; then
  rm -rf "$KAPPA_CONTAINERD_ROOT"
  log "removed the image store $KAPPA_CONTAINERD_ROOT"
fi
# kubepods cgroups are empty now; remove them so the next kubelet starts clean.
find /sys/fs/cgroup/*/kubepods* -depth -type d -exec rmdir {} \; 2>/dev/null || true
log "done"

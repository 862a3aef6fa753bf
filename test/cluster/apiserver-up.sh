#!/usr/bin/env bash
# A real etcd + kube-apiserver on 127.0.0.1 with free ports and an admin kubeconfig, for integration tests.
# No kubelet, no scheduler. Usage: apiserver-up.sh [state dir]   (default: a new directory under /tmp)
#   KAPPA_APISERVER_CONTROLLERS=1 also starts kube-controller-manager with the namespace, service-account and
#   garbage-collector controllers (namespace deletion and ownerReference cascades then work).
# Prints shell assignments on stdout: KAPPA_APISERVER_DIR=..., KUBECONFIG=..., KAPPA_APISERVER_URL=...
# Stop with: apiserver-down.sh <state dir>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
# shellcheck source=lib/pki.sh
source "$here/lib/pki.sh"
# shellcheck source=lib/proc.sh
source "$here/lib/proc.sh"

need=(kube-apiserver)
[ "${KAPPA_APISERVER_CONTROLLERS:-0}" = 1 ] && need+=(kube-controller-manager)
for b in "${need[@]}"; do
  if [ ! -x "$KAPPA_K8S_BIN/$b" ]; then
    echo "error: $KAPPA_K8S_BIN/$b is missing; build it with: bash test/cluster/build-k8s.sh $b" >&2
    exit 1
  fi
done
if ! command -v etcd >/dev/null; then
  echo "error: etcd is not installed; run: bash test/cluster/install-deps.sh" >&2
  exit 1
fi

# etcd's data lives in memory when /dev/shm exists: fsync on disk is what makes etcd slow on test machines.
dir="${1:-}"
if [ -z "$dir" ]; then
  base=/tmp
  [ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
  dir="$(mktemp -d "$base/kappa-apiserver.XXXXXX")"
fi
mkdir -p "$dir/pki" "$dir/etcd"
dir="$(cd "$dir" && pwd)"
if daemon_alive "$dir" kube-apiserver; then
  echo "error: an apiserver already runs from $dir; stop it with: bash test/cluster/apiserver-down.sh $dir" >&2
  exit 1
fi

# On any failure, stop what was started and remove the state: a caller that sees an error has nothing to clean.
cleanup_on_failure() {
  local status=$?
  [ $status -eq 0 ] && return
  stop_daemons "$dir" kube-controller-manager kube-apiserver etcd
  rm -rf "$dir"
  exit $status
}
trap cleanup_on_failure EXIT

pki="$dir/pki"
pki_ca "$pki" ca kappa-test-ca
pki_cert "$pki" apiserver "/CN=kube-apiserver" \
  "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.0.0.1"
pki_cert "$pki" admin "/CN=kappa-admin/O=system:masters"
pki_sa_keys "$pki"

etcd_port="$(free_port)"
peer_port="$(free_port)"
api_port="$(free_port)"
start_daemon "$dir" etcd etcd --name default --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "default=http://127.0.0.1:$peer_port" --log-level warn
start_daemon "$dir" kube-apiserver "$KAPPA_K8S_BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range 10.0.0.0/24 \
  --authorization-mode RBAC \
  --profiling=false --enable-priority-and-fairness=false --v=1
write_kubeconfig "$dir/kubeconfig" "https://127.0.0.1:$api_port" "$pki/ca.crt" "$pki/admin.crt" "$pki/admin.key" \
  kappa-admin

readyz() {
  curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$api_port/readyz" >/dev/null
}
# The etcd check goes first: an etcd that dies on start would otherwise show up as a 60 s apiserver timeout.
wait_for 30 "etcd" "$dir" etcd curl -sf "http://127.0.0.1:$etcd_port/health"
wait_for 60 "kube-apiserver /readyz" "$dir" kube-apiserver readyz

if [ "${KAPPA_APISERVER_CONTROLLERS:-0}" = 1 ]; then
  pki_cert "$pki" controller-manager "/CN=system:kube-controller-manager"
  write_kubeconfig "$dir/controller-manager.kubeconfig" "https://127.0.0.1:$api_port" "$pki/ca.crt" \
    "$pki/controller-manager.crt" "$pki/controller-manager.key" system:kube-controller-manager
  start_daemon "$dir" kube-controller-manager "$KAPPA_K8S_BIN/kube-controller-manager" \
    --kubeconfig "$dir/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$dir/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
    --controllers namespace-controller,serviceaccount-controller,serviceaccount-token-controller,garbage-collector-controller \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --use-service-account-credentials --v=1
  default_sa() {
    KUBECONFIG="$dir/kubeconfig" "$KAPPA_K8S_BIN/kubectl" get serviceaccount default -n default
  }
  if [ -x "$KAPPA_K8S_BIN/kubectl" ]; then
    wait_for 60 "the default service account" "$dir" kube-controller-manager default_sa
  fi
fi

echo "$api_port" >"$dir/port"
echo "KAPPA_APISERVER_DIR=$dir"
echo "KUBECONFIG=$dir/kubeconfig"
echo "KAPPA_APISERVER_URL=https://127.0.0.1:$api_port"

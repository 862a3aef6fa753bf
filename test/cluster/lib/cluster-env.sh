# Fixed facts of the single-node cluster, shared by up.sh, down.sh and status checks. Sourced.
# shellcheck shell=bash
dir="$KAPPA_CLUSTER_DIR"
NODE_NAME="$(hostname | tr '[:upper:]' '[:lower:]')"
# The node IP must be reachable from pods (the apiserver's Service endpoint), so not 127.0.0.1.
NODE_IP="${KAPPA_NODE_IP:-$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')}"
POD_CIDR="${KAPPA_POD_CIDR:-10.244.0.0/16}"
SERVICE_CIDR="${KAPPA_SERVICE_CIDR:-10.96.0.0/16}"
SERVICE_API_IP="10.96.0.1"
# Cluster DNS is off by default (nothing of Kappa's needs it); KAPPA_CLUSTER_DNS=1 runs CoreDNS at this IP.
CLUSTER_DNS="${KAPPA_CLUSTER_DNS:-0}"
DNS_IP="10.96.0.10"
API_PORT="${KAPPA_API_PORT:-6443}"
BRIDGE=kappa0
CNI_NETWORK=kappa
CONTAINERD_STATE=/run/kappa-containerd
# etcd's data in memory: fsync on a VM disk is what makes etcd (and so every API write) slow in tests.
ETCD_DATA=/dev/shm/kappa-cluster-etcd
[ -d /dev/shm ] && [ -w /dev/shm ] || ETCD_DATA="$dir/etcd"
SANDBOX_IMAGE="kappa/pause:1.0"
KUBECTL="$KAPPA_K8S_BIN/kubectl"
export KUBECONFIG_ADMIN="$dir/kubeconfig"

kubectl_admin() {
  "$KUBECTL" --kubeconfig "$dir/kubeconfig" "$@"
}

ctr_cluster() {
  ctr --address "$dir/containerd.sock" --namespace k8s.io "$@"
}

#!/usr/bin/env bash
# Starts a single-node Kubernetes cluster on this machine from locally built binaries and returns when the node is
# Ready. Idempotent: when the cluster already runs it only prints the kubeconfig path. Stop with down.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
# shellcheck source=lib/cluster-env.sh
source "$here/lib/cluster-env.sh"
# shellcheck source=lib/pki.sh
source "$here/lib/pki.sh"
# shellcheck source=lib/proc.sh
source "$here/lib/proc.sh"
# shellcheck source=lib/config.sh
source "$here/lib/config.sh"
start_time=$SECONDS
# One up/down at a time (with-cluster.sh holds the same lock around its own checks, not across these calls).
mkdir -p "$KAPPA_STATE_ROOT"
exec 8>"$KAPPA_STATE_ROOT/cluster-updown.lock"
flock 8
log() { echo "cluster-up: $* ($((SECONDS - start_time)) s)" >&2; }

if [ "$(id -u)" != 0 ]; then
  echo "error: the cluster needs root (containerd, kubelet, iptables); run as root" >&2
  exit 1
fi
for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  if [ ! -x "$KAPPA_K8S_BIN/$b" ]; then
    echo "error: $KAPPA_K8S_BIN/$b is missing; run: bash test/cluster/build.sh" >&2
    exit 1
  fi
done
for c in etcd containerd runc iptables conntrack; do
  if ! command -v "$c" >/dev/null; then
    echo "error: $c is not installed; run: bash test/cluster/install-deps.sh" >&2
    exit 1
  fi
done
if [ -z "$NODE_IP" ]; then
  echo "error: cannot find this host's IP from its default route; set KAPPA_NODE_IP" >&2
  exit 1
fi
if [ "$CLUSTER_DNS" = 1 ]; then
  coredns_image="$(bash "$here/../images/coredns/build.sh")"
fi
pause_tar="$KAPPA_IMAGES_CACHE/kappa_pause_1.0.tar"
if [ ! -f "$pause_tar" ]; then
  echo "error: the sandbox image $pause_tar is missing; run: bash test/cluster/build.sh" >&2
  exit 1
fi

if daemon_alive "$dir" kube-apiserver && daemon_alive "$dir" kubelet; then
  log "already running"
  echo "KUBECONFIG=$dir/kubeconfig"
  exit 0
fi
if [ -d "$dir/pids" ] && [ -n "$(ls -A "$dir/pids")" ]; then
  log "a previous cluster is half up; cleaning it first"
  KAPPA_CLUSTER_LOCK_HELD=1 bash "$here/down.sh"
fi

mkdir -p "$dir/pki" "$ETCD_DATA" "$dir/logs" "$dir/pids"
chmod 700 "$dir"

# --- certificates and kubeconfigs ---
pki="$dir/pki"
pki_ca "$pki" ca kappa-cluster-ca
pki_cert "$pki" apiserver "/CN=kube-apiserver" "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,\
DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:$NODE_NAME,IP:127.0.0.1,IP:$SERVICE_API_IP,\
IP:$NODE_IP"
pki_cert "$pki" apiserver-kubelet-client "/CN=kube-apiserver-kubelet-client/O=system:masters"
pki_cert "$pki" admin "/CN=kappa-admin/O=system:masters"
pki_cert "$pki" controller-manager "/CN=system:kube-controller-manager"
pki_cert "$pki" scheduler "/CN=system:kube-scheduler"
pki_cert "$pki" kube-proxy "/CN=system:kube-proxy"
pki_cert "$pki" kubelet "/CN=system:node:$NODE_NAME/O=system:nodes" "DNS:$NODE_NAME,IP:$NODE_IP,IP:127.0.0.1"
pki_sa_keys "$pki"
server="https://$NODE_IP:$API_PORT"
write_kubeconfig "$dir/kubeconfig" "$server" "$pki/ca.crt" "$pki/admin.crt" "$pki/admin.key" kappa-admin
for c in controller-manager scheduler kube-proxy kubelet; do
  write_kubeconfig "$dir/$c.kubeconfig" "$server" "$pki/ca.crt" "$pki/$c.crt" "$pki/$c.key" "$c"
done
log "certificates ready"

# --- host networking ---
[ -f "$dir/ip_forward.orig" ] || cat /proc/sys/net/ipv4/ip_forward >"$dir/ip_forward.orig"
echo 1 >/proc/sys/net/ipv4/ip_forward
modprobe br_netfilter 2>/dev/null || true
if [ -f /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
  echo 1 >/proc/sys/net/bridge/bridge-nf-call-iptables
fi
# A Docker engine may set the FORWARD policy to DROP, which would drop pod traffic on the bridge.
for side in -s -d; do
  iptables -C FORWARD "$side" "$POD_CIDR" -m comment --comment kappa-cluster -j ACCEPT 2>/dev/null ||
    iptables -I FORWARD "$side" "$POD_CIDR" -m comment --comment kappa-cluster -j ACCEPT
done

# --- etcd and kube-apiserver ---
etcd_port="$(free_port)"
peer_port="$(free_port)"
start_daemon "$dir" etcd etcd --name default --data-dir "$ETCD_DATA" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "default=http://127.0.0.1:$peer_port" --log-level warn
wait_for 30 etcd "$dir" etcd curl -sf "http://127.0.0.1:$etcd_port/health"
start_daemon "$dir" kube-apiserver "$KAPPA_K8S_BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
  --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$pki/ca.crt" \
  --kubelet-preferred-address-types InternalIP,Hostname \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range "$SERVICE_CIDR" \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --allow-privileged=true --profiling=false --v=1
readyz() {
  curl -sf --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "$server/readyz" >/dev/null
}
wait_for 60 "kube-apiserver /readyz" "$dir" kube-apiserver readyz
log "kube-apiserver ready"

# --- containerd and the images that cannot be pulled ---
write_containerd_config "$SANDBOX_IMAGE"
mkdir -p "$CONTAINERD_STATE"
start_daemon "$dir" containerd containerd --config "$dir/containerd/config.toml" --log-level warn
wait_for 30 containerd "$dir" containerd ctr_cluster version
# Only tarballs not imported before (by name, size and mtime) since the content store is kept; the sandbox image
# first (the kubelet needs it for any pod), the rest in the background while the other components start.
# Symlinks are other tags of an image.
stamps="$KAPPA_CONTAINERD_ROOT/kappa-imported"
touch "$stamps"
import_tar() {
  local stamp
  stamp="$(basename "$1") $(stat -c '%s %Y' "$1")"
  grep -qxF "$stamp" "$stamps" && return 0
  ctr_cluster images import "$1" >/dev/null || { echo "error: importing $1 failed" >&2; return 1; }
  echo "$stamp" >>"$stamps"
}
import_tar "$pause_tar"
(
  for tar in "$KAPPA_IMAGES_CACHE"/*.tar; do
    [ -L "$tar" ] || [ "$tar" = "$pause_tar" ] && continue
    import_tar "$tar" || true
  done
) &
import_pid=$!
log "containerd ready"

# --- control-plane controllers, kubelet, kube-proxy ---
start_daemon "$dir" kube-controller-manager "$KAPPA_K8S_BIN/kube-controller-manager" \
  --kubeconfig "$dir/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$dir/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 10257 --leader-elect=false \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --cluster-cidr "$POD_CIDR" \
  --use-service-account-credentials --v=1
start_daemon "$dir" kube-scheduler "$KAPPA_K8S_BIN/kube-scheduler" \
  --kubeconfig "$dir/scheduler.kubeconfig" \
  --authentication-kubeconfig "$dir/scheduler.kubeconfig" \
  --authorization-kubeconfig "$dir/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port 10259 --leader-elect=false --v=1
write_kubelet_config
start_daemon "$dir" kubelet "$KAPPA_K8S_BIN/kubelet" \
  --config "$dir/kubelet/config.yaml" --kubeconfig "$dir/kubelet.kubeconfig" \
  --root-dir "$dir/kubelet/root" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v=1
write_kube_proxy_config
start_daemon "$dir" kube-proxy "$KAPPA_K8S_BIN/kube-proxy" --config "$dir/kube-proxy/config.yaml" --v=1

node_ready() {
  [ "$(kubectl_admin get node "$NODE_NAME" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}
wait_for 90 "node $NODE_NAME Ready" "$dir" kubelet node_ready
default_sa() { kubectl_admin get serviceaccount default -n default; }
wait_for 30 "the default service account" "$dir" kube-controller-manager default_sa
wait "$import_pid"
if [ "$CLUSTER_DNS" = 1 ]; then
  sed -e "s|KAPPA_COREDNS_IMAGE|$coredns_image|" -e "s|KAPPA_DNS_IP|$DNS_IP|" "$here/manifests/coredns.yaml" |
    kubectl_admin apply -f - >/dev/null
  coredns_ready() { kubectl_admin -n kube-system rollout status deployment/coredns --timeout=2s; }
  wait_for 60 "CoreDNS" "$dir" kubelet coredns_ready
  log "cluster DNS at $DNS_IP"
fi
log "$(ctr_cluster images ls -q | grep -vc '^sha256:') images in containerd"
# Facts for test code (test/support/cluster.ts) and shells: `source ~/.kappa/cluster/env`.
cat >"$dir/env" <<ENV
KUBECONFIG=$dir/kubeconfig
KAPPA_KUBECTL=$KAPPA_K8S_BIN/kubectl
KAPPA_HELM=$KAPPA_K8S_BIN/helm
KAPPA_HELM3=$KAPPA_K8S_BIN/helm3
KAPPA_NODE_NAME=$NODE_NAME
KAPPA_NODE_IP=$NODE_IP
KAPPA_K8S_VERSION=$KAPPA_K8S_VERSION
KAPPA_POD_CIDR=$POD_CIDR
KAPPA_SERVICE_CIDR=$SERVICE_CIDR
KAPPA_CLUSTER_DNS=$CLUSTER_DNS
ENV
log "node $NODE_NAME Ready"
echo "KUBECONFIG=$dir/kubeconfig"

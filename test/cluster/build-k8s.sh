#!/usr/bin/env bash
# Builds the upstream Kubernetes server binaries for one pinned version from the Go module proxy.
# Idempotent: binaries already in the cache are kept. Usage: build-k8s.sh [component...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.sh
source "$here/versions.sh"

components=("$@")
if [ ${#components[@]} -eq 0 ]; then
  components=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
fi

# `go install k8s.io/kubernetes/cmd/...@version` cannot work: kubernetes requires its staging modules at v0.0.0
# through local replaces, which Go ignores in dependencies. A wrapper module replaces each one with its tag.
staging=(api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap
  code-generator component-base component-helpers controller-manager cri-api cri-client csi-translation-lib
  dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy
  kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission sample-apiserver sample-cli-plugin
  sample-controller)

mod_dir="$KAPPA_K8S_CACHE/src"
mkdir -p "$mod_dir" "$KAPPA_K8S_BIN"
if [ ! -f "$mod_dir/go.mod" ]; then
  {
    echo "module kappa.dev/k8s-build"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes $KAPPA_K8S_VERSION"
    echo
    echo "replace ("
    for m in "${staging[@]}"; do echo "	k8s.io/$m => k8s.io/$m $KAPPA_K8S_STAGING_VERSION"; done
    echo ")"
  } >"$mod_dir/go.mod.tmp"
  mv "$mod_dir/go.mod.tmp" "$mod_dir/go.mod"
  # A file that imports nothing keeps `go build` happy about the main module having a package.
  printf 'package k8sbuild\n' >"$mod_dir/doc.go"
fi

minor="${KAPPA_K8S_VERSION#v1.}"
minor="${minor%%.*}"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KAPPA_K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

export GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
cd "$mod_dir"
for c in "${components[@]}"; do
  out="$KAPPA_K8S_BIN/$c"
  if [ -x "$out" ]; then
    continue
  fi
  echo "build-k8s: building $c $KAPPA_K8S_VERSION (slow the first time)" >&2
  start=$(date +%s)
  go build -p 2 -trimpath -ldflags "$ldflags" -o "$out.tmp" "k8s.io/kubernetes/cmd/$c"
  mv "$out.tmp" "$out"
  echo "build-k8s: $c built in $(($(date +%s) - start)) s" >&2
done

#!/usr/bin/env bash
# Builds and caches (outside the repo, keyed by version) everything the test cluster needs: the Kubernetes binaries
# (Go module proxy), kubectl and helm (npm), the sandbox image and kappa/node-base. Idempotent and quick when cached.
# Needs the Debian packages of install-deps.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/install-deps.sh"
bash "$here/build-k8s.sh"
bash "$here/build-tools.sh"
bash "$here/../images/pause/build.sh"
bash "$here/../images/node-base/build.sh"

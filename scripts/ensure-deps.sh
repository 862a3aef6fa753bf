#!/usr/bin/env bash
# Installs what Kappa needs on a fresh machine, and nothing when it is all there already.
#   ensure-deps.sh start   Node packages, the build, redis-server (what `npm start` needs)
#   ensure-deps.sh test    all of the above, plus what the test suites need: a Docker engine with locally built
#                          images (testcontainers), the Lambda runtime-client build tools, and the test cluster.
set -euo pipefail
mode="${1:-start}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

log() { printf '\033[1m[kappa setup]\033[0m %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing system packages: ${missing[*]} — install them with: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "installing ${missing[*]} (apt)"
  if [ ! -f /var/lib/apt/periodic/kappa-updated ] || [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ]; then
    apt-get update -qq
    mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/kappa-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Node packages: reinstall when the lock file changed since the last install.
stamp=node_modules/.kappa-lock-sha
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing Node packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
elif [ ! -f dist/.built ] || [ -n "$(find api cli controller gateway queue runtime -name '*.ts' -newer dist/.built -print -quit)" ]; then
  log "building (the sources changed since the last build)"
  npm run --silent build
fi
touch dist/.built

apt_install redis-server

if [ "$mode" = "test" ]; then
  # aws-lambda-ric (the official Node runtime interface client, used by the runtime tests) builds native code.
  apt_install autoconf automake libtool cmake libcurl4-openssl-dev g++ make unzip nginx
  # Each step is idempotent and caches what it builds under ~/.cache/kappa, keyed by version.
  for step in test/cluster/install-deps.sh test/images/docker-up.sh test/cluster/build.sh \
    test/integration/runtime/setup-ric.sh \
    test/integration/runtime/setup-go-bootstrap.sh test/integration/runtime/setup-node22.sh; do
    if [ -f "$step" ]; then
      log "running $step"
      bash "$step" >/dev/null
    fi
  done
  # Warm the Go build cache for the CRD checker (the API server's own CRD code): its first build downloads
  # the Kubernetes modules, which must not eat into a test's timeout.
  if [ -d test/integration/api/crdcheck ]; then
    log "building the CRD checker (Go; cached after the first time)"
    (cd test/integration/api/crdcheck && GOFLAGS=-mod=mod go build -o /dev/null .)
  fi
fi

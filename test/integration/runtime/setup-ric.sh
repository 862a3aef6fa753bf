#!/usr/bin/env bash
# Builds the official Node.js runtime interface client (aws-lambda-ric, native code) into a cache outside the
# repository, once. Tests call this and skip their RIC cases when it cannot be built. Prints the install dir.
set -euo pipefail
VERSION="${RIC_VERSION:-3.3.0}"
DIR="${KAPPA_CACHE:-$HOME/.cache/kappa}/ric-$VERSION"
if [ -f "$DIR/.built" ]; then echo "$DIR"; exit 0; fi
missing=()
for pkg in autoconf automake libtool cmake libcurl4-openssl-dev g++ make unzip; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing build dependencies: ${missing[*]}" >&2
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2 && break
    echo "apt busy, retrying ($attempt)" >&2; sleep 15
  done
fi
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name":"kappa-ric-cache","private":true}' > package.json
npm install --no-audit --no-fund --foreground-scripts "aws-lambda-ric@$VERSION" >&2
test -f node_modules/aws-lambda-ric/bin/index.mjs
touch .built
echo "$DIR"

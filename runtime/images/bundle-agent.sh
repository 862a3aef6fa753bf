#!/usr/bin/env bash
# Bundles the runtime agent (runtime/main.ts and its dependencies) into one file plus the handler hosts:
#   bundle-agent.sh <out dir>   ->  <out dir>/agent.mjs, <out dir>/hosts/{node,python}/...
# Used by build-local.sh and by the Dockerfiles' build stage, so both images run the same thing.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$1"
mkdir -p "$out"
esbuild="$repo/node_modules/.bin/esbuild"
[ -x "$esbuild" ] || { echo "error: esbuild not found; run npm install in $repo" >&2; exit 1; }
# ES module output still needs `require` for the CommonJS dependencies (pino, prom-client).
"$esbuild" "$repo/runtime/main.ts" --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --banner:js="import { createRequire as __kappaRequire } from 'node:module'; const require = __kappaRequire(import.meta.url);" \
  --outfile="$out/agent.mjs"
rm -rf "$out/hosts"
mkdir -p "$out/hosts"
cp -r "$repo/runtime/hosts/node" "$repo/runtime/hosts/python" "$out/hosts/"
find "$out/hosts" -name '__pycache__' -prune -exec rm -rf {} +

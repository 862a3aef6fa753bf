#!/usr/bin/env bash
# Builds test/fixtures/functions/go-echo (github.com/aws/aws-lambda-go) into a `bootstrap` binary in a cache
# outside the repository, once. Prints the directory holding `bootstrap`.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../../fixtures/functions/go-echo" && pwd)"
HASH="$(cat "$SRC/main.go" | sha256sum | cut -c1-12)"
DIR="${KAPPA_CACHE:-$HOME/.cache/kappa}/go-echo-$HASH"
if [ -x "$DIR/bootstrap" ]; then echo "$DIR"; exit 0; fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$SRC/main.go" "$WORK/"
cd "$WORK"
go mod init kappa.dev/go-echo >&2
go get github.com/aws/aws-lambda-go@v1.47.0 >&2
CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -o bootstrap . >&2
mkdir -p "$DIR"
mv bootstrap "$DIR/bootstrap"
echo "$DIR"

#!/usr/bin/env bash
# Prints the path of s3rver (an S3-compatible server on Node.js, npm package s3rver, pinned), installing
# it once into ~/.cache/kubegate/s3rver. Used by the audit S3 sink tests; needs node and npm.
set -euo pipefail
VERSION=3.7.1
DIR="${KUBEGATE_CACHE:-$HOME/.cache/kubegate}/s3rver-$VERSION"
BIN="$DIR/node_modules/s3rver/bin/s3rver.js"
if [ ! -f "$BIN" ]; then
  mkdir -p "$DIR"
  (cd "$DIR" && npm install --no-audit --no-fund --silent "s3rver@$VERSION" >&2)
fi
echo "$BIN"

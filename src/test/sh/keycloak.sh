#!/usr/bin/env bash
# Installs the real OIDC provider of kubegate's sign-in tests: Keycloak, the Quarkus distribution
# from Maven Central (org.keycloak:keycloak-quarkus-dist, a zip), checksummed and unpacked once
# outside the repository. The tests start it themselves (testing/Keycloak.java) in dev mode.
#
#   keycloak.sh install     fetch (through ./mvnw dependency:copy), verify, unpack (cached)
#   keycloak.sh java-home   print a JDK >= 21 (Keycloak 26 needs it; kubegate itself builds on 17)
#
# Environment: KUBEGATE_CACHE (default ~/.cache/kubegate); KEYCLOAK_JAVA_HOME to name the JDK.
set -euo pipefail

KEYCLOAK_VERSION=26.5.6
KEYCLOAK_SHA256=490189d9dff05272432d51f71a069462eeca97f2920a694d539a1e6c26a5a347
CACHE="${KUBEGATE_CACHE:-$HOME/.cache/kubegate}"
HOME_DIR="$CACHE/keycloak-$KEYCLOAK_VERSION"
REPO_DIR="$(cd "$(dirname "$0")/../.." && pwd)"

log() { printf '[keycloak.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

java_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

java_home() {
  local candidates=() j
  [ -n "${KEYCLOAK_JAVA_HOME:-}" ] && candidates+=("$KEYCLOAK_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for j in /usr/lib/jvm/*; do candidates+=("$j"); done
  for j in "${candidates[@]}"; do
    if [ -x "$j/bin/java" ] && [ "$(java_major "$j")" -ge 21 ] 2>/dev/null; then
      echo "$j"
      return 0
    fi
  done
  die "Keycloak $KEYCLOAK_VERSION needs Java 21 or newer: none found under /usr/lib/jvm (set KEYCLOAK_JAVA_HOME)"
}

install() {
  if [ -x "$HOME_DIR/bin/kc.sh" ] && [ -f "$HOME_DIR/.kubegate-verified" ]; then
    echo "$HOME_DIR"
    return 0
  fi
  local dl="$CACHE/keycloak-download"
  local zip="$dl/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  mkdir -p "$dl"
  if [ ! -f "$zip" ]; then
    log "fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip from Maven Central"
    (cd "$REPO_DIR" && ./mvnw -B -ntp -q dependency:copy \
      "-Dartifact=org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" "-DoutputDirectory=$dl") >&2 \
      || die "cannot fetch Keycloak through Maven"
  fi
  echo "$KEYCLOAK_SHA256  $zip" | sha256sum -c --quiet - >&2 || { rm -f "$zip"; die "checksum mismatch for $zip (removed)"; }
  rm -rf "$HOME_DIR" "$CACHE/keycloak-unpack"
  mkdir -p "$CACHE/keycloak-unpack"
  unzip -q "$zip" -d "$CACHE/keycloak-unpack"
  mv "$CACHE/keycloak-unpack/keycloak-$KEYCLOAK_VERSION" "$HOME_DIR"
  rmdir "$CACHE/keycloak-unpack"
  touch "$HOME_DIR/.kubegate-verified"
  log "Keycloak $KEYCLOAK_VERSION in $HOME_DIR"
  echo "$HOME_DIR"
}

case "${1:-}" in
  install) install ;;
  java-home) java_home ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

#!/usr/bin/env bash
# Builds, starts and stops a real kube-apiserver (plus etcd) for kubegate's end-to-end tests.
#
#   kube-apiserver.sh build         install Debian packages, build kube-apiserver + kubectl 1.20.2
#                                   from Debian's kubernetes source (cached; 5-7 min the first time)
#   kube-apiserver.sh start <dir>   start etcd + kube-apiserver on 127.0.0.1, wait for /readyz,
#                                   create kubegate's RBAC, write kubeconfigs into <dir>
#   kube-apiserver.sh stop <dir>    stop both processes (idempotent)
#
# Files written by start into <dir>: port, admin.kubeconfig, gateway.kubeconfig, admin.token,
# gateway.token, ca.crt, tokens.csv, *.pid, etcd.log, apiserver.log, setup.log, etcd/, keys.
#
# Environment: KUBEGATE_CACHE (default ~/.cache/kubegate) holds the built binaries outside the repo.
set -euo pipefail

KUBE_VERSION=1.20.2
CACHE_DIR="${KUBEGATE_CACHE:-$HOME/.cache/kubegate}/kube-apiserver-$KUBE_VERSION"
APISERVER_BIN="$CACHE_DIR/kube-apiserver"
# kubectl is built from the same source: a matching client, and no reliance on whatever kubectl
# the machine may or may not have (Debian's kubernetes-client clashes with other kubectl packages).
KUBECTL_BIN="$CACHE_DIR/kubectl"
BUILD_LOG="$CACHE_DIR/build.log"
# Bump when the build recipe changes, so binaries cached by an older recipe are rebuilt.
BUILD_RECIPE="2 (vendored reflect2 replaced by Debian's 1.0.2)"
PACKAGES=(golang-go golang-github-modern-go-reflect2-dev etcd-server dpkg-dev build-essential
  rsync jq openssl curl)

log() { printf '[kube-apiserver.sh %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }
usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

# ---------------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------------

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing Debian packages: ${missing[*]}"
  apt-get update -q >>"$BUILD_LOG" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >>"$BUILD_LOG" 2>&1
}

# Fetches Debian's kubernetes source with a private apt configuration (deb-src for bookworm),
# so the machine's own apt sources and package lists stay untouched.
fetch_source() {
  local work=$1 apt_dir="$1/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d"
  cat >"$apt_dir/sources.list.d/debian-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  local apt_opts=(
    -o Dir::Etc::SourceList=/dev/null
    -o Dir::Etc::SourceParts="$apt_dir/sources.list.d"
    -o Dir::State::Lists="$apt_dir/lists"
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
    -o APT::Sandbox::User=root  # the cache dir is root's; _apt could not write the download
  )
  log "downloading Debian source package 'kubernetes'"
  apt-get "${apt_opts[@]}" update -q >>"$BUILD_LOG" 2>&1
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only kubernetes) >>"$BUILD_LOG" 2>&1
  local dsc
  dsc=$(ls "$work"/kubernetes_*.dsc)
  [[ $dsc == *"really$KUBE_VERSION"* || $dsc == *"_$KUBE_VERSION"* ]] \
    || die "Debian's kubernetes source is not $KUBE_VERSION: $dsc"
  log "unpacking $(basename "$dsc") (applies the Debian patches)"
  dpkg-source -x "$dsc" "$work/src" >>"$BUILD_LOG" 2>&1
}

# Kubernetes 1.20 vendors github.com/modern-go/reflect2 1.0.1, which compiles with Go 1.18+ but
# makes the apiserver panic (nil pointer in reflect2.Type2) when it decodes JSON into some map
# fields, e.g. a SubjectAccessReview or TokenReview. reflect2 1.0.2 fixes that; Debian ships it.
replace_reflect2() {
  local vendored="$1/vendor/github.com/modern-go/reflect2"
  log "replacing vendored reflect2 1.0.1 with Debian's 1.0.2 (Go 1.18+ fix)"
  [[ -d $vendored ]] || die "no $vendored"
  rm -rf "$vendored"
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 "$vendored"
  rm -f "$vendored"/*_test.go
}

compile() {
  local src=$1
  log "compiling kube-apiserver and kubectl with $(go version | cut -d' ' -f3) (several minutes; log: $BUILD_LOG)"
  # Kubernetes 1.20's build scripts use GOPATH mode (GO111MODULE=off) with the vendored
  # dependencies, so nothing is downloaded; GOPROXY=off makes sure of it. CGO off like Debian's build.
  (
    cd "$src"
    unset GOFLAGS GO111MODULE
    export GOPROXY=off GOCACHE="$src/.gocache" GOPATH="$src/.go" CGO_ENABLED=0
    make WHAT="cmd/kube-apiserver cmd/kubectl"
  ) >>"$BUILD_LOG" 2>&1
}

is_built() {
  [[ -x $APISERVER_BIN && -x $KUBECTL_BIN && $(cat "$CACHE_DIR/recipe" 2>/dev/null) == "$BUILD_RECIPE" ]]
}

cmd_build() {
  mkdir -p "$CACHE_DIR"
  # One build at a time per cache (e.g. two test runs starting together).
  exec 9>"$CACHE_DIR/.lock"
  flock 9
  set -o errtrace
  trap 'log "build FAILED; last lines of $BUILD_LOG:" >&2; tail -n 40 "$BUILD_LOG" >&2' ERR
  if is_built; then
    install_packages  # still needed at runtime (etcd, openssl, curl) on a machine with a warm cache
    log "using cached $APISERVER_BIN ($("$APISERVER_BIN" --version))"
    return 0
  fi
  local started=$SECONDS work="$CACHE_DIR/work"
  : >"$BUILD_LOG"
  install_packages
  rm -rf "$work"
  mkdir -p "$work"
  fetch_source "$work"
  replace_reflect2 "$work/src"
  compile "$work/src"
  # Copy then rename, so an interrupted build never leaves a half-written binary in the cache.
  local b
  for b in kube-apiserver kubectl; do
    cp "$work/src/_output/bin/$b" "$CACHE_DIR/$b.tmp"
    mv "$CACHE_DIR/$b.tmp" "$CACHE_DIR/$b"
  done
  echo "$BUILD_RECIPE" >"$CACHE_DIR/recipe"
  trap - ERR
  rm -rf "$work"  # sources, objects and Go cache: only the binaries are kept
  log "built $("$APISERVER_BIN" --version) in $((SECONDS - started)) s: $APISERVER_BIN"
}

# ---------------------------------------------------------------------------------------------
# start / stop
# ---------------------------------------------------------------------------------------------

# A random high port nobody listens on (a small race with other starters remains).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port found"
}

# PID from <pidfile> if that process is alive and is one of ours for <dir> (guards against PID reuse).
live_pid() {
  local pidfile=$1 dir=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir/" || return 1
  echo "$pid"
}

stop_process() {
  local name=$1 dir=$2 pid
  if pid=$(live_pid "$dir/$name.pid" "$dir"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name ($pid) ignored TERM for 5 s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name ($pid)"
  fi
  rm -f "$dir/$name.pid"
}

cmd_stop() {
  local dir
  dir=$(realpath -m "$1")
  stop_process apiserver "$dir"
  stop_process etcd "$dir"
}

gen_certs() {
  local dir=$1
  # CA, then a serving cert for 127.0.0.1/localhost signed by it; the CA also verifies client certs.
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=kubegate-e2e-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt"
  openssl req -new -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$dir/server.key" -out "$dir/server.csr"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 365 -out "$dir/server.crt" -extfile <(
      printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth"
    )
  rm -f "$dir/server.csr"
  # Key pair that signs and verifies service-account tokens.
  openssl genrsa -out "$dir/sa.key" 2048
  openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub"
}

write_kubeconfig() {
  local file=$1 user=$2 token=$3 port=$4 ca=$5
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubegate-e2e
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $(base64 -w0 <"$ca")
users:
- name: $user
  user:
    token: $token
contexts:
- name: $user
  context:
    cluster: kubegate-e2e
    user: $user
    namespace: default
current-context: $user
EOF
}

# RBAC for the tests, as the Helm chart grants it. The gateway (user kubegate-gateway) impersonates
# agents, reviews tokens and access, lists namespaces and service accounts for its escape-hatch
# report, reads roles, and gets pods and Secrets; the apiserver checks an impersonated extra "<key>: <value>" as verb impersonate on resource
# "userextras/<key>" (RBAC has no prefix wildcard like userextras/*, so the key is spelled out).
apply_rbac() {
  "$KUBECTL_BIN" --kubeconfig "$1/admin.kubeconfig" apply -f - <<'EOF'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: kubegate-impersonator
rules:
- apiGroups: [""]
  resources: ["users", "groups", "serviceaccounts"]
  verbs: ["impersonate"]
- apiGroups: ["authentication.k8s.io"]
  resources: ["userextras/kubegate.dev/session"]
  verbs: ["impersonate"]
- apiGroups: ["authentication.k8s.io"]
  resources: ["tokenreviews"]
  verbs: ["create"]
- apiGroups: ["authorization.k8s.io"]
  resources: ["subjectaccessreviews"]
  verbs: ["create"]
# kubegate rbac-check: which namespaces exist and which hold service accounts other than default.
- apiGroups: [""]
  resources: ["namespaces", "serviceaccounts"]
  verbs: ["list"]
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "clusterroles"]
  verbs: ["get"]
# as the chart's rbac.knownValues: the Secrets a pod uses (values masked in its output, token Secrets held)
- apiGroups: [""]
  resources: ["pods", "secrets"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kubegate-impersonator
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubegate-impersonator}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: kubegate-gateway}
---
# Agents in group "agents" may do anything; group "readonly-agents" gets nothing.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kubegate-agents-cluster-admin
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: agents}
---
# "view" is an aggregated role whose rules the controller-manager fills in; without one it stays
# empty, so the group is also bound to the role that holds view's actual rules.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kubegate-viewers-view
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: viewers}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: kubegate-viewers-aggregate-to-view
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:aggregate-to-view}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: viewers}
EOF
}

start_failed() {
  local dir=$1 f
  log "start FAILED" >&2
  for f in "$dir/setup.log" "$dir/etcd.log" "$dir/apiserver.log"; do
    [[ -f $f ]] && { echo "----- last lines of $f" >&2; tail -n 30 "$f" >&2; }
  done
  cmd_stop "$dir" >&2 || true
}

cmd_start() {
  local dir
  dir=$(realpath -m "$1")
  is_built || die "$APISERVER_BIN missing or outdated: run '$0 build' first"
  command -v etcd >/dev/null || die "etcd missing: run '$0 build' first"
  if live_pid "$dir/apiserver.pid" "$dir" >/dev/null || live_pid "$dir/etcd.pid" "$dir" >/dev/null; then
    die "already running in $dir: run '$0 stop $dir' first"
  fi
  mkdir -p "$dir"
  rm -rf "$dir/etcd" "$dir"/*.log
  set -o errtrace
  trap "start_failed '$dir'" ERR
  local started=$SECONDS

  gen_certs "$dir" >>"$dir/setup.log" 2>&1
  local admin_token gateway_token
  admin_token=$(openssl rand -hex 24)
  gateway_token=$(openssl rand -hex 24)
  # token,user,uid,"groups": the gateway gets no group of its own (only system:authenticated).
  printf '%s,admin,admin,"system:masters"\n%s,kubegate-gateway,kubegate-gateway\n' \
    "$admin_token" "$gateway_token" >"$dir/tokens.csv"
  echo "$admin_token" >"$dir/admin.token"
  echo "$gateway_token" >"$dir/gateway.token"
  chmod 600 "$dir/tokens.csv" "$dir"/*.token "$dir"/*.key

  local etcd_port peer_port port
  etcd_port=$(free_port)
  peer_port=$(free_port)
  port=$(free_port)
  echo "$port" >"$dir/port"

  # setsid + redirections: the servers outlive this script and hold none of the caller's pipes.
  setsid etcd --name kubegate-e2e --data-dir "$dir/etcd" --logger zap --log-outputs stderr \
    --listen-client-urls "http://127.0.0.1:$etcd_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "kubegate-e2e=http://127.0.0.1:$peer_port" \
    </dev/null >"$dir/etcd.log" 2>&1 &
  local etcd_pid=$!
  echo "$etcd_pid" >"$dir/etcd.pid"
  log "etcd started (pid $etcd_pid, client port $etcd_port)"

  # --disable-admission-plugins=ServiceAccount: there is no controller-manager to create the
  #   default ServiceAccount, without which pods would be rejected.
  # --endpoint-reconciler-type=none: the default one only logs errors for a loopback advertise
  #   address; nothing here needs Endpoints for the "kubernetes" Service.
  setsid "$APISERVER_BIN" \
    --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --secure-port "$port" \
    --advertise-address 127.0.0.1 --endpoint-reconciler-type none \
    --tls-cert-file "$dir/server.crt" --tls-private-key-file "$dir/server.key" \
    --client-ca-file "$dir/ca.crt" \
    --token-auth-file "$dir/tokens.csv" \
    --authorization-mode RBAC \
    --service-account-key-file "$dir/sa.pub" \
    --service-account-signing-key-file "$dir/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-cluster-ip-range 10.0.0.0/24 \
    --disable-admission-plugins ServiceAccount \
    --allow-privileged=true \
    </dev/null >"$dir/apiserver.log" 2>&1 &
  local apiserver_pid=$!
  echo "$apiserver_pid" >"$dir/apiserver.pid"
  log "kube-apiserver started (pid $apiserver_pid, https://127.0.0.1:$port)"

  local ready=""
  for _ in $(seq 120); do
    kill -0 "$etcd_pid" 2>/dev/null || { log "etcd exited" >&2; false; }
    kill -0 "$apiserver_pid" 2>/dev/null || { log "kube-apiserver exited" >&2; false; }
    if [[ $(curl -s --max-time 2 --cacert "$dir/ca.crt" -H "Authorization: Bearer $admin_token" \
      "https://127.0.0.1:$port/readyz" 2>/dev/null) == ok ]]; then
      ready=1
      break
    fi
    sleep 0.5
  done
  [[ -n $ready ]] || { log "kube-apiserver not ready after 60 s" >&2; false; }
  log "kube-apiserver ready after $((SECONDS - started)) s"

  write_kubeconfig "$dir/admin.kubeconfig" admin "$admin_token" "$port" "$dir/ca.crt"
  write_kubeconfig "$dir/gateway.kubeconfig" kubegate-gateway "$gateway_token" "$port" "$dir/ca.crt"
  apply_rbac "$dir" >>"$dir/setup.log" 2>&1
  # The "default" namespace is created by a controller that may finish a moment after /readyz.
  for _ in $(seq 40); do
    "$KUBECTL_BIN" --kubeconfig "$dir/admin.kubeconfig" get namespace default >/dev/null 2>&1 && break
    sleep 0.25
  done
  "$KUBECTL_BIN" --kubeconfig "$dir/admin.kubeconfig" get namespace default >/dev/null
  trap - ERR
  log "ready in $((SECONDS - started)) s: KUBECONFIG=$dir/admin.kubeconfig (gateway: $dir/gateway.kubeconfig)"
}

case "${1:-}" in
  build) [[ $# -eq 1 ]] || usage; cmd_build ;;
  start) [[ $# -eq 2 ]] || usage; cmd_start "$2" ;;
  stop) [[ $# -eq 2 ]] || usage; cmd_stop "$2" ;;
  *) usage ;;
esac

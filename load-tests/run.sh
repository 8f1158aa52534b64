#!/usr/bin/env bash
# kubegate load test: the same scenarios against the API server directly and through kubegate, in
# one run, and a table of requests/s, p50/p99 latency and the gateway/direct ratios.
#
#   load-tests/run.sh                     # test double upstream, HTTP/2, every scenario
#   PROTOCOL=h1 load-tests/run.sh         # clients speak HTTP/1.1
#   GATEWAY_OPTS='-Dkubegate.upstream.http2=false' load-tests/run.sh
#   UPSTREAM_KUBECONFIG=~/.kube/config load-tests/run.sh   # any upstream (token or client-cert auth)
#
# Settings (environment): DURATION (s measured per scenario and target, 10), WARMUP (s, 3, before
# each measurement), JIT_WARMUP (s of small GETs, plus a quarter of that of lists, per target before
# the first measurement, 30),
# ROUNDS (2; the order direct/gateway alternates), PROTOCOL (h2|h1), CONNECTIONS (HTTP/2
# connections per target, 1 — like one kubectl), SCENARIOS (get-c1,get-c16,get-c64,list-5mb,watch-1000),
# WATCHES (1000), GATEWAY_OPTS (extra JVM options for kubegate), GATEWAY_HEAP (-Xmx512m),
# UPSTREAM_OPTS (extra options for the test double), SKIP_BUILD (false), WORK (target/load),
# LABEL (free text in the report title), KUBEGATE_APP (another build's quarkus-run.jar, to compare builds).
# All traffic goes to 127.0.0.1 (or the UPSTREAM_KUBECONFIG server); every phase is time-bounded.
set -euo pipefail

cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
JIT_WARMUP=${JIT_WARMUP:-30}
ROUNDS=${ROUNDS:-2}
PROTOCOL=${PROTOCOL:-h2}
CONNECTIONS=${CONNECTIONS:-1}
SCENARIOS=${SCENARIOS:-get-c1,get-c16,get-c64,list-5mb,watch-1000}
WATCHES=${WATCHES:-1000}
GATEWAY_OPTS=${GATEWAY_OPTS:-}
GATEWAY_HEAP=${GATEWAY_HEAP:--Xmx512m}
UPSTREAM_OPTS=${UPSTREAM_OPTS:-}
UPSTREAM_KUBECONFIG=${UPSTREAM_KUBECONFIG:-}
SKIP_BUILD=${SKIP_BUILD:-false}
WORK=${WORK:-target/load}
LABEL=${LABEL:-}

APP=${KUBEGATE_APP:-target/quarkus-app/quarkus-run.jar}
CLASSPATH_FILE=target/load-test.classpath
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

log() { printf '[run.sh %(%T)T] %s\n' -1 "$*"; }
die() { log "ERROR: $*"; exit 1; }

# ---- build ----------------------------------------------------------------------------------
if [[ $SKIP_BUILD != true || ! -f $APP ]]; then
  log "building kubegate and the test classes (./mvnw package -DskipTests)"
  ./mvnw -q -B package -DskipTests
fi
if [[ ! -s $CLASSPATH_FILE || pom.xml -nt $CLASSPATH_FILE ]]; then
  log "computing the test classpath into $CLASSPATH_FILE"
  # offline first (everything is in ~/.m2 after the build); online once if a plugin is missing
  ./mvnw -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CLASSPATH_FILE" \
    || ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CLASSPATH_FILE"
fi
TEST_CP="target/test-classes:target/classes:$(cat "$CLASSPATH_FILE")"

# ---- processes, cleaned up on any exit ----------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
UPSTREAM_PID=""
GATEWAY_PID=""
LOADGEN_PID=""

stop() { # stop PID NAME: SIGTERM, then SIGKILL after 15 s
  local pid=$1 name=$2
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "$name ($pid) ignored SIGTERM; killing it"
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop "$LOADGEN_PID" "load generator"
  stop "$GATEWAY_PID" kubegate
  stop "$UPSTREAM_PID" "test double"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for_line() { # wait_for_line FILE REGEX SECONDS PID: prints the first matching line
  local file=$1 regex=$2 seconds=$3 pid=$4
  for _ in $(seq $((seconds * 10))); do
    if grep -m1 -E "$regex" "$file" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -50 "$file" >&2; die "process $pid exited (log: $file)"; }
    sleep 0.1
  done
  tail -50 "$file" >&2
  die "no line matching '$regex' in $file after ${seconds}s"
}

# ---- upstream: the test double unless UPSTREAM_KUBECONFIG is given ------------------------------
STATS_ARGS=()
if [[ -n $UPSTREAM_KUBECONFIG ]]; then
  UPSTREAM_KUBECONFIG=$(cd "$(dirname "$UPSTREAM_KUBECONFIG")" && pwd)/$(basename "$UPSTREAM_KUBECONFIG")
  log "upstream: $UPSTREAM_KUBECONFIG (given; its heap and open watches are not measured)"
else
  UPSTREAM_KUBECONFIG=$WORK/upstream.kubeconfig
  log "starting the Kubernetes API test double"
  # shellcheck disable=SC2086 # UPSTREAM_OPTS is a list of words
  "$JAVA" -Xmx1g -cp "$TEST_CP" dev.kubegate.testing.FakeKubeApiServerMain \
    --stats-port 0 $UPSTREAM_OPTS "$UPSTREAM_KUBECONFIG" >"$WORK/upstream.log" 2>&1 &
  UPSTREAM_PID=$!
  wait_for_line "$WORK/upstream.log" '^kubeconfig=' 60 "$UPSTREAM_PID" >/dev/null
  STATS_URL=$(grep -m1 '^stats=' "$WORK/upstream.log" | cut -d= -f2-)
  log "test double: $(grep -m1 '^url=' "$WORK/upstream.log" | cut -d= -f2-) (pid $UPSTREAM_PID, stats $STATS_URL)"
  STATS_ARGS=(--upstream-stats "$STATS_URL" --direct-pid "$UPSTREAM_PID")
fi

# ---- kubegate: the packaged jar, static agent token, upstream = that kubeconfig ------------------
TOKEN="load-$RANDOM$RANDOM$RANDOM"
echo "$TOKEN,load-agent,load-agent-1,\"agents\"" >"$WORK/tokens.csv"
log "starting kubegate ($APP serve${GATEWAY_OPTS:+ with $GATEWAY_OPTS})"
# shellcheck disable=SC2086 # GATEWAY_HEAP and GATEWAY_OPTS are lists of words
"$JAVA" $GATEWAY_HEAP \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.ssl-port=0 \
  -Dkubegate.data-dir="$WORK/gateway-data" \
  -Dquarkus.log.console.json.enabled=false \
  -Dkubegate.upstream.kubeconfig="$UPSTREAM_KUBECONFIG" \
  -Dkubegate.identity.static.tokens-file="$WORK/tokens.csv" \
  $GATEWAY_OPTS -jar "$APP" serve >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
LISTENING=$(wait_for_line "$WORK/gateway.log" 'Listening on: https://' 90 "$GATEWAY_PID")
GATEWAY_PORT=$(sed -E 's#.*Listening on: https://[^ ]*:([0-9]+).*#\1#' <<<"$LISTENING")
log "kubegate: https://127.0.0.1:$GATEWAY_PORT (pid $GATEWAY_PID)"
"$JAVA" -Dkubegate.data-dir="$WORK/gateway-data" -Dquarkus.http.host-enabled=false -Dquarkus.log.level=WARN \
  -jar "$APP" kubeconfig --token "$TOKEN" --server "https://127.0.0.1:$GATEWAY_PORT" --output-file "$WORK/gateway.kubeconfig" >/dev/null

# ---- the load -----------------------------------------------------------------------------------
log "load: $SCENARIOS, $PROTOCOL, ${ROUNDS} round(s) x ${DURATION}s after ${WARMUP}s warm-up"
# in the background + wait, so that a TERM/INT to this script runs the cleanup at once
"$JAVA" -Xmx1g -XX:+UseParallelGC -cp "$TEST_CP" dev.kubegate.load.LoadGenerator \
  --direct-kubeconfig "$UPSTREAM_KUBECONFIG" \
  --gateway-kubeconfig "$WORK/gateway.kubeconfig" --gateway-pid "$GATEWAY_PID" \
  "${STATS_ARGS[@]}" \
  --protocol "$PROTOCOL" --connections "$CONNECTIONS" --duration "$DURATION" --warmup "$WARMUP" --jit-warmup "$JIT_WARMUP" \
  --rounds "$ROUNDS" --scenarios "$SCENARIOS" --watches "$WATCHES" \
  --label "${LABEL:-$(nproc) cores, $PROTOCOL${GATEWAY_OPTS:+, gateway $GATEWAY_OPTS}${UPSTREAM_OPTS:+, upstream $UPSTREAM_OPTS}}" \
  --out "$WORK/results.md" &
LOADGEN_PID=$!
rc=0
wait "$LOADGEN_PID" || rc=$?
LOADGEN_PID=""
if ! kill -0 "$GATEWAY_PID" 2>/dev/null; then
  log "kubegate ($GATEWAY_PID) is no longer running: the last lines of its log follow"
  grep -v 'kubegate.access' "$WORK/gateway.log" | tail -20 || true
  rc=1
fi
log "results: $WORK/results.md; logs: $WORK/gateway.log, $WORK/upstream.log"
exit "$rc"

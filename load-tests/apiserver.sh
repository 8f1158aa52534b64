#!/usr/bin/env bash
# Small GETs of one ConfigMap on a REAL kube-apiserver (1.20.2, the test build), in one run:
#   direct      wrk -> kube-apiserver (TLS)
#   nginx       wrk -> nginx proxy_pass (TLS both sides, upstream keepalive) -> kube-apiserver
#   kubegate    wrk -> kubegate (policy, audit, access log on, shipped defaults) -> kube-apiserver
# The order rotates from round to round; the report gives req/s, p50/p99, the CPU time per request
# of every process (from /proc/<pid>/stat), kubegate's heap, and the ratios of each round.
#
#   load-tests/apiserver.sh                                   # 3 rounds x 10 s, c=16 and c=1
#   SKIP_BUILD=true ROUNDS=1 DURATION=3 WARMUP=5 load-tests/apiserver.sh   # quick smoke
#   JFR=true load-tests/apiserver.sh                          # + a JFR profile of kubegate (extra c=16 run)
#   PROFILE=async load-tests/apiserver.sh                     # + an async-profiler CPU flame graph instead
#   KUBEGATE_APP=/tmp/other/quarkus-run.jar load-tests/apiserver.sh        # another build
#   MCP=true load-tests/apiserver.sh                          # + mcp: the same GET as MCP tools/call resources_get
#
# Settings (environment): DURATION (s per measurement, 10), ROUNDS (3), WARMUP (s of load on
# kubegate before the first round, 20; 5 s for the others), CONNS (16), THREADS (wrk threads, 2), LATENCY_CONNS (the
# latency scenario's connections, 1; 0 skips it), GATEWAY_OPTS (extra JVM options for kubegate),
# GATEWAY_HEAP (-Xmx512m), KUBEGATE_APP, SKIP_BUILD, WORK (target/load-apiserver), JFR (false),
# PROFILE (jfr when JFR=true; async: async-profiler from Maven Central, tools.profiler:async-profiler
# linux-x64, attached with jcmd JVMTI.agent_load: native frames too, no safepoint bias),
# PROFILE_SECONDS (the profiled run, 20), MCP (false: a fourth target "mcp", POST /kubegate/mcp
# tools/call resources_get of the same ConfigMap, with its added p50/p99 and CPU per call over the
# kubegate GET; a profile then profiles the mcp target, and TARGETS_ONLY=kubegate,mcp skips the others).
# Needs wrk and nginx (Debian: apt-get install -y wrk nginx-light), openssl, curl. All traffic on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-20}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}
LATENCY_CONNS=${LATENCY_CONNS:-1}
GATEWAY_OPTS=${GATEWAY_OPTS:-}
GATEWAY_HEAP=${GATEWAY_HEAP:--Xmx512m}
SKIP_BUILD=${SKIP_BUILD:-false}
WORK=${WORK:-target/load-apiserver}
JFR=${JFR:-false}
PROFILE=${PROFILE:-$([[ $JFR == true ]] && echo jfr || echo none)}
PROFILE_SECONDS=${PROFILE_SECONDS:-20}
ASYNC_PROFILER_VERSION=4.1
MCP=${MCP:-false}
TARGETS_ONLY=${TARGETS_ONLY:-}
APP=${KUBEGATE_APP:-target/quarkus-app/quarkus-run.jar}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
KUBECTL=${KUBEGATE_CACHE:-$HOME/.cache/kubegate}/kube-apiserver-1.20.2/kubectl
HZ=$(getconf CLK_TCK)

log() { printf '[apiserver.sh %(%T)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for tool in wrk nginx openssl curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (Debian: apt-get install -y wrk nginx-light openssl curl)"
done

if [[ $SKIP_BUILD != true || ! -f $APP ]]; then
  log "building kubegate (./mvnw package -DskipTests)"
  ./mvnw -q -B -o package -DskipTests
fi

rm -rf "$WORK"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
API_DIR=$WORK/apiserver
GATEWAY_PID=""
NGINX_PID=""
cleanup() {
  local rc=$?
  set +e
  [[ -n $GATEWAY_PID ]] && kill "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  bash src/test/sh/kube-apiserver.sh stop "$API_DIR" >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- kube-apiserver + etcd, one ConfigMap -----------------------------------------------------------
log "starting kube-apiserver (src/test/sh/kube-apiserver.sh)"
bash src/test/sh/kube-apiserver.sh build >"$WORK/apiserver-build.log" 2>&1
bash src/test/sh/kube-apiserver.sh start "$API_DIR" >"$WORK/apiserver-start.log" 2>&1
API_PORT=$(<"$API_DIR/port")
ADMIN_TOKEN=$(<"$API_DIR/admin.token")
"$KUBECTL" --kubeconfig "$API_DIR/admin.kubeconfig" -n default create configmap load-cm \
  --from-literal=greeting=hello --from-literal=mode=small >/dev/null
CM_PATH=/api/v1/namespaces/default/configmaps/load-cm

# ---- nginx: TLS in, TLS out, keep-alive to the apiserver --------------------------------------------
mkdir -p "$WORK/nginx/logs"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout "$WORK/nginx/key.pem" \
  -out "$WORK/nginx/cert.pem" >/dev/null 2>&1
NGINX_PORT=$((20000 + RANDOM % 40000))
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/logs/access.log;
  upstream apiserver { server 127.0.0.1:$API_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $WORK/nginx/cert.pem;
    ssl_certificate_key $WORK/nginx/key.pem;
    location / {
      proxy_pass https://apiserver;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_ssl_session_reuse on;
      proxy_ssl_trusted_certificate $API_DIR/ca.crt;
      proxy_ssl_verify on;
      proxy_ssl_name localhost; # the apiserver certificate names localhost and IP 127.0.0.1; nginx checks names only
    }
  }
}
EOF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!

# ---- kubegate: the packaged jar as users run it, one static agent token -----------------------------
TOKEN="load-$RANDOM$RANDOM$RANDOM"
echo "$TOKEN,load-agent,load-agent-1,\"agents\"" >"$WORK/tokens.csv"
log "starting kubegate ($APP${GATEWAY_OPTS:+ $GATEWAY_OPTS})"
GATEWAY_START=$(date +%s%N)
# shellcheck disable=SC2086 # GATEWAY_HEAP and GATEWAY_OPTS are lists of words
# Compiler threads kept alive, so that their CPU time can be told apart (ticks_jit)
"$JAVA" $GATEWAY_HEAP -XX:FlightRecorderOptions=stackdepth=128 -XX:-UseDynamicNumberOfCompilerThreads \
  -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.ssl-port=0 \
  -Dkubegate.data-dir="$WORK/gateway-data" -Dquarkus.log.console.json.enabled=false \
  -Dkubegate.upstream.kubeconfig="$API_DIR/gateway.kubeconfig" \
  -Dkubegate.identity.static.tokens-file="$WORK/tokens.csv" \
  $GATEWAY_OPTS -jar "$APP" serve >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
GATEWAY_PORT=""
for _ in $(seq 900); do
  GATEWAY_PORT=$(grep -m1 -oE 'Listening on: https://[^ ]*:[0-9]+' "$WORK/gateway.log" | grep -oE '[0-9]+$' || true)
  [[ -n $GATEWAY_PORT ]] && break
  kill -0 "$GATEWAY_PID" 2>/dev/null || { tail -30 "$WORK/gateway.log" >&2; die "kubegate exited"; }
  sleep 0.1
done
[[ -n $GATEWAY_PORT ]] || die "kubegate did not listen within 90 s"
# First request after process start (all the way to the apiserver and back).
for _ in $(seq 300); do
  code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$GATEWAY_PORT$CM_PATH" || true)
  [[ $code == 200 ]] && break
  sleep 0.05
done
[[ $code == 200 ]] || die "kubegate answered $code for $CM_PATH"
FIRST_MS=$((($(date +%s%N) - GATEWAY_START) / 1000000))

declare -A URL AUTH
URL[direct]=https://127.0.0.1:$API_PORT$CM_PATH
URL[nginx]=https://127.0.0.1:$NGINX_PORT$CM_PATH
URL[kubegate]=https://127.0.0.1:$GATEWAY_PORT$CM_PATH
AUTH[direct]=$ADMIN_TOKEN
AUTH[nginx]=$ADMIN_TOKEN
AUTH[kubegate]=$TOKEN
if [[ $MCP == true ]]; then
  URL[mcp]=https://127.0.0.1:$GATEWAY_PORT/kubegate/mcp
  AUTH[mcp]=$TOKEN
  MCP_SESSION=$(curl -sk -D - -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' "${URL[mcp]}" -d '{"jsonrpc":"2.0","id":1,"method":"initialize",
    "params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}' \
    | tr -d '\r' | awk -F': ' 'tolower($1) == "mcp-session-id" {print $2}')
  [[ -n $MCP_SESSION ]] || die "MCP initialize gave no session"
  export MCP_SESSION
  export MCP_BODY='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"resources_get","arguments":{"apiVersion":"v1","kind":"ConfigMap","namespace":"default","name":"load-cm"}}}'
fi

# ---- measurement helpers ------------------------------------------------------------------------------
pids_of() { # pids_of NAME: the processes whose CPU is counted as NAME
  case $1 in
    apiserver) cat "$API_DIR/apiserver.pid" ;;
    etcd) cat "$API_DIR/etcd.pid" ;;
    nginx) echo "$NGINX_PID"; pgrep -P "$NGINX_PID" || true ;;
    kubegate) echo "$GATEWAY_PID" ;;
  esac
}
ticks() { # ticks NAME: utime+stime of its processes, in clock ticks
  local total=0 pid
  for pid in $(pids_of "$1"); do
    # fields after the ")" of the command name: 14th/15th of the line are the 12th/13th here
    total=$((total + $(sed -E 's/^.*\) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}
ticks_jit() { # ticks_jit: utime+stime of kubegate's JIT compiler threads
  local total=0 task
  for task in /proc/"$GATEWAY_PID"/task/*; do
    if grep -qE '^C[12] CompilerThre' "$task/comm" 2>/dev/null; then
      total=$((total + $(sed -E 's/^.*\) //' "$task/stat" | awk '{print $12 + $13}')))
    fi
  done
  echo "$total"
}
to_ms() { # wrk's "470.00us" / "1.23ms" / "1.02s" -> ms
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
run_wrk() { # run_wrk TARGET THREADS CONNS SECONDS -> "req/s p50ms p99ms errors"
  local out script=()
  [[ $1 == mcp ]] && script=(-s load-tests/mcp-call.lua)
  out=$(wrk -t"$2" -c"$3" -d"$4"s --latency "${script[@]}" -H "Authorization: Bearer ${AUTH[$1]}" -H 'Accept: application/json' "${URL[$1]}")
  echo "$out" >>"$WORK/wrk-$1.log"
  local rps p50 p99 errors non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  errors=$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps $p50 $p99 $((${errors:-0} + ${non2xx:-0}))"
}
measure() { # measure SCENARIO ROUND TARGET THREADS CONNS: one row of $WORK/rows.tsv
  local round=$2 target=$3 before_k before_a before_e before_n after_k after_a after_e after_n res requests
  local before_j after_j
  before_j=$(ticks_jit)
  before_k=$(ticks kubegate); before_a=$(ticks apiserver); before_e=$(ticks etcd); before_n=$(ticks nginx)
  res=$(run_wrk "$target" "$4" "$5" "$DURATION")
  after_k=$(ticks kubegate); after_a=$(ticks apiserver); after_e=$(ticks etcd); after_n=$(ticks nginx)
  after_j=$(ticks_jit)
  read -r rps p50 p99 errs <<<"$res"
  requests=$(awk -v r="$rps" -v d="$DURATION" 'BEGIN { printf "%d", r * d }')
  us() { awk -v t="$1" -v n="$requests" -v hz="$HZ" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "-" }'; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$1" "$target" "$rps" "$p50" "$p99" "$errs" \
    "$(us $((after_k - before_k)))" "$(us $((after_j - before_j)))" "$(us $((after_a - before_a)))" "$(us $((after_e - before_e)))" \
    "$(us $((after_n - before_n)))" | tee -a "$WORK/rows.tsv" >&2
}
heap_used_kib() { jcmd "$GATEWAY_PID" GC.heap_info 2>/dev/null | grep -oE 'used [0-9]+K' | head -1 | grep -oE '[0-9]+'; }

for t in direct nginx kubegate; do
  code=$(curl -sk -o "$WORK/check-$t.json" -w '%{http_code}' -H "Authorization: Bearer ${AUTH[$t]}" "${URL[$t]}" || true)
  [[ $code == 200 ]] || die "$t answered $code for $CM_PATH: $(head -c 300 "$WORK/check-$t.json")"
done
if [[ $MCP == true ]]; then
  curl -sk -o "$WORK/check-mcp.json" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' -H "Mcp-Session-Id: $MCP_SESSION" -H 'MCP-Protocol-Version: 2025-06-18' \
    -d "$MCP_BODY" "${URL[mcp]}"
  grep -q 'kind: ConfigMap' "$WORK/check-mcp.json" && ! grep -q '"isError":true' "$WORK/check-mcp.json" \
    || die "mcp tools/call answered: $(head -c 300 "$WORK/check-mcp.json")"
fi
# Keep-alive: a second request on the same connection (a proxy that closed it would pay a TLS handshake per call)
for t in nginx kubegate; do
  curl -sk -v -o /dev/null -o /dev/null -H "Authorization: Bearer ${AUTH[$t]}" "${URL[$t]}" "${URL[$t]}" 2>&1 \
    | grep -qiE 're-?using existing connection' || log "WARNING: $t did not keep the connection open"
done
log "kube-apiserver :$API_PORT, nginx :$NGINX_PORT, kubegate :$GATEWAY_PORT (pid $GATEWAY_PID; first request ${FIRST_MS} ms after start)"
log "warm-up: ${WARMUP}s of kubegate (JIT), 5 s of the others (connection pools)"
run_wrk kubegate "$THREADS" "$CONNS" "$WARMUP" >/dev/null # the JIT: the others are native code
[[ $MCP == true ]] && run_wrk mcp "$THREADS" "$CONNS" "$WARMUP" >/dev/null
for t in nginx direct; do run_wrk "$t" "$THREADS" "$CONNS" 5 >/dev/null; done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

printf 'round\tscenario\ttarget\treq/s\tp50 ms\tp99 ms\terrors\tCPU kubegate µs/req\tof which JIT\tCPU apiserver µs/req\tCPU etcd µs/req\tCPU nginx µs/req\n' >"$WORK/rows.tsv"
TARGETS=(direct nginx kubegate)
[[ $MCP == true ]] && TARGETS+=(mcp)
[[ -n $TARGETS_ONLY ]] && IFS=, read -r -a TARGETS <<<"$TARGETS_ONLY"
for round in $(seq "$ROUNDS"); do
  order=()
  for i in $(seq 0 $((${#TARGETS[@]} - 1))); do order+=("${TARGETS[$(((i + round - 1) % ${#TARGETS[@]}))]}"); done
  log "round $round: ${order[*]}"
  for t in "${order[@]}"; do measure "c=$CONNS" "$round" "$t" "$THREADS" "$CONNS"; done
  if [[ $LATENCY_CONNS -gt 0 ]]; then
    for t in "${order[@]}"; do measure "c=$LATENCY_CONNS" "$round" "$t" 1 "$LATENCY_CONNS"; done
  fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
async_profiler_lib() { # the linux-x64 agent library, fetched from Maven Central once
  local jar=$HOME/.m2/repository/tools/profiler/async-profiler/$ASYNC_PROFILER_VERSION/async-profiler-$ASYNC_PROFILER_VERSION-linux-x64.jar
  [[ -f $jar ]] || ./mvnw -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER_VERSION:jar:linux-x64" -Dtransitive=false >&2
  unzip -o -q "$jar" 'linux-x64/*' -d "$WORK/async-profiler"
  echo "$WORK/async-profiler/linux-x64/libasyncProfiler.so"
}
# After the measured rounds, on its own: a profile slows kubegate down (and a JFR's end leaves it busy)
PROFILED=$([[ $MCP == true ]] && echo mcp || echo kubegate)
case $PROFILE in
  jfr)
    log "JFR profile of kubegate under c=$CONNS (not part of the ratios)"
    jcmd "$GATEWAY_PID" JFR.start name=load settings=profile filename="$WORK/kubegate.jfr" >/dev/null
    DURATION=$PROFILE_SECONDS measure "c=$CONNS" jfr "$PROFILED" "$THREADS" "$CONNS"
    jcmd "$GATEWAY_PID" JFR.stop name=load >/dev/null ;;
  async)
    log "async-profiler CPU profile of kubegate under c=$CONNS (not part of the ratios)"
    lib=$(async_profiler_lib)
    # itimer: CPU time of every thread, Java and native, without perf_events (often restricted)
    # the options quoted once more: jcmd would read "a=b" in them as its own key=value arguments
    jcmd "$GATEWAY_PID" JVMTI.agent_load "$lib" '"start,event=itimer,interval=1ms"' >/dev/null
    DURATION=$PROFILE_SECONDS measure "c=$CONNS" jfr "$PROFILED" "$THREADS" "$CONNS"
    jcmd "$GATEWAY_PID" JVMTI.agent_load "$lib" "\"dump,collapsed,file=$WORK/kubegate.collapsed\"" >/dev/null
    jcmd "$GATEWAY_PID" JVMTI.agent_load "$lib" "\"stop,flamegraph,file=$WORK/kubegate-flame.html\"" >/dev/null ;;
  none) ;;
  *) die "PROFILE is jfr, async or none, not $PROFILE" ;;
esac
HEAP=$(heap_used_kib || echo "?")
RSS=$(awk '/VmRSS/ {print $2}' "/proc/$GATEWAY_PID/status")

# ---- report ------------------------------------------------------------------------------------------
# The rows by (round, scenario) and target, for the ratio tables (the JFR round is not compared).
BY_ROUND='
  $1 == "jfr" { next }
  { k = $1 SUBSEP $2; rps[k, $3] = $4; p50[k, $3] = $5; p99[k, $3] = $6; cpu[k, $3] = $8; if (!(k in seen)) { seen[k] = 1; keys[n++] = k } }
  function ratio(a, b) { return b > 0 ? a / b : 0 }'
{
  echo "# kubegate vs a real kube-apiserver: small GET of one ConfigMap"
  echo
  echo "$(date -u '+%F %T UTC'), $(nproc) cores, load average before / after the rounds: $LOAD_BEFORE / $LOAD_AFTER."
  echo "wrk -t$THREADS -c$CONNS$([[ $LATENCY_CONNS -gt 0 ]] && echo " (and -t1 -c$LATENCY_CONNS)"), $ROUNDS round(s) x ${DURATION}s, order rotating; kubegate: $APP ${GATEWAY_OPTS}"
  echo "First request through kubegate: ${FIRST_MS} ms after process start. kubegate heap used after the run: ${HEAP} KiB, RSS ${RSS} KiB."
  echo
  echo "CPU columns: CPU time per request of each process over the measurement (utime + stime from /proc); \"of which JIT\":"
  echo "kubegate's C1/C2 compiler threads (still compiling = not at steady state; on a loaded machine this takes minutes)."
  echo
  echo "| round | scenario | target | req/s | p50 ms | p99 ms | errors | CPU µs/req kubegate | of which JIT | apiserver | etcd | nginx |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  tail -n +2 "$WORK/rows.tsv" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }'
  echo
  if [[ " ${TARGETS[*]} " == *" direct "* ]]; then
    echo "Ratios per round (same round, same scenario):"
    echo
    if [[ $PROFILE != none ]]; then
      echo "Round \"jfr\": kubegate alone while a profiler ($PROFILE) records it (slower), not in the ratios."
      echo
    fi
    echo "| round | scenario | kubegate/direct | kubegate/nginx | nginx/direct | added p50 ms (kubegate - direct) | added p99 ms |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    tail -n +2 "$WORK/rows.tsv" | awk -F'\t' "$BY_ROUND"'
      END { for (i = 0; i < n; i++) { k = keys[i]; split(k, p, SUBSEP)
        printf "| %s | %s | %.2f | %.2f | %.2f | %+.2f | %+.2f |\n", p[1], p[2], ratio(rps[k, "kubegate"], rps[k, "direct"]),
          ratio(rps[k, "kubegate"], rps[k, "nginx"]), ratio(rps[k, "nginx"], rps[k, "direct"]),
          p50[k, "kubegate"] - p50[k, "direct"], p99[k, "kubegate"] - p99[k, "direct"] } }'
  fi
  if [[ $MCP == true ]]; then
    echo
    echo "MCP: tools/call resources_get vs the same GET through kubegate (same round, same scenario):"
    echo
    echo "| round | scenario | mcp/kubegate req/s | added p50 ms (mcp - kubegate) | added p99 ms | CPU µs/call kubegate GET | CPU µs/call mcp | added CPU µs |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    tail -n +2 "$WORK/rows.tsv" | awk -F'\t' "$BY_ROUND"'
      END { for (i = 0; i < n; i++) { k = keys[i]; split(k, p, SUBSEP)
        printf "| %s | %s | %.2f | %+.3f | %+.3f | %s | %s | %+d |\n", p[1], p[2], ratio(rps[k, "mcp"], rps[k, "kubegate"]),
          p50[k, "mcp"] - p50[k, "kubegate"], p99[k, "mcp"] - p99[k, "kubegate"], cpu[k, "kubegate"], cpu[k, "mcp"],
          cpu[k, "mcp"] - cpu[k, "kubegate"] } }'
  fi
} >"$WORK/results.md"
cat "$WORK/results.md"
case $PROFILE in
  jfr) python3 load-tests/jfr-top.py "$WORK/kubegate.jfr" >"$WORK/kubegate-jfr-top.txt" && log "JFR summary: $WORK/kubegate-jfr-top.txt" ;;
  async) python3 load-tests/jfr-top.py "$WORK/kubegate.collapsed" >"$WORK/kubegate-profile-top.txt" \
    && log "profile: $WORK/kubegate-flame.html, summary $WORK/kubegate-profile-top.txt" ;;
esac
log "results: $WORK/results.md (rows: $WORK/rows.tsv; logs in $WORK)"

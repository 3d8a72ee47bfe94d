#!/usr/bin/env bash
# Our gateway side by side with Portkey's open-source gateway, in one command (issue 17):
#   1. builds the extension jar (BENCH_REF=HEAD: from a git archive of that commit; BENCH_SKIP_BUILD=1: reuse
#      extension/target's jar), unpacks its own Keycloak into .run/compare-bench-server/ and builds it for production
#      ('kc.sh build', dev-file database, local caches);
#   2. installs @portkey-ai/gateway (pinned, BENCH_PORTKEY_VERSION) into .run/portkey/ unless that version is there;
#   3. holding /tmp/llm-kc.lock: starts the fake vendor in its own JVM ('GatewayBench.java --vendor'), Portkey bound to
#      127.0.0.1 (bench/portkey/loopback-launcher.mjs) and Keycloak ('kc.sh start --optimized', HTTP on 127.0.0.1:8180,
#      management 9100, the distribution's default heap), then runs 'GatewayBench.java --compare': warm-up curve of the
#      fresh server, warm-up of every target, interleaved rounds (baseline = the vendor directly, portkey, ours),
#      per-process CPU and memory, ratios and goals;
#   4. writes the report to .run/compare-bench-report.txt and stops every process it started, by PID, also on failure.
# Environment: BENCH_ARGS adds driver options (e.g. "--rounds=6 --round-requests=500 --slow-streams=1000"; see
# 'java bench/src/main/java/GatewayBench.java --help'); BENCH_JAVA_OPTS adds Keycloak JVM options (the heap stays the
# distribution's default unless given there); BENCH_FJP_PARALLELISM (default 2 on hosts with 2 CPUs or fewer, as
# docs/operations.md#small-hosts recommends; 0 = not set); BENCH_JFR=1 records Keycloak to .run/compare-bench-server.jfr
# and prints its hottest frames; BENCH_NMT=1 turns on the JVM's native memory tracking in Keycloak and adds its summary
# (where the resident memory goes: heap, classes, code, threads, GC, ...) to the report after the rounds;
# BENCH_KC_JAVA_HOME runs Keycloak on another JDK (e.g. /usr/lib/jvm/temurin-25-jdk-amd64); BENCH_DB=postgres puts
# Keycloak's database on PostgreSQL (127.0.0.1:5432, user postgres, database llm_bench_compare dropped and created
# again; the report adds PostgreSQL's CPU over the run) instead of the in-process dev-file H2; BENCH_HTTP_PORT / BENCH_MGMT_PORT (8180 / 9100), BENCH_VENDOR_PORT (18181),
# BENCH_PORTKEY_PORT (18787); BENCH_LOCK (/tmp/llm-kc.lock), BENCH_LOCK_WAIT (seconds, 7200).
# Exit code: 0 = every goal met, 3 = a goal missed, other = failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

HTTP_PORT="${BENCH_HTTP_PORT:-8180}"
MGMT_PORT="${BENCH_MGMT_PORT:-9100}"
VENDOR_PORT="${BENCH_VENDOR_PORT:-18181}"
PORTKEY_PORT="${BENCH_PORTKEY_PORT:-18787}"
PORTKEY_VERSION="${BENCH_PORTKEY_VERSION:-1.15.2}"
LOCK="${BENCH_LOCK:-/tmp/llm-kc.lock}"
for p in "$HTTP_PORT" "$MGMT_PORT" "$VENDOR_PORT" "$PORTKEY_PORT"; do
  if [ "$p" = 8080 ] || [ "$p" = 9000 ]; then
    echo "ports 8080 and 9000 belong to the test suite; pick others" >&2
    exit 2
  fi
done

KC_VERSION="$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' pom.xml | head -1)"
PROJECT_VERSION="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)"
JAR="extension/target/keycloak-llm-gateway-${PROJECT_VERSION}.jar"
BENCH_ROOT=".run/compare-bench-server"
SERVER="${ROOT}/${BENCH_ROOT}/keycloak-${KC_VERSION}"
LOG="${ROOT}/.run/compare-bench-server.log"
VENDOR_LOG="${ROOT}/.run/compare-bench-vendor.log"
PORTKEY_LOG="${ROOT}/.run/compare-bench-portkey.log"
PORTKEY_DIR="${ROOT}/.run/portkey"
PORTKEY_PKG="${PORTKEY_DIR}/node_modules/@portkey-ai/gateway"
REPORT="${BENCH_REPORT:-${ROOT}/.run/compare-bench-report.txt}"
DRIVER="bench/src/main/java/GatewayBench.java"

started_at=$SECONDS
say() { printf '==> [%d s] %s\n' "$((SECONDS - started_at))" "$*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed (Portkey)" >&2; exit 1; }
hard="$(ulimit -Hn)"
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then hard=65536; fi
ulimit -n "$hard" || true
mkdir -p .run

# ---------------------------------------------------------------------------------------------- build
if [ -n "${BENCH_REF:-}" ]; then
  SRC=".run/compare-bench-src"
  say "Building the extension jar of ${BENCH_REF} ($(git rev-parse --short "${BENCH_REF}")) in ${SRC}"
  rm -rf "$SRC"
  mkdir -p "$SRC"
  git archive "$BENCH_REF" | tar -x -C "$SRC"
  (cd "$SRC" && timeout 900 ./mvnw -q -o -B -Dmaven.test.skip=true -DskipConsole package -pl extension -am)
  JAR="${SRC}/${JAR}"
  BUILT_FROM="commit $(git rev-parse --short "$BENCH_REF") (git archive of ${BENCH_REF})"
else
  if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
    say "Building the extension jar"
    timeout 900 ./mvnw -q -o -B -Dmaven.test.skip=true -DskipConsole package -pl extension -am
  fi
  BUILT_FROM="the working tree at commit $(git rev-parse --short HEAD), $(git status --porcelain -- extension/src/main | wc -l) uncommitted changes under extension/src/main"
fi
[ -f "$JAR" ] || { echo "no jar at $JAR" >&2; exit 1; }

TARBALL=".run/download/keycloak-quarkus-dist-${KC_VERSION}.tar.gz"
ZIP=".run/download/keycloak-quarkus-dist-${KC_VERSION}.zip"
M2_ZIP="${HOME}/.m2/repository/org/keycloak/keycloak-quarkus-dist/${KC_VERSION}/keycloak-quarkus-dist-${KC_VERSION}.zip"
if [ ! -f "$TARBALL" ] && [ ! -f "$ZIP" ] && [ -f "$M2_ZIP" ]; then
  mkdir -p .run/download
  cp "$M2_ZIP" "$ZIP"
fi
if [ ! -f "$TARBALL" ] && [ ! -f "$ZIP" ]; then
  say "Fetching the Keycloak ${KC_VERSION} server distribution"
  mkdir -p .run/download
  timeout 900 ./mvnw -q -B -N org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:${KC_VERSION}:zip" -DoutputDirectory=.run/download
fi
say "Preparing a fresh Keycloak ${KC_VERSION} in ${BENCH_ROOT}"
rm -rf "$BENCH_ROOT"
mkdir -p "$BENCH_ROOT"
if [ -f "$TARBALL" ]; then
  tar xzf "$TARBALL" -C "$BENCH_ROOT"
else
  unzip -q "$ZIP" -d "$BENCH_ROOT"
fi
cp "$JAR" "$SERVER/providers/keycloak-llm-gateway.jar"
DB="${BENCH_DB:-dev-file}"
DB_START_ARGS=()
case "$DB" in
  dev-file) ;;
  postgres)
    command -v psql >/dev/null || { echo "BENCH_DB=postgres needs psql" >&2; exit 1; }
    pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "PostgreSQL is not ready on 127.0.0.1:5432" >&2; exit 1; }
    DB_START_ARGS=(--db-url=jdbc:postgresql://127.0.0.1:5432/llm_bench_compare --db-username=postgres --db-password=postgres)
    ;;
  *) echo "BENCH_DB must be dev-file or postgres" >&2; exit 2 ;;
esac
say "Building the server for production (kc.sh build --db=${DB} --cache=local)"
(cd "$SERVER" && bin/kc.sh build --db="$DB" --health-enabled=true --cache=local) >"$LOG" 2>&1 \
  || { tail -30 "$LOG" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- Portkey
installed="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "${PORTKEY_PKG}/package.json" 2>/dev/null | head -1 || true)"
if [ "$installed" != "$PORTKEY_VERSION" ]; then
  say "Installing @portkey-ai/gateway@${PORTKEY_VERSION} into ${PORTKEY_DIR}"
  rm -rf "$PORTKEY_DIR"
  mkdir -p "$PORTKEY_DIR"
  echo '{"name":"portkey-bench","private":true}' >"${PORTKEY_DIR}/package.json"
  (cd "$PORTKEY_DIR" && timeout 600 npm install --no-audit --no-fund "@portkey-ai/gateway@${PORTKEY_VERSION}")
else
  say "@portkey-ai/gateway@${PORTKEY_VERSION} already installed in ${PORTKEY_DIR}"
fi
[ -f "${PORTKEY_PKG}/build/start-server.js" ] || { echo "no ${PORTKEY_PKG}/build/start-server.js" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------- processes
KC_PID=""
JAVA_PID=""
VENDOR_PID=""
PORTKEY_PID=""
LOCK_FD=""
stop_pid() { # $1 name, $2 pid
  local name="$1" pid="$2"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  say "Stopping ${name} (pid ${pid})"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  say "${name} did not stop within 30 s: killing pid ${pid}"
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$KC_PID" ] && kill -0 "$KC_PID" 2>/dev/null; then
    local java_pid
    java_pid="$(ps -o pid= --ppid "$KC_PID" 2>/dev/null | tr -d ' ' | head -1 || true)"
    stop_pid "the bench Keycloak" "$KC_PID"
    [ -n "$java_pid" ] && kill -0 "$java_pid" 2>/dev/null && kill -KILL "$java_pid" 2>/dev/null || true
  fi
  stop_pid "Portkey" "$PORTKEY_PID"
  stop_pid "the fake vendor" "$VENDOR_PID"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The test suite's lock, held from the servers' start to the end of the measurement (servers do not inherit it).
exec {LOCK_FD}>>"$LOCK"
say "Waiting for ${LOCK} (the test suite's lock)"
flock -w "${BENCH_LOCK_WAIT:-7200}" "$LOCK_FD" || { echo "could not get ${LOCK}" >&2; exit 1; }
say "Holding ${LOCK}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for p in "$HTTP_PORT" "$MGMT_PORT" "$VENDOR_PORT" "$PORTKEY_PORT"; do
  if port_open "$p"; then
    echo "port $p on 127.0.0.1 is already in use (an earlier bench process still running?)" >&2
    exit 1
  fi
done

say "Starting the fake vendor on 127.0.0.1:${VENDOR_PORT} (own JVM), output in ${VENDOR_LOG}"
(
  exec {LOCK_FD}>&-
  exec java -Xms64m -Xmx512m -XX:+UseSerialGC "$DRIVER" --vendor --port="$VENDOR_PORT"
) >"$VENDOR_LOG" 2>&1 &
VENDOR_PID=$!

say "Starting Portkey ${PORTKEY_VERSION} on 127.0.0.1:${PORTKEY_PORT}, output in ${PORTKEY_LOG}"
(
  exec {LOCK_FD}>&-
  export NODE_ENV=production
  exec node bench/portkey/loopback-launcher.mjs "${PORTKEY_PKG}/build/start-server.js" --port="$PORTKEY_PORT" --headless
) >"$PORTKEY_LOG" 2>&1 &
PORTKEY_PID=$!

FJP="${BENCH_FJP_PARALLELISM:-}"
if [ -z "$FJP" ]; then
  if [ "$(nproc)" -le 2 ]; then FJP=2; else FJP=0; fi
fi
KC_OPTS=""
[ "$FJP" != 0 ] && KC_OPTS="-Djava.util.concurrent.ForkJoinPool.common.parallelism=${FJP}"
KC_OPTS="${KC_OPTS}${BENCH_JAVA_OPTS:+ ${BENCH_JAVA_OPTS}}"
if [ "${BENCH_NMT:-0}" = 1 ]; then
  KC_OPTS="${KC_OPTS} -XX:NativeMemoryTracking=summary"
fi
if [ "${BENCH_JFR:-0}" = 1 ]; then
  KC_OPTS="${KC_OPTS} -XX:StartFlightRecording=filename=${ROOT}/.run/compare-bench-server.jfr,settings=profile,dumponexit=true"
fi
KEK="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
if [ "$DB" = postgres ]; then
  psql -h 127.0.0.1 -U postgres -q -c 'DROP DATABASE IF EXISTS llm_bench_compare' -c 'CREATE DATABASE llm_bench_compare' >/dev/null
fi
# PostgreSQL's CPU (all its processes, in clock ticks) over the run: only Keycloak writes to it.
pg_ticks() { local t=0 p; for p in $(pgrep -x postgres 2>/dev/null); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
say "Starting Keycloak (kc.sh start --optimized) on http://127.0.0.1:${HTTP_PORT}, JAVA_OPTS_APPEND='${KC_OPTS# }', console output in ${LOG}"
(
  exec {LOCK_FD}>&-
  cd "$SERVER"
  export KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin
  export JAVA_OPTS_APPEND="$KC_OPTS"
  if [ -n "${BENCH_KC_JAVA_HOME:-}" ]; then export JAVA_HOME="$BENCH_KC_JAVA_HOME"; fi
  exec bin/kc.sh start --optimized --http-enabled=true --http-host=127.0.0.1 --http-port="$HTTP_PORT" \
    --http-management-port="$MGMT_PORT" --hostname-strict=false \
    --spi-llm-gateway--default--kek="$KEK" \
    --spi-llm-gateway--default--outbound-allow=loopback \
    --spi-llm-gateway--default--upstream-timeout-ms=30000 "${DB_START_ARGS[@]}"
) >>"$LOG" 2>&1 &
KC_PID=$!

ready=false
for _ in $(seq 1 300); do
  for pair in "Keycloak:$KC_PID" "Portkey:$PORTKEY_PID" "the fake vendor:$VENDOR_PID"; do
    if ! kill -0 "${pair##*:}" 2>/dev/null; then
      echo "${pair%%:*} exited during start-up; see ${LOG}, ${PORTKEY_LOG}, ${VENDOR_LOG}" >&2
      tail -20 "$LOG" "$PORTKEY_LOG" "$VENDOR_LOG" >&2
      exit 1
    fi
  done
  if curl -sf -m 2 "http://127.0.0.1:${MGMT_PORT}/health/ready" >/dev/null 2>&1 \
     && curl -sf -m 2 "http://127.0.0.1:${HTTP_PORT}/realms/master/.well-known/openid-configuration" >/dev/null 2>&1 \
     && curl -sf -m 2 "http://127.0.0.1:${PORTKEY_PORT}/" >/dev/null 2>&1 \
     && port_open "$VENDOR_PORT"; then
    ready=true
    break
  fi
  sleep 1
done
$ready || { echo "not ready after 300 s; see ${LOG}" >&2; tail -20 "$LOG" >&2; exit 1; }
JAVA_PID="$(ps -o pid= --ppid "$KC_PID" | tr -d ' ' | head -1 || true)"
if [ -z "$JAVA_PID" ] || [ "$(cat "/proc/$JAVA_PID/comm" 2>/dev/null)" != java ]; then
  JAVA_PID="$KC_PID"
fi
# Portkey must listen on the loopback address only.
if ss -ltn 2>/dev/null | awk '{print $4}' | grep -E ":${PORTKEY_PORT}\$" | grep -vq '^127\.0\.0\.1:'; then
  echo "Portkey listens on more than 127.0.0.1:${PORTKEY_PORT}" >&2
  exit 1
fi
say "Ready: Keycloak java pid ${JAVA_PID}, Portkey node pid ${PORTKEY_PID}, fake vendor pid ${VENDOR_PID}"

say "Running the driver"
pg_before="$([ "$DB" = postgres ] && pg_ticks || echo 0)"
driver_started=$SECONDS
set +e
# shellcheck disable=SC2086
{
  echo "Side-by-side benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GB RAM"
  echo "Extension jar built from ${BUILT_FROM}"
  echo "Keycloak ${KC_VERSION}: kc.sh start --optimized (production mode, ${DB} database, local caches, the distribution's default heap), JAVA_OPTS_APPEND='${KC_OPTS# }', $("${BENCH_KC_JAVA_HOME:-${JAVA_HOME:-/usr}}/bin/java" -version 2>&1 | head -1)"
  echo "Portkey @portkey-ai/gateway ${PORTKEY_VERSION} on node $(node --version) (NODE_ENV=production, --headless, bound to 127.0.0.1 by bench/portkey/loopback-launcher.mjs)"
  timeout 1500 java -Xms256m -Xmx1g -XX:+UseParallelGC "$DRIVER" --compare \
    --kc="http://127.0.0.1:${HTTP_PORT}" --kc-pid="$JAVA_PID" \
    --vendor-url="http://127.0.0.1:${VENDOR_PORT}" --vendor-pid="$VENDOR_PID" \
    --portkey="http://127.0.0.1:${PORTKEY_PORT}" --portkey-pid="$PORTKEY_PID" ${BENCH_ARGS:-} 2>&1
  echo "driver exit code $?"
  if [ "$DB" = postgres ]; then
    echo "PostgreSQL (Keycloak's database): $(( ($(pg_ticks) - pg_before) * 1000 / $(getconf CLK_TCK) )) ms of CPU in all its processes over the driver's $((SECONDS - driver_started)) s (processes that ended meanwhile not counted)"
  fi
  if [ "${BENCH_NMT:-0}" = 1 ]; then
    echo
    echo "== Keycloak's native memory after the rounds (jcmd VM.native_memory summary; VmRSS $(awk '/^VmRSS/ {print $2, $3}' "/proc/${JAVA_PID}/status"))"
    "${BENCH_KC_JAVA_HOME:-${JAVA_HOME:-/usr}}/bin/jcmd" "$JAVA_PID" VM.native_memory summary 2>&1 \
      | grep -E '^(Total|-? *[A-Z][A-Za-z ]+ \(reserved)' | sed 's/^-* *//'
  fi
} | tee "$REPORT"
rc="$(sed -n 's/^driver exit code \([0-9]*\)$/\1/p' "$REPORT" | tail -1)"
set -e

stop_pid "the bench Keycloak" "$KC_PID"
KC_PID=""
stop_pid "Portkey" "$PORTKEY_PID"
PORTKEY_PID=""
stop_pid "the fake vendor" "$VENDOR_PID"
VENDOR_PID=""
flock -u "$LOCK_FD"
say "Released ${LOCK}"

if [ "${BENCH_JFR:-0}" = 1 ] && [ -f .run/compare-bench-server.jfr ]; then
  {
    echo
    echo "== Flight recording of Keycloak (.run/compare-bench-server.jfr): top frames of the execution samples"
    jfr print --stack-depth 64 --events jdk.ExecutionSample .run/compare-bench-server.jfr >.run/compare-bench-samples.txt
    echo "samples: $(grep -c 'jdk.ExecutionSample' .run/compare-bench-samples.txt)"
    awk '/stackTrace = \[/ {getline; sub(/^[ \t]+/, ""); sub(/[ \t]+line:.*/, ""); print}' .run/compare-bench-samples.txt \
      | sort | uniq -c | sort -rn | awk 'NR <= 25'
    echo "== The same samples by their innermost frame of the extension (dev.llmgateway)"
    awk '/stackTrace = \[/ {in_st = 1; found = 0; next}
         in_st && /^[ \t]*\]/ {if (!found) print "(no extension frame)"; in_st = 0; next}
         in_st && !found && /dev\.llmgateway\./ {l = $0; sub(/^[ \t]+/, "", l); sub(/[ \t]+line:.*/, "", l); print l; found = 1}' \
      .run/compare-bench-samples.txt | sort | uniq -c | sort -rn | awk 'NR <= 20'
  } | tee -a "$REPORT"
fi
{
  echo
  echo "Keycloak log: $(grep -cE ' (ERROR|WARN) ' "$LOG" || true) WARN/ERROR lines in ${LOG}"
  grep -E ' (ERROR|WARN) ' "$LOG" | tail -5 || true
  echo "Portkey log: $(grep -ciE 'error' "$PORTKEY_LOG" || true) lines with 'error' in ${PORTKEY_LOG}"
  grep -iE 'error' "$PORTKEY_LOG" | head -3 | cut -c1-300 || true
} | tee -a "$REPORT"
say "Report saved to ${REPORT} (driver exit code ${rc:-?}: 0 = every goal met, 3 = a goal missed, other = failure)"
exit "${rc:-1}"

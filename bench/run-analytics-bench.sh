#!/usr/bin/env bash
# Benchmarks the admin usage analytics (/admin/realms/{realm}/llm/stats, /usage, /usage/export) on PostgreSQL, in one
# command:
#   1. builds the extension jar (or reuses it), unpacks its own Keycloak into .run/analytics-bench-server/ (never
#      .run/server) with the jar, built for PostgreSQL ('kc.sh build --db=postgres', production mode);
#   2. drops and recreates the database llm_bench_analytics on 127.0.0.1:5432 (user postgres), starts Keycloak on it
#      once so Liquibase creates every table (ours included), creates the realm 'analytics' (1,000 users with a power
#      level each, 6 clients, 4 levels, 5 providers with 3 models each) and stops it;
#   3. fills LLM_USAGE_EVENT, LLM_USAGE_DAILY and LLM_USAGE_ROLLUP with 10 million usage events over 400 days through
#      COPY, the rollups summed by the extension's own Rollup.aggregate (bench/src/main/java/AnalyticsBench.java);
#   4. starts Keycloak again ('kc.sh start --optimized', HTTP on 127.0.0.1:8180, management 9100, never the test
#      suite's 8080/9000; usage retention off so the 10 M events stay), and, holding /tmp/llm-kc.lock so the test
#      suite does not share the CPU, times /stats and /usage, streams the CSV export while sampling the server's heap,
#      then starts it once more with PostgreSQL's auto_explain loaded into its connections and lists, per request, the
#      statements it runs and their plans (PostgreSQL's log);
#   5. prints the report (also .run/analytics-bench-report.txt) and stops the server it started, by PID, also on failure.
# Environment: BENCH_EVENTS (10000000), BENCH_DAYS (400), BENCH_USERS (1000), BENCH_SEED (42);
# BENCH_SKIP_FILL=1 reuses the database of an earlier run (state in .run/analytics-bench-state.properties);
# BENCH_SKIP_BUILD=1 reuses extension/target's jar; BENCH_REF=HEAD (or any commit) builds that commit's jar from a
# git archive in .run/analytics-bench-src/ instead of the working tree; BENCH_JFR=1 records the measuring server to
# .run/analytics-bench-server.jfr (for 'jfr print'); BENCH_WARMUP (20) / BENCH_REPEAT (100) calls per request;
# BENCH_EXPORT_PERIOD (30d); BENCH_DB (llm_bench_analytics); BENCH_HTTP_PORT / BENCH_MGMT_PORT (8180 / 9100);
# BENCH_QUIET_WAIT (900): before each timed phase the driver waits up to this many seconds until processes other than
# Keycloak, PostgreSQL and itself use less than 0.3 cores (builds, browsers of other work), and reports what they used;
# BENCH_JAVA_OPTS adds server JVM options (the heap stays the distribution's default, -Xms64m -Xmx512m, unless
# BENCH_HEAP sets JAVA_OPTS_KC_HEAP); BENCH_LOCK (/tmp/llm-kc.lock), BENCH_LOCK_WAIT (seconds, 7200);
# BENCH_DIAGNOSE=0 skips the diagnostic pass; BENCH_PG_LOG names PostgreSQL's log file (the pass reads it).
# Exit code: 0 = every target met, 3 = a target missed, other = failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

HTTP_PORT="${BENCH_HTTP_PORT:-8180}"
MGMT_PORT="${BENCH_MGMT_PORT:-9100}"
for p in "$HTTP_PORT" "$MGMT_PORT"; do
  if [ "$p" = 8080 ] || [ "$p" = 9000 ]; then
    echo "ports 8080 and 9000 belong to the test suite; pick others" >&2
    exit 2
  fi
done
DB_NAME="${BENCH_DB:-llm_bench_analytics}"
case "$DB_NAME" in
  llm_bench*) ;;
  *) echo "BENCH_DB must start with llm_bench (the benchmark drops and recreates it)" >&2; exit 2 ;;
esac
PG=(psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -X -q)
DB_URL="jdbc:postgresql://127.0.0.1:5432/${DB_NAME}"
EVENTS="${BENCH_EVENTS:-10000000}"
DAYS="${BENCH_DAYS:-400}"
USERS="${BENCH_USERS:-1000}"
SEED="${BENCH_SEED:-42}"
LOCK="${BENCH_LOCK:-/tmp/llm-kc.lock}"

KC_VERSION="$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' pom.xml | head -1)"
PROJECT_VERSION="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)"
JAR="extension/target/keycloak-llm-gateway-${PROJECT_VERSION}.jar"
BENCH_ROOT=".run/analytics-bench-server"
SERVER="${ROOT}/${BENCH_ROOT}/keycloak-${KC_VERSION}"
LOG="${ROOT}/.run/analytics-bench-server.log"
GC_LOG="${ROOT}/.run/analytics-bench-gc.log"
STATE="${ROOT}/.run/analytics-bench-state.properties"
FILL_LOG="${ROOT}/.run/analytics-bench-fill.txt"
MEASURE_LOG="${ROOT}/.run/analytics-bench-measure.txt"
DIAG_LOG="${ROOT}/.run/analytics-bench-diagnose.txt"
REPORT="${BENCH_REPORT:-${ROOT}/.run/analytics-bench-report.txt}"
KEK_FILE="${ROOT}/.run/analytics-bench.kek"
DRIVER="bench/src/main/java/AnalyticsBench.java"

started_at=$SECONDS
say() { printf '==> [%d s] %s\n' "$((SECONDS - started_at))" "$*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for p in "$HTTP_PORT" "$MGMT_PORT"; do
  if port_open "$p"; then
    echo "port $p on 127.0.0.1 is already in use (an earlier bench server still running?)" >&2
    exit 1
  fi
done
"${PG[@]}" -d postgres -c 'select 1' >/dev/null || { echo "PostgreSQL on 127.0.0.1:5432 (user postgres) is not reachable" >&2; exit 1; }
command -v jstat >/dev/null && command -v jcmd >/dev/null || { echo "jstat and jcmd (the JDK's) are needed" >&2; exit 1; }
mkdir -p .run

if [ -n "${BENCH_REF:-}" ]; then
  # A committed version, built apart from the working tree (whatever is being edited there).
  SRC=".run/analytics-bench-src"
  say "Building the extension jar of ${BENCH_REF} ($(git rev-parse --short "${BENCH_REF}")) in ${SRC}"
  rm -rf "$SRC"
  mkdir -p "$SRC"
  git archive "$BENCH_REF" | tar -x -C "$SRC"
  (cd "$SRC" && timeout 900 ./mvnw -q -o -B -Dmaven.test.skip=true -DskipConsole package -pl extension -am)
  JAR="${SRC}/${JAR}"
  BUILT_FROM="commit $(git rev-parse --short "$BENCH_REF") (git archive of ${BENCH_REF})"
else
  if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
    say "Building the extension jar (back end only)"
    timeout 900 ./mvnw -q -o -B -Dmaven.test.skip=true -DskipConsole package -pl extension -am
  fi
  BUILT_FROM="the working tree at commit $(git rev-parse --short HEAD), $(git status --porcelain -- extension/src/main | wc -l) uncommitted changes under extension/src/main"
fi
[ -f "$JAR" ] || { echo "no jar at $JAR" >&2; exit 1; }

# The distribution: the tar.gz ./run and the gateway bench fetch, or else the zip (the test framework's, often cached).
TARBALL=".run/download/keycloak-quarkus-dist-${KC_VERSION}.tar.gz"
ZIP=".run/download/keycloak-quarkus-dist-${KC_VERSION}.zip"
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
# The driver's class path: our jar, and the server's libraries (pgjdbc, jboss-logging, Jackson, ...).
CP="${SERVER}/providers/keycloak-llm-gateway.jar:${SERVER}/lib/lib/main/*:$(ls "$SERVER"/lib/lib/boot/org.jboss.logging.jboss-logging-*.jar)"

say "Building the server for PostgreSQL (kc.sh build)"
(cd "$SERVER" && bin/kc.sh build --db=postgres --health-enabled=true --cache=local) >"$LOG" 2>&1 \
  || { tail -30 "$LOG" >&2; exit 1; }

# The key-encryption key seals the providers' keys: the same one on every start against this database.
if [ ! -s "$KEK_FILE" ] || [ "${BENCH_SKIP_FILL:-0}" != 1 ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n' >"$KEK_FILE")
fi
KEK="$(cat "$KEK_FILE")"

KC_PID=""
JAVA_PID=""
stop_kc() {
  if [ -n "$KC_PID" ] && kill -0 "$KC_PID" 2>/dev/null; then
    say "Stopping the bench Keycloak (pid $KC_PID)"
    local java_pid
    java_pid="$(ps -o pid= --ppid "$KC_PID" 2>/dev/null | tr -d ' ' | head -1 || true)"
    kill -TERM "$KC_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$KC_PID" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$KC_PID" 2>/dev/null; then
      say "Keycloak did not stop within 30 s: killing pid $KC_PID ${java_pid}"
      [ -n "$java_pid" ] && kill -KILL "$java_pid" 2>/dev/null || true
      kill -KILL "$KC_PID" 2>/dev/null || true
    fi
  fi
  KC_PID=""
  JAVA_PID=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_kc
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# $1: appended to the JDBC URL (the diagnostic start loads auto_explain into Keycloak's connections).
start_kc() {
  local url_suffix="${1:-}"
  say "Starting Keycloak (kc.sh start --optimized) on http://127.0.0.1:${HTTP_PORT}${url_suffix:+ with auto_explain}, console output in ${LOG}"
  rm -f "$GC_LOG"
  (
    if [ -n "${LOCK_FD:-}" ]; then exec {LOCK_FD}>&-; fi
    cd "$SERVER"
    export KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin
    if [ -n "${BENCH_HEAP:-}" ]; then
      export JAVA_OPTS_KC_HEAP="$BENCH_HEAP"
    fi
    JAVA_OPTS_APPEND="-Xlog:gc:file=${GC_LOG}:uptime ${BENCH_JAVA_OPTS:-}"
    if [ "${BENCH_JFR:-0}" = 1 ]; then
      JAVA_OPTS_APPEND="$JAVA_OPTS_APPEND -XX:StartFlightRecording=filename=${ROOT}/.run/analytics-bench-server.jfr,settings=profile,dumponexit=true"
    fi
    export JAVA_OPTS_APPEND
    exec bin/kc.sh start --optimized --http-enabled=true --http-host=127.0.0.1 --http-port="$HTTP_PORT" \
      --http-management-port="$MGMT_PORT" --hostname-strict=false \
      --db-url="${DB_URL}${url_suffix}" --db-username=postgres --db-password=unused \
      --spi-llm-gateway--default--kek="$KEK" \
      --spi-llm-gateway--default--usage-retention-days=0
  ) >>"$LOG" 2>&1 &
  KC_PID=$!
  local ready=false
  for _ in $(seq 1 300); do
    if ! kill -0 "$KC_PID" 2>/dev/null; then
      echo "Keycloak exited during start-up; last lines of ${LOG}:" >&2
      tail -40 "$LOG" >&2
      exit 1
    fi
    if curl -sf -m 2 "http://127.0.0.1:${MGMT_PORT}/health/ready" >/dev/null 2>&1 \
       && curl -sf -m 2 "http://127.0.0.1:${HTTP_PORT}/realms/master/.well-known/openid-configuration" >/dev/null 2>&1; then
      ready=true
      break
    fi
    sleep 1
  done
  if ! $ready; then
    echo "Keycloak not ready after 300 s; last lines of ${LOG}:" >&2
    tail -40 "$LOG" >&2
    exit 1
  fi
  JAVA_PID="$(ps -o pid= --ppid "$KC_PID" | tr -d ' ' | head -1 || true)"
  if [ -z "$JAVA_PID" ] || [ "$(cat "/proc/$JAVA_PID/comm" 2>/dev/null)" != java ]; then
    JAVA_PID="$KC_PID"
  fi
  say "Keycloak ready: kc.sh pid $KC_PID, java pid $JAVA_PID"
}

driver() {
  java -Xms512m -Xmx2g -XX:+UseParallelGC -cp "$CP" "$DRIVER" "$@" \
    --kc="http://127.0.0.1:${HTTP_PORT}" --db="$DB_URL" --db-user=postgres --state="$STATE"
}

if [ "${BENCH_SKIP_FILL:-0}" != 1 ]; then
  say "Recreating the database ${DB_NAME}"
  "${PG[@]}" -d postgres -c "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)" -c "CREATE DATABASE ${DB_NAME}"
  start_kc
  say "Setting up the realm (Liquibase has created the schema)"
  driver setup --users="$USERS" --seed="$SEED"
  stop_kc
  say "Filling ${EVENTS} usage events over ${DAYS} days (Keycloak stopped)"
  fill_started=$SECONDS
  driver fill --events="$EVENTS" --days="$DAYS" --seed="$SEED" 2>&1 | tee "$FILL_LOG"
  [ "${PIPESTATUS[0]}" = 0 ] || { echo "the fill failed" >&2; exit 1; }
  echo "Fill wall time (driver start to end, JVM and compilation included): $((SECONDS - fill_started)) s" | tee -a "$FILL_LOG"
else
  [ -f "$STATE" ] || { echo "BENCH_SKIP_FILL=1 but no ${STATE}: run once without it" >&2; exit 1; }
  say "Reusing the database ${DB_NAME} (BENCH_SKIP_FILL=1); its fill log: ${FILL_LOG}"
fi

start_kc
# The test suite's lock, held while measuring (the timed calls, the exports, the diagnostic pass).
exec {LOCK_FD}>>"$LOCK"
say "Waiting for ${LOCK} (the test suite's lock) before measuring"
flock -w "${BENCH_LOCK_WAIT:-7200}" "$LOCK_FD" || { echo "could not get ${LOCK}" >&2; exit 1; }
say "Holding ${LOCK}"
set +e
driver measure --kc-pid="$JAVA_PID" --gc-log="$GC_LOG" --warmup="${BENCH_WARMUP:-20}" --repeat="${BENCH_REPEAT:-100}" \
  --export-period="${BENCH_EXPORT_PERIOD:-30d}" --quiet-wait="${BENCH_QUIET_WAIT:-900}" 2>&1 | tee "$MEASURE_LOG"
rc=${PIPESTATUS[0]}
set -e
stop_kc
: >"$DIAG_LOG"
if [ "${BENCH_DIAGNOSE:-1}" = 1 ]; then
  # The same server again, its connections loading auto_explain (every statement's plan with actual rows and buffers)
  # and logging every statement's duration and parameters into PostgreSQL's log: which statements each request runs
  # and where their time goes; the slowest is explained again with its parameters. Not part of the timed figures.
  start_kc "?options=-c%20session_preload_libraries%3Dauto_explain%20-c%20auto_explain.log_min_duration%3D0%20-c%20auto_explain.log_analyze%3Don%20-c%20auto_explain.log_timing%3Doff%20-c%20auto_explain.log_buffers%3Don%20-c%20log_min_duration_statement%3D0"
  set +e
  driver diagnose --export-period="${BENCH_EXPORT_PERIOD:-30d}" \
    --pg-log="${BENCH_PG_LOG:-/var/log/postgresql/postgresql-15-main.log}" 2>&1 | tee "$DIAG_LOG"
  set -e
  stop_kc
fi
flock -u "$LOCK_FD"
exec {LOCK_FD}>&-
say "Released ${LOCK}"

{
  echo "Analytics benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GB RAM"
  echo "Extension jar built from ${BUILT_FROM}"
  echo "Keycloak ${KC_VERSION} (kc.sh start --optimized, production mode, HTTP, local caches, heap ${BENCH_HEAP:-default -Xms64m -Xmx512m}), PostgreSQL on 127.0.0.1, database ${DB_NAME}"
  echo "Events ${EVENTS} over ${DAYS} days, ${USERS} users; usage retention off for the benchmark (the default, 90 days, would keep about 2.2 M of them)"
  echo
  echo "== Fill"
  cat "$FILL_LOG" 2>/dev/null || echo "(no fill log)"
  echo
  sed '/^== Verdict/,$d' "$MEASURE_LOG"
  cat "$DIAG_LOG"
  echo
  sed -n '/^== Verdict/,$p' "$MEASURE_LOG"
} >"$REPORT"
errors_in_log="$(grep -cE ' (ERROR|WARN) ' "$LOG" || true)"
say "Keycloak log: ${errors_in_log} WARN/ERROR lines in ${LOG}"
grep -E ' (ERROR|WARN) ' "$LOG" | tail -10 || true
say "Report saved to ${REPORT} (driver exit code ${rc}: 0 = every target met, 3 = a target missed, other = failure)"
exit "$rc"

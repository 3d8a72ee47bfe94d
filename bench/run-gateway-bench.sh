#!/usr/bin/env bash
# Benchmarks the LLM gateway on loopback, in one command:
#   builds the extension jar, unpacks its own Keycloak server into .run/bench-server/ (never .run/server), installs the
#   jar, starts 'kc.sh start-dev' on 127.0.0.1:8180 (management 9100), waits until it is ready, runs the load driver
#   bench/src/main/java/GatewayBench.java (its own fake vendor, realm 'bench', providers, load), prints the report (also saved to
#   .run/bench-report.txt) and stops the server it started, by PID, also on failure. Server console: .run/bench-server.log.
# Environment: BENCH_SKIP_BUILD=1 reuses extension/target's jar; BENCH_HTTP_PORT / BENCH_MGMT_PORT (default 8180 / 9100);
# BENCH_JAVA_OPTS adds JVM options to the server (e.g. -Djava.util.concurrent.ForkJoinPool.common.parallelism=2);
# BENCH_JFR=1 records a Java Flight Recording of the server to .run/bench-server.jfr (for 'jfr print');
# BENCH_ARGS adds driver options (e.g. "--requests=2000 --slow-streams=200"; see 'java bench/src/main/java/GatewayBench.java --help');
# BENCH_DRIVER picks another driver on the same server set-up (bench/run-token-bench.sh uses bench/src/main/java/TokenBench.java).
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

KC_VERSION="$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' pom.xml | head -1)"
PROJECT_VERSION="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)"
JAR="extension/target/keycloak-llm-gateway-${PROJECT_VERSION}.jar"
TARBALL=".run/download/keycloak-quarkus-dist-${KC_VERSION}.tar.gz"
BENCH_ROOT=".run/bench-server"
SERVER="${BENCH_ROOT}/keycloak-${KC_VERSION}"
LOG="${ROOT}/.run/bench-server.log"
REPORT="${BENCH_REPORT:-${ROOT}/.run/bench-report.txt}"

say() { printf '==> %s\n' "$*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Many sockets at once (1,000 slow streams: the driver holds ~2,000, Keycloak ~2,000): raise the soft limit.
hard="$(ulimit -Hn)"
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then hard=65536; fi
ulimit -n "$hard" || true
say "Open files limit: $(ulimit -n)"

for p in "$HTTP_PORT" "$MGMT_PORT"; do
  if port_open "$p"; then
    echo "port $p on 127.0.0.1 is already in use (an earlier bench server still running?)" >&2
    exit 1
  fi
done

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
  say "Building the extension jar"
  timeout 900 ./mvnw -q -B -DskipTests package
fi
[ -f "$JAR" ] || { echo "no jar at $JAR" >&2; exit 1; }

# The tar.gz, or else the zip (the test framework's, usually in the local Maven repository already).
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
    -Dartifact="org.keycloak:keycloak-quarkus-dist:${KC_VERSION}:tar.gz" -DoutputDirectory=.run/download
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

KC_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
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
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

KEK="$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
say "Starting Keycloak on http://127.0.0.1:${HTTP_PORT} (management ${MGMT_PORT}), console output in ${LOG}"
(
  cd "$SERVER"
  export KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin
  JAVA_OPTS_APPEND="${BENCH_JAVA_OPTS:-}"
  if [ "${BENCH_JFR:-0}" = 1 ]; then
    JAVA_OPTS_APPEND="$JAVA_OPTS_APPEND -XX:StartFlightRecording=filename=${ROOT}/.run/bench-server.jfr,settings=profile,dumponexit=true"
  fi
  export JAVA_OPTS_APPEND
  exec bin/kc.sh start-dev --http-host=127.0.0.1 --http-port="$HTTP_PORT" --http-management-port="$MGMT_PORT" \
    --health-enabled=true \
    --spi-llm-gateway--default--kek="$KEK" \
    --spi-llm-gateway--default--outbound-allow=loopback \
    --spi-llm-gateway--default--upstream-timeout-ms=30000
) >"$LOG" 2>&1 &
KC_PID=$!

say "Waiting for Keycloak to be ready (at most 240 s)"
ready=false
for _ in $(seq 1 240); do
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
  echo "Keycloak not ready after 240 s; last lines of ${LOG}:" >&2
  tail -40 "$LOG" >&2
  exit 1
fi

# kc.sh runs java as its child (or execs it after a re-augmentation): the process to sample is the java one.
JAVA_PID="$(ps -o pid= --ppid "$KC_PID" | tr -d ' ' | head -1 || true)"
if [ -z "$JAVA_PID" ] || [ "$(cat "/proc/$JAVA_PID/comm" 2>/dev/null)" != java ]; then
  JAVA_PID="$KC_PID"
fi
say "Keycloak ready: kc.sh pid $KC_PID, java pid $JAVA_PID ($(grep -E '^(VmRSS|Threads)' "/proc/$JAVA_PID/status" | tr -s ' \t' ' ' | tr '\n' ' '))"

say "Running the load driver"
set +e
# shellcheck disable=SC2086
timeout 600 java -Xms256m -Xmx1g -XX:+UseParallelGC "${BENCH_DRIVER:-bench/src/main/java/GatewayBench.java}" \
  --kc="http://127.0.0.1:${HTTP_PORT}" --kc-pid="$JAVA_PID" ${BENCH_ARGS:-} 2>&1 | tee "$REPORT"
rc=${PIPESTATUS[0]}
set -e

errors_in_log="$(grep -cE ' (ERROR|WARN) ' "$LOG" || true)"
say "Keycloak log: ${errors_in_log} WARN/ERROR lines in ${LOG}"
grep -E ' (ERROR|WARN) ' "$LOG" | grep -v -E 'start-dev|development mode|dev-kek' | tail -15 || true
say "Report saved to ${REPORT} (driver exit code ${rc}: 0 = every target met, 3 = a target missed, other = failure)"
exit "$rc"

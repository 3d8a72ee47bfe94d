#!/usr/bin/env bash
# The rate limiter's cost on the gateway's hot path, in one command.
#   bench/run-limiter-bench.sh          the microbenchmark bench/src/main/java/LimiterBench.java: RateLimiter.admit +
#                                       settle (a caller limit; a caller and a provider limit) on an embedded Infinispan
#                                       local cache (Keycloak's single-node work cache) and on LocalCounters, at 1 and 32
#                                       threads, one user or one per thread (~4 minutes);
#                                       report in .run/limiter-bench-report.txt
#   bench/run-limiter-bench.sh --e2e    paired rounds in a fresh bench Keycloak (bench/run-gateway-bench.sh's set-up,
#                                       127.0.0.1:8180 / 9100): a user without limits and one with limits it never
#                                       reaches, back to back at concurrency 1 and 32 (GatewayBench --limiter-paired,
#                                       ~8 minutes); report in .run/limiter-e2e-report.txt
#   bench/run-limiter-bench.sh --all    both
# Both hold /tmp/llm-kc.lock (the test suite's lock) while they measure, so that no integration suite shares the CPU;
# the machine's load is printed with the figures.
# Environment: BENCH_SKIP_BUILD=1 reuses extension/target's jar; BENCH_CLUSTER=1 adds two Infinispan nodes in the
# microbenchmark's JVM (replicated work cache over JGroups TCP on loopback); BENCH_MICRO_ARGS / BENCH_E2E_ARGS add driver
# options (java bench/src/main/java/LimiterBench.java --help; GatewayBench --paired=1:600,32:3000 --paired-rounds=16
# --warmup=N); BENCH_LOCK (/tmp/llm-kc.lock), BENCH_LOCK_WAIT (seconds, 7200); BENCH_NO_LOCK=1 measures without it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

MODE="${1:---micro}"
case "$MODE" in
  --micro|--e2e|--all) ;;
  *) echo "usage: bench/run-limiter-bench.sh [--micro|--e2e|--all]" >&2; exit 2 ;;
esac

say() { printf '==> %s\n' "$*"; }

KC_VERSION="$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' pom.xml | head -1)"
PROJECT_VERSION="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' pom.xml)"
JAR="extension/target/keycloak-llm-gateway-${PROJECT_VERSION}.jar"
LOCK="${BENCH_LOCK:-/tmp/llm-kc.lock}"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -f "$JAR" ]; then
  say "Building the extension jar (back end only)"
  timeout 900 ./mvnw -q -o -B -Dmaven.test.skip=true -DskipConsole package -pl extension -am
fi
[ -f "$JAR" ] || { echo "no jar at $JAR" >&2; exit 1; }

# Runs "$@" holding the test suite's lock (the lock's descriptor is not passed on: a server the command starts does
# not keep the lock after it).
locked() {
  if [ "${BENCH_NO_LOCK:-0}" = 1 ]; then
    "$@"
  else
    say "Waiting for ${LOCK} (the test suite's lock)"
    flock -o -w "${BENCH_LOCK_WAIT:-7200}" "$LOCK" "$@"
  fi
}

micro() {
  # Keycloak's own libraries (Infinispan, JGroups, jboss-logging, ...) from its distribution's zip.
  local libs=".run/limiter-bench/keycloak-${KC_VERSION}"
  if [ ! -d "$libs/lib/lib/main" ]; then
    local zip=".run/download/keycloak-quarkus-dist-${KC_VERSION}.zip"
    local m2zip="${HOME}/.m2/repository/org/keycloak/keycloak-quarkus-dist/${KC_VERSION}/keycloak-quarkus-dist-${KC_VERSION}.zip"
    if [ ! -f "$zip" ]; then
      mkdir -p .run/download
      if [ -f "$m2zip" ]; then
        cp "$m2zip" "$zip"
      else
        timeout 900 ./mvnw -q -B -N org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
          -Dartifact="org.keycloak:keycloak-quarkus-dist:${KC_VERSION}:zip" -DoutputDirectory=.run/download
      fi
    fi
    say "Unpacking Keycloak ${KC_VERSION}'s libraries into .run/limiter-bench/"
    rm -rf .run/limiter-bench
    mkdir -p .run/limiter-bench
    unzip -q "$zip" "keycloak-${KC_VERSION}/lib/*" -d .run/limiter-bench
  fi
  local cp="${JAR}:${libs}/lib/lib/main/*:$(ls "$libs"/lib/lib/boot/org.jboss.logging.jboss-logging-*.jar)"
  local args="${BENCH_MICRO_ARGS:-}"
  if [ "${BENCH_CLUSTER:-0}" = 1 ]; then args="--cluster $args"; fi
  local report="${ROOT}/.run/limiter-bench-report.txt"
  # shellcheck disable=SC2086
  locked bash -c 'echo "uptime before: $(uptime)"; java -Xms1g -Xmx1g -XX:+UseG1GC -Djava.net.preferIPv4Stack=true \
      -cp "$0" bench/src/main/java/LimiterBench.java "$@"; rc=$?; echo "uptime after: $(uptime)"; exit $rc' \
    "$cp" $args 2>&1 | grep --line-buffered -v -E '^warning: unknown enum constant|^[0-9]+ warnings$|^SLF4J|^org.slf4j.spi.SLF4JServiceProvider' | tee "$report"
  local rc=${PIPESTATUS[0]}
  say "Report saved to ${report}"
  return "$rc"
}

e2e() {
  local report="${ROOT}/.run/limiter-e2e-report.txt"
  locked bash -c 'echo "uptime before: $(uptime)"; "$@"; rc=$?; echo "uptime after: $(uptime)"; exit $rc' _ \
    env BENCH_SKIP_BUILD=1 BENCH_REPORT="$report" \
      BENCH_ARGS="--limiter-paired --warmup=2000 ${BENCH_E2E_ARGS:-}" bench/run-gateway-bench.sh
}

case "$MODE" in
  --micro) micro ;;
  --e2e) e2e ;;
  --all)
    if [ "${BENCH_NO_LOCK:-0}" = 1 ]; then
      micro
      e2e
    else
      # One hold of the lock for both parts.
      say "Waiting for ${LOCK} (the test suite's lock)"
      flock -o -w "${BENCH_LOCK_WAIT:-7200}" "$LOCK" env BENCH_NO_LOCK=1 BENCH_SKIP_BUILD=1 "$0" --all
    fi
    ;;
esac

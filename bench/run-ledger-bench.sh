#!/usr/bin/env bash
# Benchmarks the usage ledger's write path (UsageLedger -> LedgerWriter + RollupWriter) on PostgreSQL, in one command:
#   1. compiles the extension (back end only) and lists its class path (its dependencies: pgjdbc, H2, Liquibase, ...);
#   2. drops and recreates the database llm_bench_ledger on 127.0.0.1:5432 (user postgres); the driver creates the
#      schema with the extension's own Liquibase changelog (META-INF/llm-changelog-master.xml), as Keycloak runs it;
#   3. holding /tmp/llm-kc.lock (so the test suite does not share the CPU), runs bench/src/main/java/LedgerBench.java:
#      the real UsageLedger at a fixed offered rate, each batch in a transaction of one JDBC connection, and reports
#      events/s, CPU per event of the writer thread and of PostgreSQL, batch sizes, the deepest queue, events lost, and
#      whether the daily rows and every rollup cube add up to the events (report also in .run/ledger-bench-report.txt).
# Environment: BENCH_RATE (5000 events/s), BENCH_SECONDS (60), BENCH_WARMUP (10), BENCH_BATCH_SIZE (1000),
# BENCH_BATCH_WAIT_MS (100), BENCH_USERS (1000), BENCH_SEED (42), BENCH_DB (llm_bench_ledger; must start with
# llm_bench), BENCH_H2=1 runs on an H2 file database in .run/ledger-bench-h2/ instead (in-process: the writer thread's
# CPU includes the database's), BENCH_LOCK (/tmp/llm-kc.lock), BENCH_SKIP_BUILD=1 reuses extension/target/classes.
# Exit code: 0 = kept up, nothing lost, every sum equal; 3 = not; other = failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
DB_NAME="${BENCH_DB:-llm_bench_ledger}"
case "$DB_NAME" in
  llm_bench*) ;;
  *) echo "BENCH_DB must start with llm_bench (the benchmark drops and recreates it)" >&2; exit 2 ;;
esac
LOCK="${BENCH_LOCK:-/tmp/llm-kc.lock}"
REPORT="${BENCH_REPORT:-${ROOT}/.run/ledger-bench-report.txt}"
CP_FILE="${ROOT}/.run/ledger-bench.cp"
mkdir -p .run
say() { printf '==> %s\n' "$*"; }

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -d extension/target/classes ] || [ ! -s "$CP_FILE" ]; then
  say "Compiling the extension (back end only) and listing its class path"
  timeout 900 ./mvnw -q -o -B -DskipConsole compile -pl extension
  timeout 300 ./mvnw -q -o -B dependency:build-classpath -pl extension -Dmdep.includeScope=test \
    -Dmdep.outputFile="$CP_FILE" >/dev/null
fi
CP="${ROOT}/extension/target/classes:$(cat "$CP_FILE")"

if [ "${BENCH_H2:-0}" = 1 ]; then
  rm -rf .run/ledger-bench-h2
  DB_ARGS=(--db="jdbc:h2:file:${ROOT}/.run/ledger-bench-h2/ledger" --db-user=sa)
  WHERE="H2 file database .run/ledger-bench-h2/"
else
  PG=(psql -h 127.0.0.1 -p 5432 -U postgres -v ON_ERROR_STOP=1 -X -q)
  "${PG[@]}" -d postgres -c 'select 1' >/dev/null \
    || { echo "PostgreSQL on 127.0.0.1:5432 (user postgres) is not reachable" >&2; exit 1; }
  say "Recreating the database ${DB_NAME}"
  "${PG[@]}" -d postgres -c "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)" -c "CREATE DATABASE ${DB_NAME}"
  DB_ARGS=(--db="jdbc:postgresql://127.0.0.1:5432/${DB_NAME}" --db-user=postgres)
  WHERE="PostgreSQL $("${PG[@]}" -d postgres -At -c 'show server_version') on 127.0.0.1, database ${DB_NAME}"
fi

exec {LOCK_FD}>>"$LOCK"
say "Waiting for ${LOCK} (the test suite's lock) before measuring"
flock -w "${BENCH_LOCK_WAIT:-7200}" "$LOCK_FD" || { echo "could not get ${LOCK}" >&2; exit 1; }
say "Holding ${LOCK}"
set +e
{
  echo "Usage ledger benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))"
  echo "Code: the working tree at commit $(git rev-parse --short HEAD), $(git status --porcelain -- extension/src/main | wc -l) uncommitted changes under extension/src/main; ${WHERE}"
  timeout 900 java -Xms256m -Xmx1g -XX:+UseParallelGC -cp "$CP" bench/src/main/java/LedgerBench.java "${DB_ARGS[@]}" \
    --rate="${BENCH_RATE:-5000}" --seconds="${BENCH_SECONDS:-60}" --warmup="${BENCH_WARMUP:-10}" \
    --batch-size="${BENCH_BATCH_SIZE:-1000}" --batch-wait-ms="${BENCH_BATCH_WAIT_MS:-100}" \
    --users="${BENCH_USERS:-1000}" --seed="${BENCH_SEED:-42}" 2>&1
  echo "driver exit code $?"
} | tee "$REPORT"
rc=${PIPESTATUS[0]}
rc="$(sed -n 's/^driver exit code //p' "$REPORT" | tail -1)"
set -e
flock -u "$LOCK_FD"
exec {LOCK_FD}>&-
say "Released ${LOCK}; report saved to ${REPORT} (exit code ${rc}: 0 = kept up, nothing lost, sums equal; 3 = not)"
exit "${rc:-1}"

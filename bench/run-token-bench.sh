#!/usr/bin/env bash
# Token endpoint requests/s with and without the llm_power_level mapper: the gateway bench's server set-up
# (fresh Keycloak on 127.0.0.1:8180, our jar installed, stopped afterwards) driving bench/src/main/java/TokenBench.java.
# Same environment variables as run-gateway-bench.sh (BENCH_SKIP_BUILD, BENCH_ARGS, BENCH_JAVA_OPTS, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DRIVER=bench/src/main/java/TokenBench.java BENCH_REPORT="$(pwd)/.run/token-bench-report.txt" exec bench/run-gateway-bench.sh "$@"

#!/usr/bin/env bash
# Sandbox lifecycle benchmark: create -> exec(true) -> destroy through Perimeter's REST API on the
# local (bubblewrap) provider, against a raw bwrap spawn of the same argv, on this machine.
#
#   bash bench/lifecycle.sh [N]            # N timed iterations, default 200
#   bash bench/lifecycle.sh --raw-only [N] # only the raw bwrap spawn; no server
#
# Needs: a JDK >= 21 (JAVA_HOME, java on PATH, or /usr/lib/jvm/*), bwrap, curl, jq, python3.
# Optional: hyperfine (cross-checks the raw spawn). Report: stdout and bench/results/<UTC time>.txt.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

raw_only=false
if [[ ${1:-} == --raw-only ]]; then
  raw_only=true
  shift
fi
N=${1:-200}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "usage: bash bench/lifecycle.sh [--raw-only] [N]" >&2; exit 2; }
WARMUP=${WARMUP:-10}

# shellcheck source=bench/lib/server.sh
. bench/lib/server.sh

require python3 bwrap

results_dir=bench/results
mkdir -p "$results_dir"
results="$results_dir/$(date -u +%Y-%m-%dT%H%M%SZ).txt"

if [[ $raw_only == true ]]; then
  python3 bench/lifecycle.py --raw-only -n "$N" --warmup "$WARMUP" \
    --header "bwrap:        $(bwrap --version)" | tee "$results" ||
    { rm -f "$results"; die "benchmark failed"; }
  log "results written to $results"
  exit 0
fi

require curl jq
use_java
ensure_jar
start_server

# ---- a tenant and its key -----------------------------------------------------------------------
api POST /v1/tenants '{"id":"bench","displayName":"Bench"}' >/dev/null
tenant_key=$(api POST /v1/tenants/bench/api-keys '{"name":"bench"}' | jq -er '.key')

log "running $N iterations after at least $WARMUP warm-up lifecycles, more until the JIT settles"
PERIMETER_BENCH_KEY=$tenant_key PERIMETER_BENCH_ADMIN_KEY=$admin_key python3 bench/lifecycle.py -n "$N" --warmup "$WARMUP" --base-url "$base" \
  --header "commit:       $(describe_commit)" \
  --header "java:         $(java -version 2>&1 | head -n 1)" \
  --header "bwrap:        $(bwrap --version)" \
  --header "server:       $jar, embedded PostgreSQL, local provider" | tee "$results" ||
  { rm -f "$results"; die "benchmark failed"; }
log "results written to $results"

#!/usr/bin/env bash
# Admission throughput benchmark: concurrent create -> destroy pairs through Perimeter's REST API on the local
# (bubblewrap) provider, against pgbench running the same SQL admission transaction on the same embedded PostgreSQL.
#
#   bash bench/admission.sh                          # 32 clients, >= 20 s warm-up, 30 s per series
#   CLIENTS=16 DURATION=60 WARMUP=10 bash bench/admission.sh
#
# The HTTP warm-up lasts at least WARMUP seconds and then goes on in 10 s rounds until the server's JIT spends under 2%
# of a round compiling (at most 240 s in all): a series timed while C2 still compiles measures the compiler.
#
# Needs: a JDK >= 21 (JAVA_HOME, java on PATH, or /usr/lib/jvm/*), curl, jq, python3, psql, pgbench.
# Report: stdout and bench/results/admission-<UTC time>.txt.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-20}
for n in "$CLIENTS" "$DURATION" "$WARMUP"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "usage: [CLIENTS=32] [DURATION=30] [WARMUP=20] bash bench/admission.sh" >&2; exit 2; }
done

# shellcheck source=bench/lib/server.sh
. bench/lib/server.sh

require python3 curl jq psql pgbench
use_java
ensure_jar

results_dir=bench/results
mkdir -p "$results_dir"
results="$results_dir/admission-$(date -u +%Y-%m-%dT%H%M%SZ).txt"

start_server

# ---- the embedded PostgreSQL: postmaster.pid line 4 is the port; the server connects over TCP to localhost --------
pid_file=$data_dir/postgres/postmaster.pid
[[ -f $pid_file ]] || die "no $pid_file: is the server using its embedded PostgreSQL?"
pg_port=$(sed -n 4p "$pid_file")
[[ $pg_port =~ ^[0-9]+$ ]] || die "no port in $pid_file"
pg_host=localhost
psql -XAtq -h "$pg_host" -p "$pg_port" -U postgres -d postgres -c 'select 1' >/dev/null ||
  die "cannot connect to the embedded PostgreSQL as postgres@$pg_host:$pg_port"

# ---- two tenants with the same never-reached quota and budget: 'bench' for HTTP, 'pgbench' for pgbench ------------
limits='"quota":{"maxParallelSandboxes":100000},"budget":{"limitUsd":"1000000","period":"MONTHLY","onExhausted":"DENY_NEW"}'
api POST /v1/tenants "{\"id\":\"bench\",\"displayName\":\"Bench\",$limits}" >/dev/null
api POST /v1/tenants "{\"id\":\"pgbench\",\"displayName\":\"pgbench\",$limits}" >/dev/null
tenant_key=$(api POST /v1/tenants/bench/api-keys '{"name":"bench"}' | jq -er '.key')
# The server makes a tenant's counter row on its first create; pgbench's script only updates it.
psql -XAtq -h "$pg_host" -p "$pg_port" -U postgres -d postgres \
  -c "insert into tenant_counters (tenant_id) values ('pgbench') on conflict (tenant_id) do nothing" >/dev/null

log "running: $CLIENTS clients, HTTP ${WARMUP} s warm-up + ${DURATION} s, then pgbench ${DURATION} s"
status=0
PERIMETER_BENCH_KEY=$tenant_key PERIMETER_BENCH_ADMIN_KEY=$admin_key python3 bench/admission.py \
  --base-url "$base" --clients "$CLIENTS" --duration "$DURATION" --warmup "$WARMUP" \
  --pg-host "$pg_host" --pg-port "$pg_port" --pgbench-script bench/admission.sql \
  --server-pid "$server_pid" --postmaster-pid "$(head -n 1 "$pid_file")" \
  --header "commit:       $(describe_commit)" \
  --header "java:         $(java -version 2>&1 | head -n 1)" \
  --header "postgres:     $(psql -XAtq -h "$pg_host" -p "$pg_port" -U postgres -d postgres -c 'show server_version') (embedded), synchronous_commit=$(psql -XAtq -h "$pg_host" -p "$pg_port" -U postgres -d postgres -c 'show synchronous_commit'), $(pgbench --version)" \
  --header "server:       $jar, embedded PostgreSQL, local provider" | tee "$results" || status=$?
if [[ $status -ne 0 ]]; then
  [[ -s $results ]] || rm -f "$results"
  die "benchmark failed (exit $status)"
fi
log "results written to $results"

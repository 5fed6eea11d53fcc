#!/usr/bin/env bash
# MCP tunnel benchmark: tools/call round trips and 1 MiB tool results from the official MCP TypeScript SDK client to
# the official SDK's Streamable HTTP server, three ways in one run: direct, through nginx as a plain one-hop reverse
# proxy, and through Perimeter's tunnel (client -> Perimeter /v1/tunnels/{id}/mcp -> WebSocket -> tunnel agent ->
# server). Prints each series and the tunnel's (and nginx's) cost against direct.
#
#   bash bench/tunnel.sh                        # 15 s per series after 5 s of warm-up
#   SECONDS_PER_SERIES=30 WARMUP=10 bash bench/tunnel.sh
#
# Before the series, the tunnel is driven in rounds of JIT_ROUND seconds (32 clients, then a 1 MiB client) until the
# server's and the agent's JIT compiler threads use under 2% of a round's wall time, or JIT_MAX_ROUNDS rounds: a
# tunnel that has run for a while is compiled, and a series timed while C2 still compiles measures the compiler.
#
# After the series, PAIRED_ROUNDS rounds (default 5) each time direct and the tunnel at CONCURRENT clients for
# PAIRED_SECONDS (default 10) back to back, in turn first, and the throughput target is judged on the median of the
# rounds' ratios: one direct series and one tunnel series a minute apart also measure how the VM drifted between them.
#
# Needs: a JDK >= 21, curl, jq, python3, node >= 18 and npm (the SDK is installed into bench/tunnel/node_modules from
# the npm registry on first run), nginx. Report: stdout and bench/results/tunnel-<UTC time>.txt.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SERIES_SECONDS=${SECONDS_PER_SERIES:-15}
WARMUP=${WARMUP:-5}
JIT_ROUND=${JIT_ROUND:-10}
JIT_MAX_ROUNDS=${JIT_MAX_ROUNDS:-12}
CONCURRENT=${CONCURRENT:-32}
PAIRED_ROUNDS=${PAIRED_ROUNDS:-5}
PAIRED_SECONDS=${PAIRED_SECONDS:-10}
BLOB_BYTES=${BLOB_BYTES:-1048576}

# shellcheck source=bench/lib/server.sh
. bench/lib/server.sh
# shellcheck source=bench/lib/jit_cpu_ms.sh
. bench/lib/jit_cpu_ms.sh

require python3 curl jq node npm nginx
use_java
ensure_jar

results_dir=bench/results
mkdir -p "$results_dir"
results="$results_dir/tunnel-$(date -u +%Y-%m-%dT%H%M%SZ).txt"

if [[ ! -d bench/tunnel/node_modules/@modelcontextprotocol/sdk ]]; then
  log "installing the MCP TypeScript SDK into bench/tunnel/node_modules"
  (cd bench/tunnel && npm install --no-audit --no-fund --silent)
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_server
work_dir=$data_dir/tunnel-bench
mkdir -p "$work_dir"
helper_pids=()
stop_helpers() {
  local pid
  for pid in "${helper_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  [[ ! -f $work_dir/nginx.pid ]] || kill -QUIT "$(cat "$work_dir/nginx.pid")" 2>/dev/null || true
  stop_server
}
trap stop_helpers EXIT

# ---- the MCP server ------------------------------------------------------------------------------------------------
mcp_port=$(free_port)
node bench/tunnel/server.mjs "$mcp_port" >"$work_dir/mcp-server.log" 2>&1 &
helper_pids+=($!)
for _ in $(seq 1 50); do grep -q listening "$work_dir/mcp-server.log" 2>/dev/null && break; sleep 0.1; done
direct_url="http://127.0.0.1:$mcp_port/mcp"

# ---- nginx as a plain one-hop reverse proxy, streaming both ways ----------------------------------------------------
nginx_port=$(free_port)
mkdir -p "$work_dir/nginx-temp"
cat >"$work_dir/nginx.conf" <<NGINX
worker_processes 1;
daemon on;
pid $work_dir/nginx.pid;
error_log $work_dir/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work_dir/nginx-temp/body;
  proxy_temp_path $work_dir/nginx-temp/proxy;
  fastcgi_temp_path $work_dir/nginx-temp/fastcgi;
  uwsgi_temp_path $work_dir/nginx-temp/uwsgi;
  scgi_temp_path $work_dir/nginx-temp/scgi;
  upstream mcp { server 127.0.0.1:$mcp_port; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    client_max_body_size 16m;
    location / {
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
NGINX
nginx -c "$work_dir/nginx.conf" -p "$work_dir" || die "nginx did not start"
nginx_url="http://127.0.0.1:$nginx_port/mcp"

# ---- Perimeter: a tenant, a tunnel and its agent --------------------------------------------------------------------
api POST /v1/tenants '{"id":"bench","displayName":"Bench"}' >/dev/null
tenant_key=$(api POST /v1/tenants/bench/api-keys '{"name":"bench"}' | jq -er '.key')
tunnel=$(curl -sS --fail-with-body -X POST "$base/v1/tunnels" -H "Authorization: Bearer $tenant_key" \
  -H 'Content-Type: application/json' -d '{"name":"bench","region":"local","backend":"PERIMETER"}')
tunnel_id=$(jq -er '.id' <<<"$tunnel")
tunnel_url="$base/v1/tunnels/$tunnel_id/mcp"
MCP_TUNNEL_URL=$(jq -er '.connectUrl' <<<"$tunnel") MCP_TUNNEL_TOKEN=$(jq -er '.token' <<<"$tunnel") \
  MCP_UPSTREAM_URL="$direct_url" java -jar "$jar" tunnel-agent >"$work_dir/agent.log" 2>&1 &
agent_pid=$!
helper_pids+=("$agent_pid")
for _ in $(seq 1 100); do
  [[ $(curl -sS "$base/v1/tunnels/$tunnel_id" -H "Authorization: Bearer $tenant_key" | jq -r '.status') == CONNECTED ]] && break
  sleep 0.2
done
[[ $(curl -sS "$base/v1/tunnels/$tunnel_id" -H "Authorization: Bearer $tenant_key" | jq -r '.status') == CONNECTED ]] ||
  { tail -n 20 "$work_dir/agent.log" >&2; die "the tunnel agent did not connect"; }

# ---- JIT warm-up: drive the tunnel until the server's and the agent's compilers go quiet ----------------------------
jit_warm_up() {
  local round jit_before started jit_ms wall_ms
  for round in $(seq 1 "$JIT_MAX_ROUNDS"); do
    jit_before=$(jit_cpu_ms "$server_pid" "$agent_pid")
    started=$(date +%s%N)
    NODE_NO_WARNINGS=1 node bench/tunnel/client.mjs --url "$tunnel_url" --clients "$CONCURRENT" \
      --seconds $((JIT_ROUND * 2 / 3)) --warmup 0 --tool echo --token "$tenant_key" >/dev/null || die "JIT warm-up failed"
    NODE_NO_WARNINGS=1 node bench/tunnel/client.mjs --url "$tunnel_url" --clients 1 \
      --seconds $((JIT_ROUND - JIT_ROUND * 2 / 3)) --warmup 0 --tool blob --bytes "$BLOB_BYTES" --token "$tenant_key" \
      >/dev/null || die "JIT warm-up failed"
    jit_ms=$(($(jit_cpu_ms "$server_pid" "$agent_pid") - jit_before))
    wall_ms=$((($(date +%s%N) - started) / 1000000))
    log "JIT warm-up round $round: compilers used ${jit_ms} ms in ${wall_ms} ms"
    if ((jit_ms * 50 < wall_ms)); then
      jit_summary="settled after $round round(s) of ${JIT_ROUND} s (last: ${jit_ms} ms compiling in ${wall_ms} ms)"
      return
    fi
  done
  jit_summary="NOT settled after $JIT_MAX_ROUNDS rounds of ${JIT_ROUND} s (last: ${jit_ms} ms compiling in ${wall_ms} ms)"
}
jit_warm_up

# ---- the series -----------------------------------------------------------------------------------------------------
run_series() { # run_series NAME URL CLIENTS TOOL [TOKEN]
  local name=$1 url=$2 clients=$3 tool=$4 token=${5:-} line
  log "$name: $clients client(s), tool $tool, ${WARMUP} s warm-up + ${SERIES_SECONDS} s (load average $(cut -d' ' -f1 /proc/loadavg))"
  line=$(time_calls "$url" "$clients" "$tool" "$token" "$SERIES_SECONDS" "$WARMUP") || die "$name failed"
  printf '%s\t%s\n' "$name" "$line" >>"$work_dir/series.tsv"
}
time_calls() { # time_calls URL CLIENTS TOOL TOKEN SECONDS WARMUP: the client's JSON line
  NODE_NO_WARNINGS=1 node bench/tunnel/client.mjs --url "$1" --clients "$2" --tool "$3" ${4:+--token "$4"} \
    --seconds "$5" --warmup "$6" --bytes "$BLOB_BYTES" --watch "$watch"
}
: >"$work_dir/series.tsv"
# Every process on a call's path, whose CPU time the client reads at both ends of each timed window.
nginx_worker=$(pgrep -P "$(cat "$work_dir/nginx.pid")" | head -n 1)
watch="mcp-server=${helper_pids[0]},nginx=$nginx_worker,perimeter=$server_pid,agent=$agent_pid"
series_jit_before=$(jit_cpu_ms "$server_pid" "$agent_pid")
# use_target NAME: sets url and token for direct, nginx or tunnel.
use_target() {
  case $1 in
    direct) url=$direct_url token="" ;;
    nginx) url=$nginx_url token="" ;;
    tunnel) url=$tunnel_url token=$tenant_key ;;
  esac
}
for target in direct nginx tunnel; do
  use_target "$target"
  run_series "$target echo c=1" "$url" 1 echo "$token"
  run_series "$target echo c=$CONCURRENT" "$url" "$CONCURRENT" echo "$token"
  run_series "$target blob c=1" "$url" 1 blob "$token"
done
: >"$work_dir/paired.tsv"
for round in $(seq 1 "$PAIRED_ROUNDS"); do
  order="direct tunnel"
  ((round % 2 == 1)) || order="tunnel direct"
  log "paired round $round of $PAIRED_ROUNDS: $order, $CONCURRENT clients, 2 s warm-up + ${PAIRED_SECONDS} s each"
  for target in $order; do
    use_target "$target"
    line=$(time_calls "$url" "$CONCURRENT" echo "$token" "$PAIRED_SECONDS" 2) || die "paired round $round failed"
    printf '%s\t%s\t%s\n' "$round" "$target" "$line" >>"$work_dir/paired.tsv"
  done
done
series_jit_ms=$(($(jit_cpu_ms "$server_pid" "$agent_pid") - series_jit_before))

{
  echo "date (UTC):   $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit:       $(describe_commit)"
  echo "java:         $(java -version 2>&1 | head -n 1)"
  echo "node:         $(node --version), MCP TypeScript SDK $(jq -r .version bench/tunnel/node_modules/@modelcontextprotocol/sdk/package.json)"
  echo "nginx:        $(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "machine:      $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
  echo "series:       ${WARMUP} s warm-up + ${SERIES_SECONDS} s each; blob = ${BLOB_BYTES}-byte tool result"
  echo "JIT warm-up:  server and agent JVMs $jit_summary; compilers during the series: ${series_jit_ms} ms"
  echo
  python3 - "$work_dir/series.tsv" "$CONCURRENT" "$work_dir/paired.tsv" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, data = line.rstrip("\n").split("\t", 1)
    rows[name] = json.loads(data)
c = sys.argv[2]
print(f"{'series':24} {'calls':>7} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'MiB/s':>8}")
for name, r in rows.items():
    mib = r["bytes"] / r["seconds"] / 1048576
    print(f"{name:24} {r['calls']:7d} {r['callsPerSecond']:9.1f} {r['p50Ms']:8.2f} {r['p99Ms']:8.2f} {mib:8.2f}")
print()
names = ["client", "mcp-server", "nginx", "perimeter", "agent"]
def per_call_table(title, key, last, digits):
    # One row per series: each process's `key` per call, and in the last column `last` of them (a process or a sum).
    print(title)
    print(f"{'series':24} " + " ".join(f"{n:>10}" for n in names) + f" {last[0]:>8}")
    for name, r in rows.items():
        per = [r[key].get(n, 0) / max(r["calls"], 1) for n in names]
        print(f"{name:24} " + " ".join(f"{v:10.{digits}f}" for v in per) + f" {last[1](r, per):8.{digits}f}")
    print()
# At 32 clients the two cores are saturated, so throughput follows the CPU a call costs, summed over its path.
per_call_table("CPU per call in the timed window, ms (all processes on the path; 2 cores = 2000 ms per second)",
               "cpuMs", ("total", lambda r, per: sum(per)), 3)
# Each time a call's work passes from one thread to another, someone sleeps and someone wakes; on two shared cores
# those switches cost CPU in every process, not only in the one that switches.
per_call_table("Context switches per call in the timed window (each process's threads; machine: all of them)",
               "switches", ("machine", lambda r, per: r["switches"]["machine"] / max(r["calls"], 1)), 1)
paired = {}
for line in open(sys.argv[3]):
    round_no, target, data = line.rstrip("\n").split("\t", 2)
    paired.setdefault(int(round_no), {})[target] = json.loads(data)["callsPerSecond"]
ratios = {n: r["tunnel"] / r["direct"] for n, r in sorted(paired.items())}
if ratios:
    print(f"Paired rounds at {c} clients (direct and tunnel back to back, in turn first), calls/s")
    print(f"{'round':>5} {'direct':>9} {'tunnel':>9} {'of direct':>10}")
    for n, ratio in ratios.items():
        print(f"{n:5d} {paired[n]['direct']:9.1f} {paired[n]['tunnel']:9.1f} {ratio:10.3f}")
    print(f"median of {len(ratios)} rounds: {statistics.median(ratios.values()):.3f} of direct "
          f"(lowest {min(ratios.values()):.3f}, highest {max(ratios.values()):.3f})")
    print()
ok = True
for hop in ("nginx", "tunnel"):
    added = rows[f"{hop} echo c=1"]["p50Ms"] - rows["direct echo c=1"]["p50Ms"]
    added32 = rows[f"{hop} echo c={c}"]["p50Ms"] - rows[f"direct echo c={c}"]["p50Ms"]
    thr = rows[f"{hop} echo c={c}"]["callsPerSecond"] / rows[f"direct echo c={c}"]["callsPerSecond"]
    blob = rows[f"{hop} blob c=1"]["bytes"] / max(rows["direct blob c=1"]["bytes"], 1)
    print(f"{hop:6} added p50, 1 client: {added:+.2f} ms; added p50, {c} clients: {added32:+.2f} ms; "
          f"throughput at {c} clients: {thr:.2f} of direct; 1 MiB results: {blob:.2f} of direct")
    if hop == "tunnel":
        judged = statistics.median(ratios.values()) if ratios else thr
        ok = added <= 1.0 and judged >= 0.70
        print(f"target (tunnel): added p50 <= 1 ms on loopback and throughput >= 70% of direct "
              f"({'median of the paired rounds' if ratios else 'the series'}: {judged:.2f}): "
              f"{'MET' if ok else 'NOT MET'}")
PY
} | tee "$results"

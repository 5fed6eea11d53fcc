#!/usr/bin/env python3
"""Sandbox admission throughput through Perimeter's REST API, against the same SQL transaction run by pgbench.

Driven by bench/admission.sh, which starts the server, creates the tenants and keys, and passes the embedded
PostgreSQL's address. Standard library only (psql and pgbench are run as processes). One run:

1. HTTP: --clients threads, each with its own keep-alive connection (TCP_NODELAY), loop
   POST /v1/sandboxes {} (expect 201) -> DELETE /v1/sandboxes/{id} (expect 200). The warm-up (at least --warmup seconds,
   then 10 s rounds until the server's JIT compiles under 2% of a round) is not counted; then --duration seconds are. A pair counts if its DELETE completes inside the timed window, a request's
   latency if it completes inside it. Around the window, pg_stat_database.xact_commit and the next transaction id are
   read, which gives SQL transactions (and write transactions) per pair.
2. Server side: the Micrometer timer perimeter.sandbox.admission (the create's admission transaction, commit
   included): its histogram buckets from /actuator/prometheus, read at both ends of the timed window, give the p50
   and p99 of the window alone (linear within a bucket, as Prometheus' histogram_quantile).
3. pgbench: the same database, --clients clients, --duration seconds, the admission transaction in --pgbench-script
   on a tenant of its own.

Times come from time.perf_counter_ns() (monotonic). Percentiles are nearest-rank.
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import math
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

from lib.prometheus import ScrapeError, buckets, compile_ms, compile_ms_in, sample_sum, scrape

TARGET_RATIO = 0.50
TARGET_ADMISSION_P99_MS = 20.0
TIMER = "perimeter.sandbox.admission"


class BenchError(Exception):
    pass


def connect(hostport: str, timeout: float) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection(hostport, timeout=timeout)
    conn.connect()
    # Small request/response pairs: without this, Nagle plus delayed ACKs can add ~40 ms per call.
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


class Client(threading.Thread):
    """One simulated caller: create -> destroy pairs on its own keep-alive connection until told to stop."""

    def __init__(self, n: int, hostport: str, key: str, timeout: float, window: Window):
        super().__init__(name=f"client-{n}", daemon=True)
        self.n = n
        self.hostport = hostport
        self.headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
        self.timeout = timeout
        self.window = window
        self.creates: list[int] = []  # latencies (ns) of 201s completed inside the window
        self.destroys: list[int] = []
        self.pairs: list[int] = []  # completion times (ns) of pairs whose destroy completed inside the window
        self.errors: list[str] = []  # inside the window
        self.warmup_errors = 0
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None, cid: str) -> tuple[int, bytes, int, int]:
        headers = dict(self.headers, **{"X-Correlation-Id": cid})
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = connect(self.hostport, self.timeout)
                t0 = time.perf_counter_ns()
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                return response.status, raw, t0, time.perf_counter_ns()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: reconnect once, not counted as an error.
                if self.conn:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def error(self, t_end: int, message: str) -> None:
        if self.window.start <= t_end:
            self.errors.append(message)
        else:
            self.warmup_errors += 1

    def run(self) -> None:
        i = 0
        while not self.window.stop.is_set():
            i += 1
            cid = f"admission-{self.n}-{i}"
            try:
                status, raw, t0, t1 = self.request("POST", "/v1/sandboxes", b"{}", cid)
                counted = self.window.start <= t1 <= self.window.end
                if status != 201:
                    self.error(t1, f"create answered {status}: {raw[:300].decode(errors='replace')}")
                    continue
                if counted:
                    self.creates.append(t1 - t0)
                sandbox_id = json.loads(raw).get("id")
                if not sandbox_id:
                    self.error(t1, f"create returned no id: {raw[:300]!r}")
                    continue
                status, raw, t0, t1 = self.request("DELETE", f"/v1/sandboxes/{sandbox_id}", None, cid)
                counted = self.window.start <= t1 <= self.window.end
                state = json.loads(raw).get("state") if status == 200 else None
                if status != 200 or state not in ("DESTROYING", "DESTROYED"):
                    self.error(t1, f"destroy of {sandbox_id} answered {status}: {raw[:300].decode(errors='replace')}")
                    continue
                if counted:
                    self.destroys.append(t1 - t0)
                    self.pairs.append(t1)
            except (OSError, http.client.HTTPException, json.JSONDecodeError) as e:
                self.error(time.perf_counter_ns(), f"{type(e).__name__}: {e}")
                if self.conn:
                    self.conn.close()
                self.conn = None
                time.sleep(0.05)
        if self.conn:
            self.conn.close()


NEVER = 2**63


class Window:
    """The timed window, in perf_counter_ns: closed (in the far future) until the warm-up is over."""

    def __init__(self, start: int, end: int):
        self.start = start
        self.end = end
        self.stop = threading.Event()

    def open(self, seconds: int) -> None:
        now = time.perf_counter_ns()
        self.end = now + seconds * 10**9  # end first: a client must never see the new start with the old end
        self.start = now


class Psql:
    def __init__(self, host: str, port: str, user: str, db: str):
        self.argv = ["psql", "-XAtq", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", user, "-d", db]

    def query(self, sql: str) -> str:
        completed = subprocess.run(self.argv + ["-c", sql], capture_output=True, text=True)
        if completed.returncode != 0:
            raise BenchError(f"psql failed: {completed.stderr.strip()}")
        return completed.stdout.strip()

    def counters(self) -> tuple[int, int, int]:
        """xact_commit and xact_rollback of the database, and the next transaction id (assigns none itself)."""
        row = self.query("select xact_commit, xact_rollback, pg_snapshot_xmax(pg_current_snapshot())::text::bigint "
                         "from pg_stat_database where datname = current_database()")
        commit, rollback, xid = (int(v) for v in row.split("|"))
        return commit, rollback, xid


def settle_jit(hostport: str, admin_key: str, args: argparse.Namespace, started: int) -> str:
    """Keeps the warm-up going in rounds until a round spends under --jit-settled of its time compiling."""
    share = None
    rounds = 0
    while (time.perf_counter_ns() - started) / 1e9 + args.jit_round <= args.warmup_max:
        before, t0 = compile_ms(hostport, admin_key), time.perf_counter_ns()
        time.sleep(args.jit_round)
        share = (compile_ms(hostport, admin_key) - before) / ((time.perf_counter_ns() - t0) / 1e6)
        rounds += 1
        print(f"==> JIT warm-up round {rounds}: compiling {100 * share:.1f}% of the time", file=sys.stderr)
        if share < args.jit_settled:
            break
    total = (time.perf_counter_ns() - started) / 1e9
    if share is None:
        return f"{total:.0f} s warm-up (JIT not watched)"
    verdict = "settled" if share < args.jit_settled else "NOT settled at the cap"
    return (f"{total:.0f} s warm-up, JIT {verdict} (last {args.jit_round} s round compiling {100 * share:.1f}% "
            f"of its time)")


class AdmissionMetrics:
    """What one scrape of /actuator/prometheus says of the admission timer and the JIT."""

    def __init__(self, hostport: str, admin_key: str):
        text = scrape(hostport, admin_key)
        series = TIMER.replace(".", "_") + "_seconds"
        self.buckets = {le * 1e3: count for le, count in buckets(text, series).items()}  # upper bound in ms
        self.count = sample_sum(text, series + "_count") or 0.0
        self.sum_ms = (sample_sum(text, series + "_sum") or 0.0) * 1e3
        self.max_ms = (sample_sum(text, series + "_max") or 0.0) * 1e3
        self.compile_ms = compile_ms_in(text)


def histogram_delta(before: dict[float, float], after: dict[float, float]) -> dict[float, float]:
    return {le: after[le] - before.get(le, 0.0) for le in after}


def histogram_quantile(buckets: dict[float, float], q: float) -> float | None:
    """Like Prometheus' histogram_quantile: linear within the bucket that holds the q-th observation."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]]
    if total <= 0:
        return None
    rank = q * total
    lower, below = 0.0, 0.0
    for le in bounds:
        if buckets[le] >= rank:
            if math.isinf(le):
                return lower
            width = buckets[le] - below
            return lower + (le - lower) * ((rank - below) / width if width else 1.0)
        lower, below = le, buckets[le]
    return lower


def loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def proc_cpu_ms(pid: int, children: bool = False) -> float:
    """User + system CPU of a process (all its threads), with that of its reaped children if asked, in ms."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime, stime, cutime, cstime are fields 14-17
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks * TICK_MS


def postgres_cpu_ms(postmaster: int) -> float:
    """The postmaster's CPU, its reaped backends' (cutime/cstime), and its live children's."""
    total = proc_cpu_ms(postmaster, children=True)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid == postmaster:
                total += proc_cpu_ms(int(entry))
        except (OSError, ValueError, IndexError):
            pass  # exited meanwhile; its time is in the postmaster's cutime by the next read
    return total


class CpuMeter:
    """CPU time, in ms, of the server JVM, PostgreSQL, this driver and the processes it ran (pgbench, psql)."""

    def __init__(self, server_pid: int | None, postmaster_pid: int | None):
        self.server_pid = server_pid
        self.postmaster_pid = postmaster_pid

    def read(self) -> dict[str, float]:
        own = os.times()
        sample = {"driver": (own.user + own.system) * 1e3,
                  "children": (own.children_user + own.children_system) * 1e3}
        if self.server_pid:
            sample["server"] = proc_cpu_ms(self.server_pid)
        if self.postmaster_pid:
            sample["postgres"] = postgres_cpu_ms(self.postmaster_pid)
        return sample

    @staticmethod
    def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        return {k: after[k] - before[k] for k in after if k in before}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q of the sample at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def run_pgbench(args: argparse.Namespace, log_dir: str) -> dict[str, float]:
    argv = ["pgbench", "-n", "-M", "prepared", "-c", str(args.clients), "-j", str(args.pgbench_threads),
            "-T", str(args.duration), "-D", "seq=0", "-f", args.pgbench_script,
            "--log", f"--log-prefix={os.path.join(log_dir, 'pgbench')}",
            "-h", args.pg_host, "-p", args.pg_port, "-U", args.pg_user, args.pg_db]
    print(f"==> {' '.join(argv)}", file=sys.stderr)
    completed = subprocess.run(argv, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BenchError(f"pgbench exited {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    out = completed.stdout
    result: dict[str, float] = {}
    for key, pattern in (("tps", r"^tps = ([0-9.]+)"), ("latency_avg_ms", r"^latency average = ([0-9.]+) ms"),
                         ("transactions", r"^number of transactions actually processed: (\d+)"),
                         ("failed", r"^number of failed transactions: (\d+)")):
        m = re.search(pattern, out, re.M)
        if m:
            result[key] = float(m.group(1))
    if "tps" not in result:
        raise BenchError(f"could not read pgbench's output:\n{out}")
    # Per-transaction log: client_id transaction_no time_us script_no time_epoch time_us_fraction
    latencies = []
    for path in glob.glob(os.path.join(log_dir, "pgbench.*")):
        with open(path) as f:
            latencies += [int(line.split()[2]) for line in f if line.strip()]
    if latencies:
        result["p50_ms"] = percentile(latencies, 0.50) / 1e3
        result["p99_ms"] = percentile(latencies, 0.99) / 1e3
        result["max_ms"] = max(latencies) / 1e3
    return result


def describe_machine() -> list[str]:
    lines = [f"date (UTC):   {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}",
             f"host:         {platform.node()} {platform.system()} {platform.release()} {platform.machine()}"]
    try:
        with open("/proc/cpuinfo") as f:
            models = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        if models:
            lines.append(f"cpu:          {models[0]} x {len(models)}")
    except OSError:
        pass
    return lines


def ms(value: float | None) -> str:
    return f"{value:9.2f}" if value is not None else f"{'n/a':>9}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True, help="Perimeter base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--key", default=os.environ.get("PERIMETER_BENCH_KEY"),
                        help="tenant API key (default: $PERIMETER_BENCH_KEY)")
    parser.add_argument("--admin-key", default=os.environ.get("PERIMETER_BENCH_ADMIN_KEY"),
                        help="admin API key, for /actuator/metrics (default: $PERIMETER_BENCH_ADMIN_KEY)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=int, default=30, help="timed seconds per series")
    parser.add_argument("--warmup", type=int, default=20, help="untimed seconds before the HTTP series, at least")
    parser.add_argument("--jit-round", type=int, default=10, help="seconds per round of JIT-settling warm-up")
    parser.add_argument("--warmup-max", type=int, default=240, help="most warm-up seconds in all")
    parser.add_argument("--jit-settled", type=float, default=0.02,
                        help="JIT has settled when a round spends less than this share of its wall time compiling")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout, seconds")
    parser.add_argument("--pg-host", required=True)
    parser.add_argument("--pg-port", required=True)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-db", default="postgres")
    parser.add_argument("--pgbench-script", required=True)
    parser.add_argument("--pgbench-threads", type=int, default=2)
    parser.add_argument("--server-pid", type=int, help="the server JVM's pid, to read its CPU time")
    parser.add_argument("--postmaster-pid", type=int, help="the embedded PostgreSQL's pid, to read its CPU time")
    parser.add_argument("--header", action="append", default=[], help="extra line for the report header")
    args = parser.parse_args()
    if args.clients < 1 or args.duration < 1 or args.warmup < 0:
        parser.error("--clients and --duration must be >= 1, --warmup >= 0")
    if not args.key or not args.admin_key:
        parser.error("a tenant key and an admin key are required")
    scheme, _, hostport = args.base_url.partition("://")
    if scheme != "http":
        parser.error(f"only http:// base URLs are supported, got {args.base_url}")
    hostport = hostport.rstrip("/")
    psql = Psql(args.pg_host, args.pg_port, args.pg_user, args.pg_db)
    cpu = CpuMeter(args.server_pid, args.postmaster_pid)

    try:
        # ---- HTTP series
        window = Window(NEVER, NEVER)
        clients = [Client(n, hostport, args.key, args.timeout, window) for n in range(args.clients)]
        print(f"==> HTTP: {args.clients} clients, at least {args.warmup} s warm-up, then until the JIT settles; "
              f"{args.duration} s timed", file=sys.stderr)
        load_http = loadavg()
        warm_started = time.perf_counter_ns()
        for c in clients:
            c.start()
        time.sleep(args.warmup)
        warmup = settle_jit(hostport, args.admin_key, args, warm_started)
        metrics_before = AdmissionMetrics(hostport, args.admin_key)
        window.open(args.duration)
        cpu_before = cpu.read()
        db_before = psql.counters()
        time.sleep(max(0, window.end - time.perf_counter_ns()) / 1e9)
        cpu_http = CpuMeter.delta(cpu_before, cpu.read())
        db_after = psql.counters()
        metrics_after = AdmissionMetrics(hostport, args.admin_key)
        compile_timed = metrics_after.compile_ms - metrics_before.compile_ms
        window.stop.set()
        for c in clients:
            c.join(args.timeout + 5)
        if any(c.is_alive() for c in clients):
            raise BenchError("a client did not finish its last request")
        window_buckets = histogram_delta(metrics_before.buckets, metrics_after.buckets)
        if not window_buckets:
            raise BenchError(f"the server publishes no histogram for {TIMER}")
        admission_p50 = histogram_quantile(window_buckets, 0.50)
        admission_p99 = histogram_quantile(window_buckets, 0.99)

        # ---- pgbench series, server still up and idle
        time.sleep(1.0)
        load_pgbench = loadavg()
        with tempfile.TemporaryDirectory(prefix="perimeter-pgbench-") as log_dir:
            cpu_before = cpu.read()
            pg = run_pgbench(args, log_dir)
            cpu_pgbench = CpuMeter.delta(cpu_before, cpu.read())
    except (BenchError, ScrapeError) as e:
        print(f"bench failed: {e}", file=sys.stderr)
        return 1

    creates = [v for c in clients for v in c.creates]
    destroys = [v for c in clients for v in c.destroys]
    done = sorted(t for c in clients for t in c.pairs)
    pairs = len(done)
    step = 5 * 10**9
    per_step = [sum(1 for t in done if window.start + k * step <= t < window.start + (k + 1) * step) / 5
                for k in range(math.ceil(args.duration / 5))]
    errors = [e for c in clients for e in c.errors]
    if not pairs:
        print(f"bench failed: no pair completed; first errors: {errors[:3]}", file=sys.stderr)
        return 1
    pairs_per_s = pairs / args.duration
    commits = db_after[0] - db_before[0]
    rollbacks = db_after[1] - db_before[1]
    xids = db_after[2] - db_before[2]

    def http_row(name: str, values: list[int]) -> str:
        return (f"{name:<52}{len(values):>8}{ms(percentile(values, 0.50) / 1e6)}{ms(percentile(values, 0.99) / 1e6)}"
                f"{ms(sum(values) / len(values) / 1e6)}{ms(max(values) / 1e6)}")

    out = describe_machine() + args.header
    out += [f"clients:      {args.clients} per series; HTTP: {warmup} (not counted), then "
            f"{args.duration} s timed, {compile_timed:.0f} ms of JIT compiling in it; pgbench: {args.duration} s "
            "right after, server idle",
            f"load average: {load_http} before the HTTP series, {load_pgbench} before pgbench "
            "(other work on the machine skews the ratio)",
            "provider:     local provider (bubblewrap; create = mkdir of a workspace, destroy = rm -r)",
            "",
            f"{'latency':<52}{'n':>8}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'max ms':>9}",
            http_row("HTTP create (POST /v1/sandboxes) -> 201", creates),
            http_row("HTTP destroy (DELETE /v1/sandboxes/{id}) -> 200", destroys)]
    n = metrics_after.count - metrics_before.count
    mean = (metrics_after.sum_ms - metrics_before.sum_ms) / n if n else None
    out.append(f"{'server admission txn (' + TIMER + ')':<52}{int(n):>8}{ms(admission_p50)}{ms(admission_p99)}"
               f"{ms(mean)}{ms(metrics_after.max_ms)}")
    out.append(f"{'pgbench admission txn (bench/admission.sql)':<52}{int(pg.get('transactions', 0)):>8}{ms(pg.get('p50_ms'))}"
               f"{ms(pg.get('p99_ms'))}{ms(pg.get('latency_avg_ms'))}{ms(pg.get('max_ms'))}")
    out += ["",
            f"HTTP create+destroy pairs/s      {pairs_per_s:10.1f}   ({pairs} pairs in {args.duration} s, "
            f"{len(errors)} errors)",
            f"  per 5 s of the timed window    {' '.join(f'{v:.0f}' for v in per_step)}",
            f"pgbench admission txn/s (tps)    {pg['tps']:10.1f}   "
            f"({int(pg.get('failed', 0))} failed)",
            f"SQL transactions per HTTP pair   {commits / pairs:10.1f}   "
            f"(pg_stat_database commits {commits}, rollbacks {rollbacks}; {xids / pairs:.1f} write transactions)",
            ""]
    cores = os.cpu_count() or 1
    busy_http = sum(cpu_http.get(k, 0.0) for k in ("server", "postgres", "driver")) / (args.duration * 1e3)
    nan = float("nan")
    out.append(f"CPU per HTTP pair, ms             server JVM {cpu_http.get('server', nan) / pairs:.2f}, "
               f"PostgreSQL {cpu_http.get('postgres', nan) / pairs:.2f}, driver {cpu_http['driver'] / pairs:.2f}"
               f"  (together {busy_http:.2f} of {cores} cores busy)")
    txns = pg.get("transactions") or 1
    busy_pg = (cpu_pgbench.get("postgres", 0.0) + cpu_pgbench["children"]) / (args.duration * 1e3)
    out.append(f"CPU per pgbench txn, ms           PostgreSQL {cpu_pgbench.get('postgres', nan) / txns:.3f}, "
               f"pgbench {cpu_pgbench['children'] / txns:.3f}  (together {busy_pg:.2f} of {cores} cores busy)")
    out.append("")
    ratio = pairs_per_s / pg["tps"]
    out.append(f"ratio HTTP pairs/s / pgbench tps = {ratio:.2f}  "
               f"({'meets' if ratio >= TARGET_RATIO else 'BELOW'} the >= {TARGET_RATIO:.0%} target)")
    if admission_p99 is not None:
        out.append(f"server admission p99 = {admission_p99:.2f} ms  "
                   f"({'within' if admission_p99 <= TARGET_ADMISSION_P99_MS else 'OVER'} the "
                   f"<= {TARGET_ADMISSION_P99_MS:g} ms target; from the timer's histogram buckets, counted over the "
                   "timed window only)")
    else:
        out.append("server admission p99 = n/a (no admission in the timed window)")
    if errors:
        out += ["", f"ERRORS: {len(errors)} requests failed in the timed window (and {sum(c.warmup_errors for c in clients)}"
                    " in the warm-up); first ones:"] + [f"  {e}" for e in errors[:5]]
    print("\n".join(out))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

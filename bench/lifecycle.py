#!/usr/bin/env python3
"""Sandbox lifecycle latency through Perimeter's REST API against a raw bubblewrap spawn.

Driven by bench/lifecycle.sh, which starts the server and creates the tenant key. Standard
library only. Each timed iteration, on one keep-alive HTTP connection:

    POST /v1/sandboxes {}  ->  POST /v1/sandboxes/{id}/exec {"command":["true"]}  ->  DELETE /v1/sandboxes/{id}

Warm-up runs at least --warmup lifecycles, then goes on in rounds of --warmup-round until the JIT has settled: a round
in which the server spent under --jit-settled of its wall time compiling (jvm_compilation_time_ms_total from
/actuator/prometheus, read with the admin key), or --warmup-max lifecycles in all. A long-running control plane is
compiled; a series timed while C2 still compiles measures the compiler. The compile time during the timed series is
printed with the results.

Then, with the server still up but idle, the same number of raw spawns of the bwrap argv the
local provider builds for that exec (see BubblewrapCommand). The raw series runs on its own, not
interleaved, so background work the server does after a DELETE (workspace clean-up, GC) does
not inflate the baseline. Times come from time.perf_counter_ns() (monotonic).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from lib.prometheus import ScrapeError, compile_ms

TARGET_RATIO = 3.0

# Mirrors dev.perimeter.provider.local.BubblewrapCommand (egress DENY_ALL) and ExecEnvironment.
SYSTEM_DIRS = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"]
ETC_FILES = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl", "ca-certificates",
             "passwd", "group", "nsswitch.conf", "hosts", "localtime"]
SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def bwrap_argv(bwrap: str, workspace: str, command: list[str]) -> list[str]:
    argv = [bwrap, "--unshare-all", "--unshare-user", "--uid", "1000", "--gid", "1000",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--ro-bind", "/usr", "/usr"]
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            argv += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            argv += ["--ro-bind", d, d]
    for name in ETC_FILES:
        f = os.path.join("/etc", name)
        if os.path.exists(f):
            argv += ["--ro-bind", f, f]
    argv += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
             "--bind", workspace, "/workspace", "--remount-ro", "/",
             "--chdir", "/workspace", "--clearenv",
             "--setenv", "PATH", SANDBOX_PATH, "--setenv", "HOME", "/workspace", "--setenv", "LANG", "C.UTF-8",
             "--"]
    return argv + command


class BenchError(Exception):
    pass


def hostport(base_url: str) -> str:
    return base_url.partition("://")[2].rstrip("/")


class Api:
    """One keep-alive connection; reconnects once if the server closed it between requests."""

    def __init__(self, base_url: str, key: str, timeout: float):
        scheme, _, rest = base_url.partition("://")
        if scheme != "http":
            raise BenchError(f"only http:// base URLs are supported, got {base_url}")
        self.hostport = rest.rstrip("/")
        self.key = key
        self.timeout = timeout
        self.conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(self.hostport, timeout=self.timeout)
        conn.connect()
        # Small request/response pairs: without this, Nagle plus delayed ACKs can add ~40 ms per call.
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def call(self, method: str, path: str, body: object | None, expect: int, correlation_id: str) -> dict:
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "application/json",
                   "X-Correlation-Id": correlation_id}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
                self.conn = self._connect()
        if response.status != expect:
            raise BenchError(f"{method} {path} answered {response.status}, expected {expect}: "
                             f"{raw.decode(errors='replace')[:2000]}")
        try:
            return json.loads(raw) if raw else {}
        except json.JSONDecodeError as e:
            raise BenchError(f"{method} {path}: response is not JSON: {raw[:500]!r}") from e

    def close(self) -> None:
        self.conn.close()


def lifecycle(api: Api, i: int) -> tuple[int, int, int]:
    """One create -> exec(true) -> destroy; returns the three phase durations in ns."""
    cid = f"bench-{i}"
    t0 = time.perf_counter_ns()
    sandbox = api.call("POST", "/v1/sandboxes", {}, 201, cid)
    t1 = time.perf_counter_ns()
    sandbox_id = sandbox.get("id")
    if not sandbox_id:
        raise BenchError(f"create returned no id: {sandbox}")
    result = api.call("POST", f"/v1/sandboxes/{sandbox_id}/exec", {"command": ["true"]}, 200, cid)
    t2 = time.perf_counter_ns()
    destroyed = api.call("DELETE", f"/v1/sandboxes/{sandbox_id}", None, 200, cid)
    t3 = time.perf_counter_ns()
    if result.get("exitCode") != 0 or result.get("timedOut"):
        raise BenchError(f"exec in {sandbox_id} did not exit 0: {result}")
    if destroyed.get("state") not in ("DESTROYING", "DESTROYED"):
        raise BenchError(f"destroy of {sandbox_id} left state {destroyed.get('state')}: {destroyed}")
    return t1 - t0, t2 - t1, t3 - t2


class WarmUp:
    """Lifecycles until the JIT settles; records what it took."""

    def __init__(self, minimum: int, round_size: int, maximum: int, settled: float):
        self.minimum, self.round_size, self.maximum, self.settled = minimum, round_size, maximum, settled
        self.done = 0
        self.last_share = None

    def run(self, api: Api, base_url: str, admin_key: str | None) -> None:
        for _ in range(self.minimum):
            lifecycle(api, self.done)
            self.done += 1
        if admin_key is None:
            return
        while self.done < self.maximum:
            n = min(self.round_size, self.maximum - self.done)
            c0, t0 = compile_ms(hostport(base_url), admin_key), time.perf_counter_ns()
            for _ in range(n):
                lifecycle(api, self.done)
                self.done += 1
            wall_ms = (time.perf_counter_ns() - t0) / 1e6
            self.last_share = (compile_ms(hostport(base_url), admin_key) - c0) / wall_ms
            if self.last_share < self.settled:
                return

    def describe(self) -> str:
        if self.last_share is None:
            return f"{self.done} lifecycles (JIT not watched: no admin key)"
        verdict = "settled" if self.last_share < self.settled else "NOT settled at the cap"
        return (f"{self.done} lifecycles; JIT {verdict} (last round compiled {100 * self.last_share:.1f}% of its wall "
                f"time, threshold {100 * self.settled:g}%)")


def raw_spawn(argv: list[str]) -> int:
    t0 = time.perf_counter_ns()
    completed = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    t1 = time.perf_counter_ns()
    if completed.returncode != 0:
        raise BenchError(f"raw bwrap exited {completed.returncode}: {completed.stderr.decode(errors='replace')}")
    return t1 - t0


def percentile(values: list[int], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q of the sample at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def ms(ns: float) -> str:
    return f"{ns / 1e6:9.2f}"


def row(name: str, values: list[int]) -> str:
    return (f"{name:<34}{len(values):>6}{ms(percentile(values, 0.50))}{ms(percentile(values, 0.99))}"
            f"{ms(statistics.fmean(values))}{ms(min(values))}{ms(max(values))}")


HEADER = f"{'measurement':<34}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'min ms':>9}{'max ms':>9}"


def hyperfine_cross_check(argv: list[str], runs: int, warmup: int) -> list[int] | None:
    hyperfine = shutil.which("hyperfine")
    if not hyperfine:
        return None
    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        completed = subprocess.run([hyperfine, "-N", "--style", "none", "--warmup", str(warmup),
                                    "--runs", str(runs), "--export-json", export.name, shlex.join(argv)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if completed.returncode != 0:
            print(f"hyperfine cross-check skipped: {completed.stderr.decode(errors='replace').strip()}",
                  file=sys.stderr)
            return None
        with open(export.name) as f:
            times = json.load(f)["results"][0]["times"]
    return [int(t * 1e9) for t in times]


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10, help="untimed lifecycles first, at least")
    parser.add_argument("--warmup-round", type=int, default=250, help="lifecycles per round of JIT-settling warm-up")
    parser.add_argument("--warmup-max", type=int, default=6000, help="most warm-up lifecycles in all")
    parser.add_argument("--jit-settled", type=float, default=0.02,
                        help="JIT has settled when a round spends less than this share of its wall time compiling")
    parser.add_argument("--admin-key", default=os.environ.get("PERIMETER_BENCH_ADMIN_KEY"),
                        help="admin key, to watch the JIT (default: $PERIMETER_BENCH_ADMIN_KEY)")
    parser.add_argument("--base-url", help="Perimeter base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--key", default=os.environ.get("PERIMETER_BENCH_KEY"),
                        help="tenant API key (default: $PERIMETER_BENCH_KEY)")
    parser.add_argument("--raw-only", action="store_true", help="measure only the raw bwrap spawn")
    parser.add_argument("--bwrap", default=shutil.which("bwrap") or "bwrap")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout, seconds")
    parser.add_argument("--header", action="append", default=[], help="extra line for the report header")
    args = parser.parse_args()
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be >= 1 and --warmup >= 0")
    if not args.raw_only and (not args.base_url or not args.key):
        parser.error("--base-url and --key are required unless --raw-only")

    workspace = tempfile.mkdtemp(prefix="perimeter-bench-ws-")
    argv = bwrap_argv(args.bwrap, workspace, ["true"])
    api = None if args.raw_only else Api(args.base_url, args.key, args.timeout)
    creates, execs, destroys, totals, raws = [], [], [], [], []
    warmup = WarmUp(args.warmup, args.warmup_round, max(args.warmup, args.warmup_max), args.jit_settled)
    timed_compile_ms = None
    try:
        if api:
            warmup.run(api, args.base_url, args.admin_key)
            c0 = compile_ms(hostport(args.base_url), args.admin_key) if args.admin_key else None
            t0 = time.perf_counter_ns()
            for i in range(args.iterations):
                c, e, d = lifecycle(api, warmup.done + i)
                creates.append(c)
                execs.append(e)
                destroys.append(d)
                totals.append(c + e + d)
            if c0 is not None:
                timed_compile_ms = (compile_ms(hostport(args.base_url), args.admin_key) - c0,
                                    (time.perf_counter_ns() - t0) / 1e6)
            time.sleep(1.0)  # let the server finish asynchronous clean-up before the baseline
        for i in range(args.warmup + args.iterations):
            r = raw_spawn(argv)
            if i >= args.warmup:
                raws.append(r)
        cross = hyperfine_cross_check(argv, args.iterations, args.warmup)
    except (BenchError, ScrapeError) as e:
        print(f"bench failed: {e}", file=sys.stderr)
        return 1
    finally:
        if api:
            api.close()
        shutil.rmtree(workspace, ignore_errors=True)

    out = describe_machine() + args.header
    out += [f"iterations:   {args.iterations} timed per series; raw series after the lifecycle series, server idle, "
            f"{args.warmup} warm-up spawns"]
    if api:
        out.append(f"warm-up:      {warmup.describe()}")
    if timed_compile_ms:
        spent, wall = timed_compile_ms
        out.append(f"JIT in timed: {spent:.0f} ms of compiling in {wall / 1e3:.1f} s of lifecycles ({100 * spent / wall:.1f}%)")
    out += [f"raw argv:     {shlex.join(argv)}", "", HEADER]
    if api:
        out += [row("create (POST /v1/sandboxes)", creates),
                row("exec true (POST …/exec)", execs),
                row("destroy (DELETE …)", destroys),
                row("lifecycle create+exec+destroy", totals)]
    out.append(row("raw bwrap spawn (python)", raws))
    if cross:
        out.append(row("raw bwrap spawn (hyperfine -N)", cross))
    if api:
        ratio = percentile(totals, 0.50) / percentile(raws, 0.50)
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        out += ["", f"ratio p50(lifecycle) / p50(raw bwrap) = {ratio:.2f}  "
                    f"({verdict} the {TARGET_RATIO:g}x target)"]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the bench scripts read from a Perimeter server's /actuator/prometheus (standard library only)."""

from __future__ import annotations

import http.client
import re


class ScrapeError(Exception):
    pass


def scrape(hostport: str, admin_key: str) -> str:
    """The server's metrics in the Prometheus text format, read with the admin key."""
    conn = http.client.HTTPConnection(hostport, timeout=30)
    try:
        conn.request("GET", "/actuator/prometheus",
                     headers={"Authorization": f"Bearer {admin_key}", "Accept": "text/plain"})
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
    finally:
        conn.close()
    if response.status != 200:
        raise ScrapeError(f"GET /actuator/prometheus answered {response.status}: {body[:300]}")
    return body


def sample_sum(text: str, name: str) -> float | None:
    """The sum of every sample of series `name` (any labels) in a scrape, or None if there is none."""
    values = re.findall(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? (\S+)$", text, re.M)
    return sum(float(v) for v in values) if values else None


def buckets(text: str, name: str) -> dict[float, float]:
    """Cumulative counts of histogram `name` (its _bucket series) by upper bound, as published; empty if none."""
    found = re.findall(rf'^{re.escape(name)}_bucket\{{[^}}]*le="([^"]+)"[^}}]*\}} (\S+)$', text, re.M)
    return {float(le): float(count) for le, count in found}


def compile_ms_in(text: str) -> float:
    """The server JVM's accumulated JIT compile time in a scrape, in ms (jvm_compilation_time_ms_total)."""
    value = sample_sum(text, "jvm_compilation_time_ms_total")
    if value is None:
        raise ScrapeError("the server publishes no jvm_compilation_time_ms_total")
    return value


def compile_ms(hostport: str, admin_key: str) -> float:
    """The server JVM's accumulated JIT compile time, in ms."""
    return compile_ms_in(scrape(hostport, admin_key))

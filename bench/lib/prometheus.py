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


def compile_ms(hostport: str, admin_key: str) -> float:
    """The server JVM's accumulated JIT compile time, in ms (jvm_compilation_time_ms_total)."""
    values = re.findall(r"^jvm_compilation_time_ms_total(?:\{[^}]*\})? (\S+)$", scrape(hostport, admin_key), re.M)
    if not values:
        raise ScrapeError("the server publishes no jvm_compilation_time_ms_total")
    return sum(float(v) for v in values)

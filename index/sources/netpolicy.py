"""Who may be contacted and how often: address checks, host names, per-host pacing, ``Retry-After``.

Pure helpers of :class:`index.sources.fetch.Fetcher` (no I/O besides the injectable clock and sleep).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx


class HostPacer:
    """Keeps a minimum delay between requests to the same host (thread-safe)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ):
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str, delay: float) -> None:
        """Block until ``host`` may be asked again, and reserve the slot."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + delay
        if start > now:
            self.sleep(start - now)

    def done(self, host: str, delay: float) -> None:
        """A request to ``host`` finished: the delay counts from now."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), self.clock() + delay)


SHARED_PACER = HostPacer()  # process-wide: two sources on one host share its delay


def normalize_host(host: str) -> str:
    """Lower-case, IDNA-encoded host name without a trailing dot (the form compared with the allow-list)."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return ""
    try:
        return httpx.URL(f"http://{host}/").raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError):
        return host


def is_public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally routable unicast address (IPv4-mapped/6to4/Teredo IPv6 judged by the IPv4 inside)."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None and not is_public_address(inner):
            return False
    return ip.is_global and not ip.is_multicast and not ip.is_unspecified


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

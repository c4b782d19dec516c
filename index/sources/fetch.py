"""A polite, safe HTTP fetcher for live sources (sync; reindex runs in a worker thread).

Rules, in the order a request meets them:

- only ``http``/``https`` URLs without credentials, only hosts listed in the sources file
  (:attr:`SourcesConfig.allowed_hosts`); every redirect hop is followed by hand and checked again;
- the host name is resolved here (``socket.getaddrinfo``) and *every* answer must be a public address
  (no private, loopback, link-local, multicast, reserved, unspecified or shared ranges) unless
  ``[fetch] allow_private_addresses = true``; the connection then goes to a checked address (the URL's
  host is replaced by the IP, the ``Host`` header and TLS SNI/certificate check keep the name), so a DNS
  answer that changes between check and connect cannot redirect the request (DNS rebinding). Residual
  risks: each redirect hop and robots.txt is resolved anew (and checked anew); a listed host whose own
  server forwards requests internally is beyond what a client can see; proxies from the environment are
  never used (``trust_env`` is off);
- robots.txt is fetched once per origin through the same checks and respected for the ``defnews`` token
  (4xx -> everything allowed, 5xx or unreachable -> nothing allowed, as RFC 9309 says), with its
  ``Crawl-delay`` honoured up to :data:`MAX_CRAWL_DELAY`;
- a per-host delay between requests (monotonic clock and sleep are injectable for tests);
- timeouts (connect/read/write and a whole-response deadline), retries with exponential backoff on
  5xx/429 and transport errors, ``Retry-After`` honoured up to ``max_retry_wait_seconds`` (longer -> the
  request fails now and the source is retried on the next refresh);
- a maximum response size (``Content-Length`` checked first, then the decoded stream is cut off);
- conditional requests: validators (ETag / Last-Modified) in, ``304`` -> ``FetchResponse.not_modified``.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
import urllib.robotparser
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx

from .. import __version__
from ..errors import SourceError
from .config import FetchOptions
from .netpolicy import SHARED_PACER, HostPacer, is_public_address, normalize_host, retry_after

log = logging.getLogger(__name__)

PROJECT_URL = "https://github.com/defnews/defnews"
DEFAULT_USER_AGENT = f"defnews/{__version__} (+{PROJECT_URL})"
ROBOTS_TOKEN = "defnews"
ROBOTS_MAX_BYTES = 512 * 1024
MAX_CRAWL_DELAY = 60.0
BACKOFF_SECONDS = 0.5
REDIRECT_CODES = (301, 302, 303, 307, 308)

Resolver = Callable[..., list]


class FetchError(SourceError):
    """A URL could not be fetched; ``str()`` is one line naming the URL and the reason."""


class BlockedURLError(FetchError):
    """The URL is not allowed: scheme, host not in the sources file, or a non-public address."""


class RobotsDisallowedError(FetchError):
    """robots.txt forbids the URL for defnews."""


class ResponseTooLargeError(FetchError):
    """The body is larger than ``max_bytes``."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (after retries)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class FetchResponse:
    url: str  # the final URL, after redirects
    status: int
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    not_modified: bool = False

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def validators(self) -> dict[str, str]:
        """What to send next time for a conditional request (``etag`` / ``last_modified``)."""
        out = {}
        if self.headers.get("etag"):
            out["etag"] = self.headers["etag"]
        if self.headers.get("last-modified"):
            out["last_modified"] = self.headers["last-modified"]
        return out


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    host: str  # normalised host name (allow-list form)
    addresses: tuple[str, ...]


class Fetcher:
    """One fetcher per reindex (it caches robots.txt per origin). Use as a context manager or ``close()``."""

    def __init__(
        self,
        options: FetchOptions,
        allowed_hosts: Iterable[str],
        *,
        pacer: HostPacer | None = None,
        sleep: Callable[[float], None] | None = None,
        resolver: Resolver = socket.getaddrinfo,
        transport: httpx.BaseTransport | None = None,
        max_redirects: int = 5,
    ) -> None:
        self.options = options
        self.allowed_hosts = frozenset(h for h in (normalize_host(x) for x in allowed_hosts) if h)
        self.pacer = pacer or SHARED_PACER
        self.sleep = sleep or self.pacer.sleep
        self.resolver = resolver
        self.max_redirects = max_redirects
        self.user_agent = options.user_agent or DEFAULT_USER_AGENT
        self._robots: dict[tuple[str, str, int | None], tuple[urllib.robotparser.RobotFileParser, str]] = {}
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # no proxies from the environment: the address checks must hold
            timeout=httpx.Timeout(options.timeout_seconds),
            headers={"User-Agent": self.user_agent},
        )
        self.requests = 0  # requests sent (for reports and tests)

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ checks

    def check_url(self, url: str) -> _Target:
        """Scheme, credentials, allow-listed host and public addresses. Raises :class:`BlockedURLError`."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise BlockedURLError(f"{url[:200]}: not a valid URL ({exc})") from exc
        if parsed.scheme not in ("http", "https"):
            raise BlockedURLError(f"{url[:200]}: only http and https URLs are fetched")
        if parsed.userinfo:
            raise BlockedURLError(f"{url[:200]}: URLs with credentials are not fetched")
        host = normalize_host(parsed.raw_host.decode("ascii", "replace"))
        if not host:
            raise BlockedURLError(f"{url[:200]}: no host")
        if host not in self.allowed_hosts:
            raise BlockedURLError(
                f"{url[:200]}: host {host} is not listed in the sources file (add it to the source's "
                "allowed_hosts or [fetch] extra_allowed_hosts)"
            )
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        return _Target(parsed, host, self._addresses(host, port))

    def _addresses(self, host: str, port: int) -> tuple[str, ...]:
        try:
            infos = self.resolver(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise FetchError(f"cannot resolve {host} ({getattr(exc, 'strerror', None) or exc})") from exc
        addrs = tuple(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
        if not addrs:
            raise FetchError(f"cannot resolve {host} (no addresses)")
        if not self.options.allow_private_addresses:
            for a in addrs:
                try:
                    ip = ipaddress.ip_address(a)
                except ValueError as exc:
                    raise BlockedURLError(f"{host} resolved to an unusable address {a!r}") from exc
                if not is_public_address(ip):
                    raise BlockedURLError(
                        f"{host} resolves to a non-public address ({a}): refused "
                        "([fetch] allow_private_addresses = true is for local testing only)"
                    )
        return addrs

    # ------------------------------------------------------------------ robots.txt

    def _robots_for(self, url: httpx.URL) -> tuple[urllib.robotparser.RobotFileParser, str]:
        key = (url.scheme, url.raw_host.decode("ascii", "replace").lower(), url.port)
        cached = self._robots.get(key)
        if cached is not None:
            return cached
        robots_url = str(url.copy_with(raw_path=b"/robots.txt", fragment=None))
        parser = urllib.robotparser.RobotFileParser(robots_url)
        note = ""
        try:
            resp = self._get(
                robots_url,
                validators=None,
                delay=None,
                accept="text/plain",
                max_bytes=ROBOTS_MAX_BYTES,
                robots=False,
                raise_for_status=False,
            )
        except FetchError as exc:
            parser.disallow_all = True
            note = f"robots.txt could not be read ({exc}); nothing is fetched from this site"
        else:
            if resp.status >= 500 or resp.status == 429:
                parser.disallow_all = True
                note = f"robots.txt answered HTTP {resp.status}; nothing is fetched from this site"
            elif resp.status >= 400:
                parser.parse([])  # no robots.txt: everything allowed
            else:
                parser.parse(resp.content.decode("utf-8", "replace").splitlines())
        if note:
            log.warning("%s: %s", robots_url, note)
        self._robots[key] = (parser, note)
        return parser, note

    def robots_allowed(self, url: str) -> bool:
        target = self.check_url(url)
        parser, _ = self._robots_for(target.url)
        return parser.can_fetch(ROBOTS_TOKEN, str(target.url))

    def _check_robots(self, target: _Target) -> float:
        """Raise if robots.txt forbids the URL; return the site's crawl delay (0 if none)."""
        parser, note = self._robots_for(target.url)
        if not parser.can_fetch(ROBOTS_TOKEN, str(target.url)):
            raise RobotsDisallowedError(f"{target.url}: {note or 'disallowed by robots.txt'}")
        try:
            crawl_delay = parser.crawl_delay(ROBOTS_TOKEN)
        except (TypeError, ValueError):
            crawl_delay = None
        return min(float(crawl_delay or 0.0), MAX_CRAWL_DELAY)

    # ------------------------------------------------------------------ fetching

    def get(
        self,
        url: str,
        *,
        validators: dict | None = None,
        delay: float | None = None,
        accept: str | None = None,
        max_bytes: int | None = None,
    ) -> FetchResponse:
        """GET ``url`` under every rule above. Error statuses raise :class:`HTTPStatusError`."""
        return self._get(url, validators=validators, delay=delay, accept=accept, max_bytes=max_bytes)

    def _get(
        self,
        url: str,
        *,
        validators: dict | None,
        delay: float | None,
        accept: str | None,
        max_bytes: int | None,
        robots: bool = True,
        raise_for_status: bool = True,
    ) -> FetchResponse:
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        conditional = False
        if validators:
            if validators.get("etag"):
                headers["If-None-Match"] = str(validators["etag"])
                conditional = True
            if validators.get("last_modified"):
                headers["If-Modified-Since"] = str(validators["last_modified"])
                conditional = True
        limit = max_bytes or self.options.max_bytes
        base_delay = self.options.per_host_delay_seconds if delay is None else delay
        current = url
        for _hop in range(self.max_redirects + 1):
            target = self.check_url(current)
            site_delay = self._check_robots(target) if robots else 0.0
            status, resp_headers, body = self._send_with_retries(
                target, headers, max(base_delay, site_delay), limit
            )
            if status in REDIRECT_CODES:
                location = resp_headers.get("location")
                if not location:
                    raise FetchError(f"{current}: HTTP {status} redirect without a Location")
                current = str(target.url.join(location).copy_with(fragment=None))
                continue
            final = str(target.url)
            if status == 304:
                if not conditional:
                    raise HTTPStatusError(f"{final}: HTTP 304 to an unconditional request", status)
                return FetchResponse(final, status, b"", resp_headers, not_modified=True)
            if status >= 400 and raise_for_status:
                raise HTTPStatusError(f"{final}: HTTP {status}", status)
            return FetchResponse(final, status, body, resp_headers)
        raise FetchError(f"{url}: more than {self.max_redirects} redirects")

    def _send_with_retries(
        self, target: _Target, headers: dict[str, str], delay: float, limit: int
    ) -> tuple[int, dict[str, str], bytes]:
        retries = max(0, int(self.options.retries))
        cap = float(self.options.max_retry_wait_seconds)
        for attempt in range(retries + 1):
            backoff = min(cap, BACKOFF_SECONDS * (2**attempt))
            self.pacer.wait(target.host, delay)
            try:
                status, resp_headers, body = self._send(target, headers, limit)
            except (ResponseTooLargeError, BlockedURLError):
                raise
            except (httpx.TransportError, _DeadlineError) as exc:
                reason = (
                    "timed out"
                    if isinstance(exc, httpx.TimeoutException | _DeadlineError)
                    else (f"connection failed ({type(exc).__name__}: {exc})")
                )
                if attempt < retries:
                    log.info("%s: %s; retrying in %.1f s", target.url, reason, backoff)
                    self.sleep(backoff)
                    continue
                raise FetchError(f"{target.url}: {reason}") from exc
            finally:
                self.pacer.done(target.host, delay)
            if status == 429 or status >= 500:
                wait = retry_after(resp_headers.get("retry-after"))
                if attempt < retries:
                    if wait is not None and wait > cap:
                        raise HTTPStatusError(
                            f"{target.url}: HTTP {status}, server asks to retry after {wait:.0f} s "
                            f"(more than {cap:.0f} s); retried on the next refresh",
                            status,
                        )
                    pause = backoff if wait is None else wait
                    log.info("%s: HTTP %s; retrying in %.1f s", target.url, status, pause)
                    self.sleep(pause)
                    continue
            return status, resp_headers, body
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self, target: _Target, headers: dict[str, str], limit: int
    ) -> tuple[int, dict[str, str], bytes]:
        """One request, connected to a checked address (tried in resolver order)."""
        last: Exception | None = None
        for addr in target.addresses:
            pinned = target.url.copy_with(host=addr)
            req_headers = {**headers, "Host": target.url.netloc.decode("ascii")}
            request = self._client.build_request(
                "GET",
                pinned,
                headers=req_headers,
                extensions={"sni_hostname": target.url.raw_host.decode("ascii")},
            )
            try:
                self.requests += 1
                response = self._client.send(request, stream=True)
            except httpx.ConnectError as exc:
                last = exc
                continue
            try:
                return response.status_code, _lower(response.headers), self._read(response, target, limit)
            finally:
                response.close()
        assert last is not None
        raise last

    def _read(self, response: httpx.Response, target: _Target, limit: int) -> bytes:
        status = response.status_code
        if status in REDIRECT_CODES or status == 304 or status >= 400:
            return b""  # the body of these is never used
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLargeError(f"{target.url}: response is larger than {limit} bytes ({declared})")
        deadline = time.monotonic() + 2 * self.options.timeout_seconds
        parts: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise ResponseTooLargeError(f"{target.url}: response is larger than {limit} bytes")
            if time.monotonic() > deadline:
                raise _DeadlineError(str(target.url))
            parts.append(chunk)
        return b"".join(parts)


class _DeadlineError(Exception):
    """The whole response took longer than twice the timeout (a slow drip)."""


def _lower(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}

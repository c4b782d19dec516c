"""The polite, safe fetcher against a local site on 127.0.0.1 (and a mock transport for 'public' hosts)."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from index import __version__
from index.sources.config import FetchOptions
from index.sources.fetch import (
    DEFAULT_USER_AGENT,
    BlockedURLError,
    Fetcher,
    FetchError,
    HTTPStatusError,
    ResponseTooLargeError,
    RobotsDisallowedError,
)
from index.sources.netpolicy import HostPacer, is_public_address

from .livesite import LiveSite, http_date


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def site():
    with LiveSite() as s:
        s.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        yield s


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make_fetcher(fake_time: FakeTime, *, hosts=("127.0.0.1",), **options) -> Fetcher:
    opts = {"allow_private_addresses": True, "per_host_delay_seconds": 0.0, "timeout_seconds": 2.0, **options}
    return Fetcher(
        FetchOptions(**opts), hosts, pacer=HostPacer(fake_time.clock, fake_time.sleep), sleep=fake_time.sleep
    )


def test_user_agent_names_project_and_version(site, fake_time):
    site.add("/a", "hello")
    with make_fetcher(fake_time) as f:
        resp = f.get(site.url("/a"))
    assert resp.status == 200 and resp.content == b"hello"
    ua = site.requests("/a")[0].headers["user-agent"]
    assert ua == DEFAULT_USER_AGENT == f"defnews/{__version__} (+https://github.com/defnews/defnews)"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "http://user:pw@127.0.0.1/x"])
def test_only_plain_http_urls(fake_time, url):
    with make_fetcher(fake_time) as f, pytest.raises(BlockedURLError):
        f.get(url)


def test_unlisted_host_is_refused_before_any_request(site, fake_time):
    site.add("/a", "hello")
    with (
        make_fetcher(fake_time, hosts=("news.example",)) as f,
        pytest.raises(BlockedURLError, match="not listed"),
    ):
        f.get(site.url("/a"))
    assert site.paths() == []


def test_private_address_refused_unless_allowed(site, fake_time):
    site.add("/a", "hello")
    with (
        make_fetcher(fake_time, allow_private_addresses=False) as f,
        pytest.raises(BlockedURLError, match="non-public address"),
    ):
        f.get(site.url("/a"))
    assert site.paths() == []  # nothing, not even robots.txt, was asked
    with make_fetcher(fake_time, allow_private_addresses=True) as f:
        assert f.get(site.url("/a")).content == b"hello"


def test_any_private_answer_among_public_ones_is_refused(fake_time):
    def resolver(host, port, type=0):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    f = Fetcher(
        FetchOptions(),
        ["mixed.example"],
        resolver=resolver,
        transport=httpx.MockTransport(lambda r: pytest.fail("must not connect")),
    )
    with f, pytest.raises(BlockedURLError, match=r"10\.1\.2\.3"):
        f.get("http://mixed.example/")


@pytest.mark.parametrize(
    "addr,public",
    [
        ("93.184.216.34", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("192.168.1.1", False),
        ("172.16.5.5", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("2002:7f00:1::", False),
        ("2606:4700::1111", True),
        ("ff02::1", False),
    ],
)
def test_address_classification(addr, public):
    import ipaddress

    assert is_public_address(ipaddress.ip_address(addr)) is public


def _public_world(routes: dict[str, callable], seen: list[httpx.Request]):
    """'Public' hosts served by a mock transport (no traffic leaves the process)."""
    table = {"news.example": "93.184.216.34", "cdn.example": "151.101.1.1", "internal.example": "10.0.0.5"}

    def resolver(host, port, type=0):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port))]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        host = request.headers["host"]
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return routes[f"{host}{request.url.path}"](request)

    return resolver, httpx.MockTransport(handler)


def test_connection_is_pinned_to_the_checked_address(fake_time):
    seen: list[httpx.Request] = []
    resolver, transport = _public_world({"news.example/a": lambda r: httpx.Response(200, text="ok")}, seen)
    f = Fetcher(
        FetchOptions(per_host_delay_seconds=0), ["news.example"], resolver=resolver, transport=transport
    )
    with f:
        resp = f.get("https://news.example/a")
    assert resp.url == "https://news.example/a"
    page = seen[-1]
    assert page.url.host == "93.184.216.34"  # connected to the address that was checked
    assert page.headers["host"] == "news.example"
    assert page.extensions["sni_hostname"] == "news.example"  # TLS name check keeps the host name


def test_redirects_are_rechecked_each_hop(fake_time):
    seen: list[httpx.Request] = []
    routes = {
        "news.example/to-cdn": lambda r: httpx.Response(302, headers={"Location": "https://cdn.example/a"}),
        "cdn.example/a": lambda r: httpx.Response(200, text="article"),
        "news.example/to-internal": lambda r: httpx.Response(
            301, headers={"Location": "http://internal.example/"}
        ),
        "news.example/to-unlisted": lambda r: httpx.Response(
            307, headers={"Location": "https://evil.example/"}
        ),
    }
    resolver, transport = _public_world(routes, seen)
    opts = FetchOptions(per_host_delay_seconds=0)
    hosts = ["news.example", "cdn.example", "internal.example"]
    with Fetcher(opts, hosts, resolver=resolver, transport=transport) as f:
        assert f.get("https://news.example/to-cdn").url == "https://cdn.example/a"
        with pytest.raises(BlockedURLError, match="non-public"):
            f.get("https://news.example/to-internal")
        with pytest.raises(BlockedURLError, match="not listed"):
            f.get("https://news.example/to-unlisted")
    assert not any(r.url.host == "10.0.0.5" for r in seen)


def test_redirect_to_allowed_and_to_unlisted_host_on_the_local_site(site, fake_time):
    site.add("/new", "moved here")
    site.add("/old", b"", status=301, headers={"Location": site.url("/new", host="localhost")})
    site.add("/loop", b"", status=302, headers={"Location": "/loop"})
    with make_fetcher(fake_time, hosts=("127.0.0.1", "localhost")) as f:
        resp = f.get(site.url("/old"))
        assert resp.content == b"moved here" and resp.url == site.url("/new", host="localhost")
        with pytest.raises(FetchError, match="redirects"):
            f.get(site.url("/loop"))
    site.clear_log()
    with (
        make_fetcher(fake_time, hosts=("127.0.0.1",)) as f,
        pytest.raises(BlockedURLError, match="localhost"),
    ):
        f.get(site.url("/old"))
    assert "/new" not in site.paths()


def test_robots_txt_is_respected_and_read_once(site, fake_time):
    site.add("/private/a", "secret")
    site.add("/public/a", "open")
    site.add("/public/b", "open too")
    with make_fetcher(fake_time) as f:
        assert f.get(site.url("/public/a")).content == b"open"
        assert f.get(site.url("/public/b")).content == b"open too"
        with pytest.raises(RobotsDisallowedError):
            f.get(site.url("/private/a"))
        assert not f.robots_allowed(site.url("/private/a"))
    assert "/private/a" not in site.paths()
    assert site.paths().count("/robots.txt") == 1


def test_robots_missing_allows_and_robots_error_forbids(fake_time):
    with LiveSite() as s:
        s.add("/a", "ok")
        with make_fetcher(fake_time) as f:  # robots.txt 404 -> all allowed
            assert f.get(s.url("/a")).content == b"ok"
        s.add("/robots.txt", "boom", status=503)
        with make_fetcher(fake_time, retries=0) as f, pytest.raises(RobotsDisallowedError, match="503"):
            f.get(s.url("/a"))


def test_robots_crawl_delay_and_per_host_delay(site, fake_time):
    for p in ("/1", "/2", "/3"):
        site.add(p, "x")
    with make_fetcher(fake_time, per_host_delay_seconds=2.0) as f:
        for p in ("/1", "/2", "/3"):
            f.get(site.url(p))
    # robots.txt + 3 pages on one host: a 2 s gap before each request after the first
    assert fake_time.sleeps == [2.0, 2.0, 2.0]

    fake_time.sleeps.clear()
    site.add("/robots.txt", "User-agent: *\nCrawl-delay: 5\n", content_type="text/plain")
    with make_fetcher(fake_time, per_host_delay_seconds=1.0) as f:
        f.get(site.url("/1"))
        f.get(site.url("/2"))
    assert fake_time.sleeps[-1] == 5.0  # the site's Crawl-delay wins over our 1 s


def test_delay_is_per_host(site, fake_time):
    site.add("/1", "x")
    with make_fetcher(fake_time, hosts=("127.0.0.1", "localhost"), per_host_delay_seconds=3.0) as f:
        f.get(site.url("/1"))  # robots + page on 127.0.0.1
        f.get(site.url("/1", host="localhost"))  # robots + page on localhost
    assert fake_time.sleeps == [3.0, 3.0]  # one gap per host, none between hosts


def test_slow_endpoint_times_out_and_is_retried(site, fake_time):
    def slow(req, n):
        site.stop.wait(3)
        return 200, {}, b"late"

    site.dynamic("/slow", slow)
    with (
        make_fetcher(fake_time, timeout_seconds=0.3, retries=1) as f,
        pytest.raises(FetchError, match="timed out"),
    ):
        f.get(site.url("/slow"))
    assert len(site.requests("/slow")) == 2
    assert fake_time.sleeps == [0.5]  # one backoff


def test_5xx_then_success_is_retried_with_backoff(site, fake_time):
    site.dynamic("/flaky", lambda req, n: (500, {}, b"oops") if n < 3 else (200, {}, b"fine"))
    with make_fetcher(fake_time, retries=2) as f:
        assert f.get(site.url("/flaky")).content == b"fine"
    assert [r.status for r in site.requests("/flaky")] == [500, 500, 200]
    assert fake_time.sleeps == [0.5, 1.0]  # exponential


def test_5xx_gives_up_after_retries(site, fake_time):
    site.add("/down", "down", status=503)
    with make_fetcher(fake_time, retries=2) as f, pytest.raises(HTTPStatusError) as err:
        f.get(site.url("/down"))
    assert err.value.status == 503 and len(site.requests("/down")) == 3


def test_4xx_is_not_retried(site, fake_time):
    with make_fetcher(fake_time, retries=3) as f, pytest.raises(HTTPStatusError, match="404"):
        f.get(site.url("/missing"))
    assert len(site.requests("/missing")) == 1


def test_429_retry_after_is_honoured(site, fake_time):
    site.dynamic("/busy", lambda req, n: (429, {"Retry-After": "4"}, b"") if n == 1 else (200, {}, b"ok"))
    with make_fetcher(fake_time, retries=2) as f:
        assert f.get(site.url("/busy")).content == b"ok"
    assert fake_time.sleeps == [4.0]


def test_429_with_too_long_retry_after_fails_now(site, fake_time):
    site.add("/busy", "", status=429, headers={"Retry-After": "3600"})
    with (
        make_fetcher(fake_time, retries=2, max_retry_wait_seconds=30) as f,
        pytest.raises(HTTPStatusError, match="3600"),
    ):
        f.get(site.url("/busy"))
    assert len(site.requests("/busy")) == 1 and fake_time.sleeps == []


def test_oversized_bodies_are_cut_off(site, fake_time):
    site.add("/big", b"x" * 50_000)  # with Content-Length

    def undeclared(req, n):
        return 200, {"Content-Type": "text/html", "X-No-Length": "1"}, b"y" * 50_000

    site.dynamic("/big-stream", undeclared)
    with make_fetcher(fake_time, max_bytes=10_000) as f:
        with pytest.raises(ResponseTooLargeError):
            f.get(site.url("/big"))
        with pytest.raises(ResponseTooLargeError):
            f.get(site.url("/big-stream"))
        assert len(f.get(site.url("/robots.txt")).content) < 10_000


def test_conditional_requests_etag_and_last_modified(site, fake_time):
    lm = http_date(time.time() - 3600)
    site.add("/e", "etag page", etag='"v1"')
    site.add("/m", "dated page", last_modified=lm)
    with make_fetcher(fake_time) as f:
        first = f.get(site.url("/e"))
        assert not first.not_modified and first.validators() == {"etag": '"v1"'}
        again = f.get(site.url("/e"), validators=first.validators())
        assert again.not_modified and again.content == b""
        assert site.requests("/e")[-1].headers["if-none-match"] == '"v1"'

        dated = f.get(site.url("/m"))
        assert dated.validators() == {"last_modified": lm}
        assert f.get(site.url("/m"), validators=dated.validators()).not_modified

        site.add("/e", "changed", etag='"v2"')
        changed = f.get(site.url("/e"), validators=first.validators())
        assert not changed.not_modified and changed.content == b"changed"

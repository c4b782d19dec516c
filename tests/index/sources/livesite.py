"""A tiny news site on 127.0.0.1 for the live-source tests: feeds, pages, sitemaps, robots.txt, misbehaviour.

Static routes answer conditional requests (ETag / Last-Modified -> 304) like a real server; dynamic routes
are functions ``(request, n) -> (status, headers, body)`` where ``n`` counts the route's requests (1-based).
Every request is logged (path, status, request headers) so tests can assert what was and was not fetched.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Dynamic = Callable[["Request", int], tuple[int, dict[str, str], bytes]]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    status: int = 0


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    dynamic: Dynamic | None = None


class LiveSite:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Request] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # no keep-alive: bodies without Content-Length end at close

            def do_GET(self) -> None:
                site._handle(self)

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    # -- set-up

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "text/html; charset=utf-8",
        etag: str | None = None,
        last_modified: str | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Route:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, content_type, etag, last_modified, status, dict(headers or {}))
        self.routes[path] = route
        return route

    def dynamic(self, path: str, func: Dynamic) -> None:
        self.routes[path] = Route(dynamic=func)

    # -- inspection

    def requests(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.log if path is None or r.path == path]

    def paths(self) -> list[str]:
        return [r.path for r in self.requests()]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    # -- serving

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        req = Request(h.path, {k.lower(): v for k, v in h.headers.items()})
        with self._lock:
            self.log.append(req)
            n = self._counts[h.path] = self._counts.get(h.path, 0) + 1
        route = self.routes.get(h.path)
        if route is None:
            status, headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        elif route.dynamic is not None:
            status, headers, body = route.dynamic(req, n)
        else:
            status, headers, body = (
                route.status,
                {"Content-Type": route.content_type, **route.headers},
                route.body,
            )
            if route.etag:
                headers["ETag"] = route.etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            fresh = (route.etag and req.headers.get("if-none-match") == route.etag) or (
                route.last_modified
                and not route.etag
                and req.headers.get("if-modified-since") == route.last_modified
            )
            if fresh and status == 200:
                status, body = 304, b""
        req.status = status
        headers = dict(headers)
        declare_length = headers.pop("X-No-Length", None) is None  # a way to stream without a length
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            if declare_length and "Content-Length" not in headers and body and status != 304:
                h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            if body and status != 304:
                h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def __enter__(self) -> LiveSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def http_date(ts: float) -> str:
    return formatdate(ts, usegmt=True)


# --------------------------------------------------------------------------- content (our own writing)

JA_ARTICLES = {
    "f35-misawa": (
        "F-35A、三沢基地に2機追加配備",
        "2025-07-08T10:00:00+09:00",
        [
            "防衛省は8日、航空自衛隊のF-35A戦闘機2機を三沢基地に追加配備したと発表した。配備は2025年度の"
            "整備計画に基づくもので、北部航空方面隊の即応態勢を高める狙いがある。",
            "同省によると、新たに届いた機体は第3航空団第302飛行隊に編入される。同飛行隊は既に20機以上を"
            "運用しており、今回の追加で定数に近づく。機体は愛知県の最終組立工場から空輸された。",
            "防衛相は閣議後の記者会見で「周辺の航空活動が活発になる中、警戒監視と抑止に万全を期す」と述べた。"
            "三沢市など地元自治体には配備前に説明を行ったという。",
        ],
    ),
    "ise-exercise": (
        "護衛艦「いせ」、太平洋で多国間共同訓練に参加",
        "2025-07-10T15:30:00+09:00",
        [
            "海上自衛隊は10日、護衛艦「いせ」が太平洋で米海軍や豪海軍との多国間共同訓練に参加したと発表した。"
            "訓練は対潜戦と洋上補給を中心に5日間行われた。",
            "参加したのは日米豪の艦艇計8隻と哨戒機3機で、各国の連携要領を確認した。海自からは補給艦"
            "「ときわ」も加わり、夜間の洋上補給を実施した。",
            "海上幕僚長は「自由で開かれたインド太平洋の実現に向け、同志国との相互運用性を一段と高めたい」と"
            "話した。次回の訓練は秋に日本近海で予定されている。",
        ],
    ),
    "gsdf-hokkaido": (
        "陸自第2師団、北海道で大規模演習を公開",
        "2025-07-12T09:00:00+09:00",
        [
            "陸上自衛隊第2師団は12日、北海道の上富良野演習場で実施している大規模演習を報道陣に公開した。"
            "16式機動戦闘車や19式装輪自走155ミリりゅう弾砲など約300両が参加している。",
            "演習は島しょ部への部隊展開を想定し、鉄道と民間フェリーを使った長距離機動も組み込んだ。師団長は"
            "「輸送から射撃までを一連の流れで検証できた」と手応えを語った。",
            "演習は今月末まで続き、期間中は周辺道路で車両の通行が増える。陸自は地域住民に安全への協力を"
            "呼びかけている。",
        ],
    ),
}

EN_ARTICLES = {
    "radar-upgrade": (
        "Japan to upgrade air-defence radars on southwestern islands",
        "2025-07-09T08:00:00+09:00",
        [
            "Japan's Ministry of Defense said on Wednesday that it will replace the fixed air-defence "
            "radars on three southwestern islands with new FPS-7 systems over the next four fiscal years.",
            "The ministry said the upgrade improves the detection of small, low-flying targets such as "
            "drones and cruise missiles, a gap highlighted during recent exercises in the region.",
            "Funding for the first site is included in the fiscal 2025 budget, and construction is "
            "expected to start next spring after environmental surveys are complete.",
        ],
    ),
}


def article_html(title: str | None, published: str | None, paragraphs: list[str], *, lang: str = "ja") -> str:
    """A realistic article page: navigation, the article, a footer."""
    head = '<meta charset="utf-8">'
    if title:
        head += f"<title>{html.escape(title)} | 防衛ニュース</title>"
        head += f'<meta property="og:title" content="{html.escape(title)}">'
    if published:
        head += f'<meta property="article:published_time" content="{published}">'
    h1 = f"<h1>{html.escape(title)}</h1>" if title else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{lang}"><head>{head}</head><body>'
        '<header><nav><a href="/">トップ</a> | <a href="/news/">ニュース</a> | <a href="/about">About</a></nav>'
        f"</header><main><article>{h1}{body}</article></main>"
        "<aside><h2>関連リンク</h2><ul><li><a href='/x'>過去の記事</a></li></ul></aside>"
        "<footer><p>© 2025 Example Defence News</p></footer></body></html>"
    )


def rss2(items: list[dict], *, title: str = "防衛ニュース") -> str:
    """RSS 2.0; item keys: link, title, pubDate (RFC 822), content (HTML for content:encoded)."""
    out = []
    for it in items:
        parts = [
            f"<title>{html.escape(it.get('title', ''))}</title>",
            f"<link>{html.escape(it['link'])}</link>",
            f"<guid>{html.escape(it['link'])}</guid>",
        ]
        if it.get("pubDate"):
            parts.append(f"<pubDate>{it['pubDate']}</pubDate>")
        parts.append(f"<description>{html.escape(it.get('description', '概要'))}</description>")
        if it.get("content"):
            parts.append(f"<content:encoded><![CDATA[{it['content']}]]></content:encoded>")
        out.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{html.escape(title)}</title><link>http://127.0.0.1/</link><description>テスト</description>"
        + "".join(out)
        + "</channel></rss>"
    )


def rss1(items: list[dict]) -> str:
    """RSS 1.0 (RDF) with dc:date; item keys: link, title, date (ISO 8601)."""
    seq = "".join(f'<rdf:li rdf:resource="{html.escape(it["link"])}"/>' for it in items)
    out = "".join(
        f'<item rdf:about="{html.escape(it["link"])}"><title>{html.escape(it["title"])}</title>'
        f"<link>{html.escape(it['link'])}</link><dc:date>{it['date']}</dc:date></item>"
        for it in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="http://127.0.0.1/rdf"><title>RDF news</title><link>http://127.0.0.1/</link>'
        f"<description>RDF</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>{out}</rdf:RDF>"
    )


def atom(items: list[dict]) -> str:
    """Atom 1.0; item keys: link, title, published (ISO 8601), updated."""
    out = "".join(
        f'<entry><title>{html.escape(it["title"])}</title>'
        f'<link rel="alternate" href="{html.escape(it["link"])}"/>'
        f"<id>{html.escape(it['link'])}</id><published>{it['published']}</published>"
        f"<updated>{it.get('updated', it['published'])}</updated></entry>"
        for it in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Atom news</title><id>urn:test:atom</id><updated>2025-07-12T00:00:00Z</updated>"
        f"{out}</feed>"
    )


def sitemap(urls: list[tuple[str, str]]) -> str:
    body = "".join(f"<url><loc>{html.escape(u)}</loc><lastmod>{m}</lastmod></url>" for u, m in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    )


def sitemap_index(urls: list[tuple[str, str]]) -> str:
    body = "".join(f"<sitemap><loc>{html.escape(u)}</loc><lastmod>{m}</lastmod></sitemap>" for u, m in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'
    )


ENTITY_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    '<rss version="2.0"><channel><title>&lol3;</title><item><title>&lol3;</title>'
    "<link>http://127.0.0.1/x</link></item></channel></rss>"
)


def news_list(entries: list[tuple[str, str, str]], *, next_href: str = "", next_rel: bool = True) -> str:
    """A "新着情報" page: a menu, a dated list of (date, href, text) entries, a ranking, a footer."""
    rows = "".join(f"<li><span class='date'>{html.escape(d)}</span> <a href='{html.escape(h)}'>{html.escape(t)}</a>"
                   "</li>" for d, h, t in entries)
    nav = ""
    if next_href:
        nav = (f"<a rel='next' href='{html.escape(next_href)}'>次のページ</a>" if next_rel
               else f"<a href='{html.escape(next_href)}'>次へ</a>")
    return (
        "<!doctype html><html lang='ja'><head><meta charset='utf-8'><title>新着情報</title></head><body>"
        "<nav><a href='/'>トップ</a> <a href='/about.html'>防衛ニュースについて</a> <a href='/news/'>ニュース</a></nav>"
        f"<main><h1>新着情報</h1><ul class='news'>{rows}</ul><div class='pager'>{nav}</div></main>"
        "<aside><h2>ランキング</h2><ol><li><a href='/ranking/1.html'>よく読まれている記事</a></li></ol></aside>"
        "<footer><a href='/privacy.html'>プライバシーポリシー</a> © 2025 Example Defence News</footer>"
        "</body></html>"
    )

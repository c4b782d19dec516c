"""Live sources: RSS/Atom feeds, sitemaps, news-list pages and single pages, read through
:class:`index.sources.fetch.Fetcher`.

``read_remote_source(spec, cfg, state)`` returns the articles that are new or changed since the last run.
Unchanged pages are not read again: their article URLs go to ``state.kept`` (so ``--prune`` knows they
are still listed) and nothing is re-chunked or re-embedded for them. A page counts as unchanged when

- the feed or sitemap listing it answered ``304 Not Modified`` and the page's article is indexed, or
- its sitemap ``lastmod`` is the same as last time and its article is indexed, or
- a list page (``listing``) shows its link with the same text and date as last time and its article is
  indexed, or
- the page itself answers ``304`` to a conditional request (ETag / Last-Modified from last time).

Everything remembered lives in ``state.http`` (see :class:`index.ingest.collect.SourceState`);
``state.http`` and ``state.kept`` are only replaced when the source was read, so a failing source keeps
what it had.

Article pages: main text via :func:`index.sources.htmlpage.parse_html` (trafilatura). The published date
is the feed entry's (or a news sitemap's) when it has one, else the page's, else the sitemap ``lastmod``
or the date beside the link on a list page; the title is the page's, else the feed entry's (or the link's
text). When an article page cannot be fetched or yields no article
(HTTP error, robots.txt, host not allowed, no main text) and the feed entry carries the full text
(``content:encoded`` or Atom ``content``, at least :data:`MIN_FEED_CONTENT_CHARS` characters), the
article is built from the feed entry instead; summaries/descriptions are never used as bodies.

Feeds and sitemaps are parsed by :mod:`index.sources.feeds` (which refuses unsafe XML), list pages by
:mod:`index.sources.listing`; sizes are bounded by ``[fetch] max_bytes`` (gzip sitemaps too).
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from dataclasses import replace
from datetime import datetime

from ..errors import SourceError
from ..models import Article
from ..normalize import normalize_inline
from .config import SourcesConfig, SourceSpec
from .feeds import FeedError, Item, fragment_text, lastmod_key, parse_feed, parse_sitemap
from .fetch import Fetcher, FetchError, FetchResponse
from .htmlpage import parse_html
from .listing import parse_listing
from .records import MAX_TITLE_CHARS, ParseResult, RecordError, Rejection, make_article, parse_published

log = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, "
    "text/xml;q=0.8, */*;q=0.5"
)
SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MIN_FEED_CONTENT_CHARS = 200
MAX_SITEMAP_DEPTH = 3  # index -> index -> urlset
MAX_CHILD_SITEMAPS = 25  # per sitemap index, newest first


def _inject_metadata(page: bytes, title: str, published: str) -> bytes:
    """Add a <title> and/or article:published_time to a page (ASCII-safe, whatever its encoding)."""
    extra = b""
    if title:
        extra += b"<title>" + htmllib.escape(title).encode("ascii", "xmlcharrefreplace") + b"</title>"
    if published:
        extra += b'<meta property="article:published_time" content="' + published.encode("ascii") + b'">'
    m = re.search(rb"<head[^>]*>", page, re.I)
    if m:
        return page[: m.end()] + extra + page[m.end() :]
    return b"<head>" + extra + b"</head>" + page


_TITLE_MARKUP = re.compile(
    rb"<title[^>]*>\s*[^<\s]|<meta[^>]+property=[\"']og:title[\"'][^>]*content=[\"']\s*[^\"'\s]|<h1[\s>]",
    re.I,
)


def _page_has_title(page: bytes) -> bool:
    """Whether the page names its own title (<title>, og:title or <h1>); if not, the feed's title is used."""
    return bool(_TITLE_MARKUP.search(page[:200_000]))


_FIXABLE = ("missing title", "missing published date", "invalid published date", "implausible published date")


def _listed(item: Item) -> str:
    return f"{item.title}\x1f{item.lastmod}"


class SourceReader:
    """Reads one remote source with one fetcher; see the module docstring for the rules."""

    def __init__(self, spec: SourceSpec, cfg: SourcesConfig, state, fetcher: Fetcher) -> None:
        self.spec = spec
        self.cfg = cfg
        self.fetcher = fetcher
        self.old: dict = dict(state.http or {})
        self.new: dict = {}
        self.kept: list[str] = []
        self.result = ParseResult()
        self.delay = spec.delay_seconds
        self.limit = spec.max_articles or cfg.fetch.max_articles_per_source
        self.pattern = re.compile(spec.url_pattern) if spec.url_pattern else None
        self.page_failures: list[str] = []
        self.pages_tried = 0

    # -- helpers

    def _validators(self, url: str) -> dict | None:
        entry = self.old.get(url)
        return (
            entry if isinstance(entry, dict) and (entry.get("etag") or entry.get("last_modified")) else None
        )

    def _fetch(self, url: str, accept: str, *, conditional: bool = True) -> FetchResponse:
        return self.fetcher.get(
            url, validators=self._validators(url) if conditional else None, delay=self.delay, accept=accept
        )

    def _select(self, items: list[Item]) -> list[Item]:
        seen: set[str] = set()
        out = []
        for it in items:
            if it.url in seen or (self.pattern and not self.pattern.search(it.url)):
                continue
            seen.add(it.url)
            out.append(it)
        return out

    # -- kinds

    def read(self) -> ParseResult:
        kind = self.spec.kind
        assert self.spec.url
        if kind == "feed":
            items, unchanged = self._read_feed(self.spec.url)
        elif kind == "sitemap":
            items, unchanged = self._read_sitemap(self.spec.url, depth=0)
            items = sorted(items, key=lastmod_key, reverse=True)
        elif kind == "listing":
            items, unchanged = self._read_listing(self.spec.url), False
        elif kind == "page":
            items, unchanged = [Item(url=self.spec.url)], False
        else:
            raise SourceError(f"source {self.spec.name!r}: kind {kind!r} is not a remote kind")
        items = self._select(items)[: self.limit]
        for item in items:
            self._read_page(item, listing_unchanged=unchanged or self._listed_before(item))
        if (
            self.pages_tried
            and len(self.page_failures) == self.pages_tried
            and not self.result.articles
            and not self.kept
        ):
            raise FetchError(f"all {self.pages_tried} article page(s) failed; first: {self.page_failures[0]}")
        return self.result

    def _read_feed(self, url: str) -> tuple[list[Item], bool]:
        prev = self.old.get(url) or {}
        resp = self._fetch(url, FEED_ACCEPT, conditional="items" in prev)
        if resp.not_modified and "items" in prev:
            self.new[url] = prev
            return [Item.from_state(d) for d in prev["items"]], True
        items = self._select(parse_feed(resp.content, resp.url, resp.headers.get("content-type", "")))
        items = items[: self.limit]
        self.new[url] = {**resp.validators(), "items": [i.to_state() for i in items]}
        return items, False

    def _read_sitemap(self, url: str, depth: int) -> tuple[list[Item], bool]:
        if depth > MAX_SITEMAP_DEPTH:
            raise FeedError(f"{url}: sitemap indexes nested more than {MAX_SITEMAP_DEPTH} deep")
        prev = self.old.get(url) or {}
        resp = self._fetch(url, SITEMAP_ACCEPT, conditional="items" in prev)
        if resp.not_modified and "items" in prev:
            pages = [Item.from_state(d) for d in prev["items"]]
            children = [Item.from_state(d) for d in prev.get("children", [])]
            self.new[url] = prev
        else:
            sm = parse_sitemap(resp.content, resp.url, limit=self.cfg.fetch.max_bytes)
            pages = sorted(self._select(sm.pages), key=lastmod_key, reverse=True)[: self.limit]
            children = sorted(sm.children, key=lastmod_key, reverse=True)[:MAX_CHILD_SITEMAPS]
            self.new[url] = {
                **resp.validators(),
                "items": [i.to_state() for i in pages],
                "children": [c.to_state() for c in children],
            }
        for child in children:
            before = self.old.get(child.url) or {}
            if child.lastmod and before.get("lastmod") == child.lastmod and "items" in before:
                # the index says this sitemap did not change: reuse its listing (and its children's)
                pages.extend(self._reuse_listing(child.url, depth + 1))
                continue
            try:
                child_pages, _ = self._read_sitemap(child.url, depth + 1)
            except (FetchError, FeedError) as exc:
                self.result.rejections.append(Rejection(child.url, str(exc)))
                continue
            if child.url in self.new and child.lastmod:
                self.new[child.url] = {**self.new[child.url], "lastmod": child.lastmod}
            pages.extend(child_pages)
        # Pages are judged by their own lastmod and conditional requests, not by this listing's 304.
        return pages, False

    def _read_listing(self, url: str) -> list[Item]:
        """Article links of the list page and of up to ``max_pages - 1`` next pages."""
        pattern = re.compile(self.spec.link_pattern or "")
        items: list[Item] = []
        visited: list[str] = []
        while url and url not in visited and len(visited) < self.spec.max_pages:
            visited.append(url)
            try:
                found, url = self._listing_page(url, pattern)
            except (FetchError, FeedError) as exc:
                if len(visited) == 1:
                    raise
                self.result.rejections.append(Rejection(visited[-1], f"list page not read: {exc}"))
                break
            items.extend(found)
        return [it for it in items if it.url not in visited]

    def _listing_page(self, url: str, pattern: re.Pattern[str]) -> tuple[list[Item], str]:
        prev = self.old.get(url) or {}
        resp = self._fetch(url, PAGE_ACCEPT, conditional="items" in prev)
        if resp.not_modified and "items" in prev:
            self.new[url] = prev
            return [Item.from_state(d) for d in prev["items"]], str(prev.get("next", ""))
        if resp.content_type and resp.content_type not in HTML_TYPES:
            raise FeedError(f"{resp.url}: a list page must be HTML (got {resp.content_type})")
        listing = parse_listing(resp.content, resp.url, pattern)
        listed = [i.to_state() for i in listing.items]
        self.new[url] = {**resp.validators(), "items": listed, "next": listing.next_url}
        return listing.items, listing.next_url

    def _listed_before(self, item: Item) -> bool:
        """A listing entry seen last time with the same text and date, whose article is indexed."""
        if self.spec.kind != "listing":
            return False
        prev = self.old.get(item.url)
        return isinstance(prev, dict) and bool(prev.get("article")) and prev.get("listed") == _listed(item)

    def _reuse_listing(self, url: str, depth: int) -> list[Item]:
        entry = self.old.get(url) or {}
        if depth > MAX_SITEMAP_DEPTH or "items" not in entry:
            return []
        self.new[url] = entry
        pages = [Item.from_state(d) for d in entry["items"]]
        for c in entry.get("children", []):
            pages.extend(self._reuse_listing(str(c.get("url", "")), depth + 1))
        return pages

    # -- article pages

    def _keep(self, item: Item, entry: dict) -> None:
        self._remember(item, entry)
        self.kept.append(entry["article"])

    def _remember(self, item: Item, entry: dict) -> None:
        """What is kept about an article page (a listing entry's text and date too)."""
        self.new[item.url] = {**entry, "listed": _listed(item)} if self.spec.kind == "listing" else entry

    def _read_page(self, item: Item, *, listing_unchanged: bool) -> None:
        prev = self.old.get(item.url)
        indexed = isinstance(prev, dict) and bool(prev.get("article"))
        if indexed and (listing_unchanged or (item.lastmod and prev.get("lastmod") == item.lastmod)):
            self._keep(item, prev)
            return
        self.pages_tried += 1
        try:
            resp = self._fetch(item.url, PAGE_ACCEPT)
        except FetchError as exc:
            self._page_failed(item, prev if indexed else None, str(exc))
            return
        if resp.not_modified:
            if indexed:
                self._keep(item, prev)
            elif prev:  # a page that gave no article last time and has not changed since
                self.new[item.url] = prev
            return
        reason = ""
        if resp.content_type and resp.content_type not in HTML_TYPES:
            reason = f"not an HTML page ({resp.content_type})"
            article = None
        else:
            article, reason = self._article_from_page(resp, item)
        if article is None:
            fallback = self._article_from_feed(item)
            if fallback is None:
                self.result.rejections.append(Rejection(item.url, reason))
                self.new[item.url] = {
                    **resp.validators(),
                    **({"lastmod": item.lastmod} if item.lastmod else {}),
                }
                return
            article = fallback
        self.result.add(article, item.url)
        entry = {**resp.validators(), "article": article.url}
        if item.lastmod:
            entry["lastmod"] = item.lastmod
        self._remember(item, entry)

    def _page_failed(self, item: Item, prev: dict | None, reason: str) -> None:
        fallback = self._article_from_feed(item)
        if fallback is not None:
            self.result.add(fallback, item.url)
            self.new[item.url] = {"article": fallback.url}
            return
        self.page_failures.append(reason)
        if prev is not None:  # keep what is indexed; try again next time
            self._keep(item, prev)
            self.result.rejections.append(Rejection(item.url, f"{reason} (the indexed version is kept)"))
        else:
            self.result.rejections.append(Rejection(item.url, reason))

    def _article_from_page(self, resp: FetchResponse, item: Item) -> tuple[Article | None, str]:
        fallback_date = item.published or (
            parse_published(item.lastmod).isoformat() if lastmod_key(item) != float("-inf") else ""
        )
        pr = parse_html(resp.content, item.url, url=resp.url, published=fallback_date or None,
                        source=self.spec.name)
        fixable = not pr.articles and pr.rejections and pr.rejections[0].reason.startswith(_FIXABLE)
        if fixable and (item.title or fallback_date):
            pr = parse_html(
                _inject_metadata(resp.content, item.title, fallback_date),
                item.url,
                url=resp.url,
                source=self.spec.name,
            )
        if not pr.articles:
            return None, (pr.rejections[0].reason if pr.rejections else "no article found")
        article = pr.articles[0]
        if item.title and not _page_has_title(resp.content):
            article = replace(article, title=normalize_inline(item.title)[:MAX_TITLE_CHARS])
        if item.published:
            article = replace(article, published=datetime.fromisoformat(item.published))
        return article, ""

    def _article_from_feed(self, item: Item) -> Article | None:
        if not item.content or not item.published:
            return None
        text = fragment_text(item.content)
        if len(text) < MIN_FEED_CONTENT_CHARS:
            return None
        try:
            return make_article(
                url=item.url, title=item.title, published=item.published, body=text, source=self.spec.name
            )
        except RecordError:
            return None

    def commit(self, state) -> None:
        state.http = self.new
        state.kept = self.kept


def read_remote_source(
    spec: SourceSpec, cfg: SourcesConfig, state, *, fetcher: Fetcher | None = None
) -> ParseResult:
    """Read one feed / sitemap / page source. Raises on a source-level failure (the caller records it)."""
    own = fetcher is None
    fetcher = fetcher or Fetcher(cfg.fetch, cfg.allowed_hosts)
    try:
        reader = SourceReader(spec, cfg, state, fetcher)
        result = reader.read()
        reader.commit(state)
        return result
    finally:
        if own:
            fetcher.close()

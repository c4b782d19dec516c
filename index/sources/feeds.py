"""Feeds (RSS 2.0, RSS 1.0 / RDF, Atom) and sitemaps (with indexes, gzip, Google News) -> listed items.

Pure parsing: bytes in, :class:`Item` lists out; fetching and the incremental rules are in
:mod:`index.sources.web`. XML safety: documents declaring entities (``<!ENTITY``) are refused before any
parser sees them (entity bombs, external entities); sitemaps are parsed with ``defusedxml``; feedparser
never loads external entities. Gzip sitemaps are decompressed within a byte limit.
"""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from ..errors import SourceError
from .records import JST, RecordError, parse_published

log = logging.getLogger(__name__)

MAX_SITEMAP_URLS = 50_000  # the sitemap protocol's own limit
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)


class FeedError(SourceError):
    """A feed or sitemap that cannot be used (not XML, not a feed, unsafe)."""


@dataclass
class Item:
    """A page listed by a feed or sitemap."""

    url: str
    title: str = ""
    published: str = ""  # ISO 8601 from the feed / news sitemap, "" if none
    lastmod: str = ""  # sitemap <lastmod>, as written
    content: str = ""  # full HTML from the feed entry (never stored in the state)

    def to_state(self) -> dict:
        d = asdict(self)
        d.pop("content")
        return {k: v for k, v in d.items() if v}

    @classmethod
    def from_state(cls, d: dict) -> Item:
        return cls(
            url=str(d.get("url", "")),
            title=str(d.get("title", "")),
            published=str(d.get("published", "")),
            lastmod=str(d.get("lastmod", "")),
        )


# --------------------------------------------------------------------------- XML safety


def reject_unsafe_xml(data: bytes, where: str) -> None:
    """Refuse XML that declares entities (billion laughs, external entities) before parsing it."""
    if _ENTITY_DECL.search(data):
        raise FeedError(f"{where}: XML entity declarations are not accepted (possible entity bomb)")


def _gunzip_bounded(data: bytes, limit: int, where: str) -> bytes:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, limit + 1)
    except zlib.error as exc:
        raise FeedError(f"{where}: broken gzip data ({exc})") from exc
    if len(out) > limit or d.unconsumed_tail:
        raise FeedError(f"{where}: uncompressed sitemap is larger than {limit} bytes")
    return out


# --------------------------------------------------------------------------- feeds


def _entry_datetime(entry) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t:
            try:
                return datetime(*t[:6], tzinfo=UTC).astimezone(JST).isoformat()
            except (TypeError, ValueError):
                continue
    return ""


def _entry_link(entry) -> str:
    link = entry.get("link") or ""
    if not link:
        for alt in entry.get("links", []) or []:
            if alt.get("rel", "alternate") == "alternate" and alt.get("href"):
                link = alt["href"]
                break
    return link.split("#", 1)[0].strip()


def parse_feed(data: bytes, url: str, content_type: str = "") -> list[Item]:
    """RSS 2.0, RSS 1.0 (RDF) or Atom -> items in feed order. Raises :class:`FeedError`."""
    import feedparser  # imported on use

    reject_unsafe_xml(data, url)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    if not parsed.get("version"):
        reason = parsed.get("bozo_exception")
        if parsed.get("bozo") and reason is not None:
            raise FeedError(
                f"{url}: not a well-formed RSS or Atom feed ({type(reason).__name__}: {str(reason)[:120]})"
            )
        raise FeedError(f"{url}: not an RSS or Atom feed")
    items: list[Item] = []
    for entry in parsed.entries:
        link = _entry_link(entry)
        if not link.startswith(("http://", "https://")):
            continue
        content = ""
        for c in entry.get("content", []) or []:
            if c.get("value") and len(c["value"]) > len(content):
                content = c["value"]
        items.append(
            Item(
                url=link,
                title=(entry.get("title") or "").strip(),
                published=_entry_datetime(entry),
                content=content,
            )
        )
    if parsed.get("bozo"):
        reason = parsed.get("bozo_exception")
        if not items:
            raise FeedError(
                f"{url}: not a well-formed feed and no entries could be read "
                f"({type(reason).__name__}: {str(reason)[:120]})"
            )
        log.warning(
            "%s: feed is not well-formed (%s); using the %d entries that could be read",
            url,
            reason,
            len(items),
        )
    return items


# --------------------------------------------------------------------------- sitemaps


@dataclass
class Sitemap:
    pages: list[Item]
    children: list[Item]  # child sitemaps of a sitemap index (url + lastmod)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(el, name: str) -> str:
    for c in el:
        if _local(c.tag) == name:
            return (c.text or "").strip()
    return ""


def parse_sitemap(data: bytes, url: str, *, limit: int) -> Sitemap:
    """A sitemap (``urlset``) or sitemap index (``sitemapindex``), gzip or not. Raises :class:`FeedError`."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    if data[:2] == b"\x1f\x8b":
        data = _gunzip_bounded(data, limit, url)
    reject_unsafe_xml(data, url)
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedError(f"{url}: unsafe XML refused ({type(exc).__name__})") from exc
    except ParseError as exc:
        raise FeedError(f"{url}: sitemap is not well-formed XML ({exc})") from exc
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise FeedError(f"{url}: not a sitemap (root element <{kind}>)")
    out = Sitemap(pages=[], children=[])
    for el in root:
        if len(out.pages) + len(out.children) >= MAX_SITEMAP_URLS:
            log.warning("%s: more than %d URLs; the rest is ignored", url, MAX_SITEMAP_URLS)
            break
        loc = _child_text(el, "loc").split("#", 1)[0]
        if not loc.startswith(("http://", "https://")):
            continue
        item = Item(url=loc, lastmod=_child_text(el, "lastmod"))
        if kind == "sitemapindex" and _local(el.tag) == "sitemap":
            out.children.append(item)
        elif kind == "urlset" and _local(el.tag) == "url":
            for news in (c for c in el if _local(c.tag) == "news"):  # Google News sitemap extension
                item.title = _child_text(news, "title")
                raw_date = _child_text(news, "publication_date")
                try:
                    item.published = parse_published(raw_date).isoformat() if raw_date else ""
                except RecordError:
                    item.published = ""
            out.pages.append(item)
    return out


def lastmod_key(item: Item) -> float:
    if not item.lastmod:
        return float("-inf")
    try:
        return parse_published(item.lastmod).timestamp()
    except RecordError:
        return float("-inf")


# --------------------------------------------------------------------------- feed content


def fragment_text(fragment: str) -> str:
    """HTML fragment (feed content) -> plain text, one paragraph per block element."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    blocks = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "dd", "dt"}
    paras: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in blocks and not any(
            isinstance(a.tag, str) and a.tag in blocks for a in el.iterancestors()
        ):
            text = " ".join(el.text_content().split())
            if text:
                paras.append(text)
    if not paras:
        paras = [" ".join(root.text_content().split())]
    return "\n\n".join(p for p in paras if p)

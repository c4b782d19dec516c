"""An HTML article page -> Article: trafilatura for the main text and its metadata (title, date, canonical
URL), the saved-page rules (:mod:`.textpage`, :mod:`.furniture`) as the fallback.

- *Date*: a date the page declares (``article:published_time``, ``datePublished``, ``<time datetime>``…)
  as trafilatura reads it; else the page's date line (as on a saved page); else the caller's
  ``published`` (``--published``, a feed's or a list page's date); else trafilatura's guess (from the URL
  or the text).
- *Title*: trafilatura's (``og:title``, ``<title>`` without the site name, ``<h1>``), else the headline
  found by the layout rules.
- *Body*: trafilatura's main text without furniture lines and without the headline and date lines it
  sometimes repeats; the layout rules' body when trafilatura finds no main text.

Input is untrusted: the size is bounded and HTML that declares XML entities (an internal DTD subset, where
entity bombs live) is refused before any parser sees it. Never raises on bad content.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from . import furniture as fur
from .pagedates import date_line
from .records import ParseResult, RecordError, Rejection, make_article, valid_unicode
from .textpage import PageFields, page_fields

MAX_HTML_BYTES = 16 * 1024 * 1024
# An internal DTD subset (``<!DOCTYPE x [ … ]>``) is where entity bombs live; real HTML pages have none.
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
_DECLARED_DATE = re.compile(
    rb"published_time|datepublished|[\"']pubdate|publishdate|publish-date|dc\.date|dcterms\.(?:issued|created)"
    rb"|<time[^>]+datetime=|itemprop=[\"']datecreated",
    re.I,
)
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "dd", "dt", "header", "footer",
           "section", "article", "nav", "aside", "main", "time", "blockquote", "pre", "td", "th", "span")


_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(html: str | bytes) -> str:
    """Page bytes as text: the declared charset, else UTF-8, else Shift_JIS (cp932), else Latin-1."""
    if isinstance(html, str):
        return _XML_DECL.sub("", html)
    m = _CHARSET.search(html[:4096])
    for encoding in [*([m.group(1).decode("ascii", "replace")] if m else []), "utf-8", "cp932"]:
        try:
            return _XML_DECL.sub("", html.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    return _XML_DECL.sub("", html.decode("latin-1"))


def html_root(html: str | bytes):
    """The lxml document of a page, or None when it cannot be parsed."""
    import lxml.html

    try:
        return lxml.html.document_fromstring(decode_html(html))
    except (ValueError, lxml.etree.ParserError):
        return None


def visible_lines(html: str | bytes) -> list[str]:
    """The page's visible text, one line per block element (scripts and styles dropped)."""
    root = html_root(html)
    if root is None:
        return []
    for bad in root.xpath("//script|//style|//noscript|//template|//head"):
        bad.drop_tree()
    for el in root.iter(*_BLOCKS):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    return [" ".join(line.split()) for line in root.text_content().split("\n") if line.strip()]


def _extract(html: str | bytes, url: str | None) -> dict | None:
    import trafilatura  # heavy; imported on use

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True,
    )
    if doc is None:
        return None
    return doc if isinstance(doc, dict) else doc.as_dict()


def _body(text: str, title: str, layout: PageFields, today: date) -> str:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    while lines and (fur.clean(lines[0]) == fur.clean(title) or fur.is_furniture(lines[0])
                     or date_line(lines[0], year=None, today=today) is not None):
        lines.pop(0)
    kept = fur.body_lines(lines) if lines else layout.body
    return "\n\n".join(kept)


def _fields(raw: bytes, html: str | bytes, url: str | None, published: object, today: date) -> tuple[dict, PageFields]:
    data = _extract(html, url) or {}
    layout = page_fields(visible_lines(html), url=url or data.get("url") or "", today=today)
    if not data.get("title"):
        data["title"] = layout.title
    declared = data.get("date") if _DECLARED_DATE.search(raw[:300_000]) else None
    data["date"] = declared or layout.published or published or data.get("date")  # the last: a guess
    data["body"] = _body(data.get("text") or "", data.get("title") or "", layout, today)
    categories = data.get("categories")
    data["section"] = (categories[0] if isinstance(categories, list) and categories else "") or layout.section
    return data, layout


def parse_html(
    html: str | bytes,
    location: str,
    *,
    url: str | None = None,
    published: datetime | str | None = None,
    source: str = "",
    today: date | None = None,
) -> ParseResult:
    """An HTML article page; ``url`` (the fetched or given URL) wins over the canonical link, ``published``
    dates a page that has no date. ``today`` dates a day written without a year when nothing on the page
    gives one."""
    raw = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    if len(raw) > MAX_HTML_BYTES:
        too_big = f"HTML is larger than {MAX_HTML_BYTES // 2**20} MiB"
        return ParseResult(rejections=[Rejection(location, too_big)])
    if _INTERNAL_SUBSET.search(raw[:65536]):
        return ParseResult(rejections=[Rejection(location, "HTML declares a DTD with entities (refused)")])
    if isinstance(html, str):
        html = valid_unicode(html)
    try:
        data, _ = _fields(raw, html, url, published, today or date.today())
    except Exception as exc:  # trafilatura and lxml raise many types on hostile markup
        reason = f"HTML could not be parsed ({type(exc).__name__})"
        return ParseResult(rejections=[Rejection(location, reason)])
    if not data["body"]:
        return ParseResult(rejections=[Rejection(location, "no article text found in the HTML")])
    try:
        article = make_article(url=url or data.get("url"), title=data.get("title"), published=data.get("date"),
                               body=data["body"], section=data["section"], source=source)
    except RecordError as exc:
        return ParseResult(rejections=[Rejection(location, str(exc), url=url or data.get("url") or "",
                                                 title=(data.get("title") or "")[:200])])
    result = ParseResult()
    result.add(article, location)
    return result

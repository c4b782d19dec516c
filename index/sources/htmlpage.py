"""An HTML article page -> Article: main text via trafilatura; title, date and canonical URL from metadata.

Input is untrusted: the size is bounded and HTML that declares XML entities (an internal DTD subset, where
entity bombs live) is refused before any parser sees it. Never raises on bad content.
"""

from __future__ import annotations

import re

from .records import ParseResult, RecordError, Rejection, make_article, valid_unicode

MAX_HTML_BYTES = 16 * 1024 * 1024
# An internal DTD subset (``<!DOCTYPE x [ … ]>``) is where entity bombs live; real HTML pages have none.
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
def parse_html(html: str | bytes, location: str, *, url: str | None = None, source: str = "") -> ParseResult:
    """An HTML article page: main text via trafilatura; title, date and canonical URL from metadata."""
    import trafilatura  # heavy; imported on use

    raw = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    if len(raw) > MAX_HTML_BYTES:
        too_big = f"HTML is larger than {MAX_HTML_BYTES // 2**20} MiB"
        return ParseResult(rejections=[Rejection(location, too_big)])
    if _INTERNAL_SUBSET.search(raw[:65536]):
        return ParseResult(rejections=[Rejection(location, "HTML declares a DTD with entities (refused)")])
    if isinstance(html, str):
        html = valid_unicode(html)
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura raises many types on hostile markup
        reason = f"HTML could not be parsed ({type(exc).__name__})"
        return ParseResult(rejections=[Rejection(location, reason)])
    if doc is None:
        return ParseResult(rejections=[Rejection(location, "no article text found in the HTML")])
    data = doc if isinstance(doc, dict) else doc.as_dict()
    text = data.get("text") or ""
    # trafilatura separates paragraphs with single newlines; make them paragraphs.
    body = "\n\n".join(p for p in text.split("\n") if p.strip())
    try:
        article = make_article(
            url=url or data.get("url"),
            title=data.get("title"),
            published=data.get("date"),
            body=body,
            section=(data.get("categories") or [""])[0] if isinstance(data.get("categories"), list) else "",
            source=source,
        )
    except RecordError as exc:
        return ParseResult(rejections=[Rejection(location, str(exc))])
    result = ParseResult()
    result.add(article, location)
    return result



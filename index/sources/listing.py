"""A news-list page ("新着情報", "報道発表") -> the article links it lists and the link to its next page.

Sites with no feed and no sitemap publish a page of links. :func:`parse_listing` keeps the links whose
absolute URL matches the source's ``link_pattern`` (menus, footers and rankings do not), in page order,
each with its link text and, when the list shows one beside the link, its date (ISO 8601, in ``lastmod``:
a fallback for pages without a date, and a sign that the entry changed). The next list page is the
``rel="next"`` link, else a link reading "次へ" / "次のページ" / "Next". Pure: bytes in, items out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urldefrag, urljoin

from .feeds import Item
from .furniture import clean
from .htmlpage import html_root
from .pagedates import date_line

_NEXT_TEXT = re.compile(r"^(?:次へ|次のページ|次ページ|次の\d+件|next(?:\s+page)?)\s*[>›»＞→]*$", re.I)
_CONTAINERS = ("li", "tr", "dd", "dt", "p", "article", "div", "section")
MAX_LINKS = 2000  # per list page


@dataclass
class Listing:
    items: list[Item]
    next_url: str  # "" when there is no next page


def _absolute(base: str, href: str | None) -> str:
    if not href:
        return ""
    try:
        url = urldefrag(urljoin(base, href.strip())).url
    except ValueError:
        return ""
    return url if url.startswith(("http://", "https://")) else ""


def _listed_date(link, today: date) -> str:
    """The date written beside ``link`` in its list entry (ISO 8601), or ""."""
    container = next((a for a in link.iterancestors() if a.tag in _CONTAINERS), None)
    if container is None:
        return ""
    texts = [(container.text_content() or "").replace(link.text_content() or "", " ")]
    if container.tag == "dd":
        previous = container.getprevious()
        if previous is not None and previous.tag == "dt":
            texts.append(previous.text_content() or "")
    for text in texts:
        for part in re.split(r"\s{2,}|\n", text):
            found = date_line(part, year=None, today=today) if part.strip() else None
            if found is not None and found.explicit_year:
                return found.when.isoformat()
    return ""


def _next_url(root, base: str) -> str:
    for el in root.iter("link", "a"):
        rel = (el.get("rel") or "").lower().split()
        if "next" in rel:
            return _absolute(base, el.get("href"))
    for a in root.iter("a"):
        if _NEXT_TEXT.match(clean(a.text_content() or "")):
            return _absolute(base, a.get("href"))
    return ""


def parse_listing(html: bytes, url: str, pattern: re.Pattern[str], *, today: date | None = None) -> Listing:
    """The article links of a list page (those matching ``pattern``) and its next page's URL."""
    root = html_root(html)
    if root is None:
        return Listing([], "")
    base_el = root.find(".//base[@href]")
    base = _absolute(url, base_el.get("href")) if base_el is not None else url
    today = today or date.today()
    next_url = _next_url(root, base or url)
    items: list[Item] = []
    seen: set[str] = {url, base, next_url}  # list pages are not articles
    for link in root.iter("a"):
        target = _absolute(base or url, link.get("href"))
        if not target or target in seen or not pattern.search(target):
            continue
        seen.add(target)
        title = clean(link.text_content() or "")
        items.append(Item(url=target, title=title, lastmod=_listed_date(link, today)))
        if len(items) >= MAX_LINKS:
            break
    return Listing(items, next_url)

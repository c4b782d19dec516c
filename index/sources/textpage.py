"""A saved article page (plain text, any site) -> Article.

Sites save as text in many layouts: a header (site name, tagline, search box, menu), breadcrumbs, the
headline, a section line (``- 日本の防衛``, ``• 日本の防衛``), a date line in one of many forms (see
:mod:`.pagedates`), labels and share buttons, the body, then rankings, related links and a footer. The
reader finds

- the *date*: the date lines near the top (before the first paragraph of prose); the last one that has a
  headline just above it wins (a date in the site header has none), else the first; an "更新/updated" date
  only when there is no other;
- the *headline*: the nearest headline-like line above that date (not furniture, a section, a breadcrumb or
  a short label), else the first one below it; a page without one (a wire story that starts with its date)
  is titled by its lead sentence;
- the *section*: a section line near the headline, else the last breadcrumb that is not the headline;
- the *body*: the lines after the headline and date, up to the page's tail, without furniture (see
  :mod:`.furniture`).

Front matter (``key: value`` lines at the top, optionally fenced with ``---``: ``URL``, ``Canonical``,
``og:url``, ``Source``, ``Title``, ``Section``, ``Published``/``Date``) wins over what is found; a
``URL:``/``canonical:``/``og:url:`` line anywhere is metadata too. The URL is ``url`` (the caller's
``--url``), else the page's; the date is the page's, else ``published`` (the caller's ``--published``).
Never raises on bad content: a page is one article or one rejection that says what is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from . import furniture as fur
from .pagedates import PageDate, date_line, year_context
from .records import ParseResult, RecordError, Rejection, make_article

HEAD_LINES = 40  # non-blank lines searched for the date and the headline
HEADLINE_REACH = 8  # non-blank lines between a headline and its date line, at most
MIN_HEADLINE_CHARS = 6  # CJK characters; a Latin-only headline needs MIN_LATIN_HEADLINE_CHARS
MIN_LATIN_HEADLINE_CHARS = 15
MAX_HEADLINE_CHARS = 200
LEAD_TITLE_CHARS = 80
_META_KEYS = "url|canonical|og:url|source|title|section|published|date"
_FRONT = re.compile(rf"^\s*({_META_KEYS})\s*[:：]\s*(\S.*)$", re.I)
_URL_LINE = re.compile(r"^\s*(url|canonical|og:url|source)\s*[:：]\s*(https?://\S+)\s*$", re.I)
_SECTION_LINE = re.compile(r"^[-•・●]\s*(\S.{0,29})$")
_CATEGORY = re.compile(r"^(?:カテゴリー?|ジャンル|category|section)\s*[:：]\s*(\S.{0,29})$", re.I)
_PROSE = re.compile(r".{40,}(?:[。．]|\.)\s*[」』）)]*$")
_NUMBERED = re.compile(r"^(?:\d{1,2}|[(（]\d{1,2}[)）]|[一二三四五六七八九十]+)[\s.．、)）]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_LEAD = re.compile(r"^(.+?[。．!?！？])")
_SENTENCE_END = re.compile(r"[。．]\s*[」』）)]*$|[a-z0-9][.]\s*$")
MISSING_DATE = (
    "no publication date near the top (such as 2025-10-21, 2025年10月21日, 令和7年10月21日 or "
    "October 21, 2025): add a 'Published: YYYY-MM-DD' line at the top or pass --published"
)


@dataclass
class _Page:
    """The lines of a page (metadata removed) and what was found in them."""

    lines: list[str]
    meta: dict[str, str]
    head: list[int]  # indices of the non-blank head lines
    menu: set[int]  # head lines that belong to a menu run
    dates: dict[int, PageDate]


def _split_meta(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Front matter at the top (fenced or not) and URL lines anywhere -> metadata; the other lines."""
    meta: dict[str, str] = {}
    i = 1 if lines and lines[0].strip() == "---" else 0
    fenced = i == 1
    while i < len(lines):
        if fenced and lines[i].strip() == "---":
            i += 1
            break
        m = _FRONT.match(lines[i])
        if m:
            meta.setdefault(m.group(1).lower(), m.group(2).strip())
        elif lines[i].strip() or (meta and not fenced):
            break
        i += 1
    rest: list[str] = []
    for line in lines[i:]:
        m = _URL_LINE.match(line)
        if m:
            meta.setdefault(m.group(1).lower(), m.group(2))
        else:
            rest.append(line)
    return meta, rest


def _headline_like(page: _Page, i: int) -> bool:
    text = fur.clean(page.lines[i])
    if i in page.menu or i in page.dates or fur.is_furniture(text) or _section_of(text):
        return False
    cjk = bool(_CJK.search(text))
    if len(text) < (MIN_HEADLINE_CHARS if cjk else MIN_LATIN_HEADLINE_CHARS) or len(text) > MAX_HEADLINE_CHARS:
        return False
    return not (_NUMBERED.match(text) or fur.is_link_text(text) or text.endswith("。"))


def _is_prose(line: str) -> bool:
    return bool(_PROSE.match(fur.clean(line))) and not fur.is_furniture(line)


def _skippable(page: _Page, i: int) -> bool:
    """Furniture and menu lines: they do not count in the reach between a headline and its date."""
    return i in page.menu or (fur.is_furniture(page.lines[i]) and not fur.is_end_marker(page.lines[i]))


def _ends_search(line: str) -> bool:
    """Article text or the page's tail: no headline lies beyond it."""
    text = fur.clean(line)
    return _is_prose(text) or fur.is_end_marker(text) or bool(_SENTENCE_END.search(text))


def _headline_before(page: _Page, d: int) -> int | None:
    before = [i for i in page.head if i < d and not _skippable(page, i)][-HEADLINE_REACH:]
    for i in reversed(before):
        if i in page.dates:  # another date line (an "updated" one, or the site header's date)
            continue
        if _ends_search(page.lines[i]):
            return None
        if _headline_like(page, i):
            return i
    return None


def _headline_after(page: _Page, d: int) -> int | None:
    after = [i for i in page.head if i > d and not _skippable(page, i)][:HEADLINE_REACH]
    for i in after:
        if i in page.dates:  # an "updated" line below the date
            continue
        if _ends_search(page.lines[i]):
            return None
        if _headline_like(page, i):
            return i
    return None


def _section_of(text: str) -> str:
    m = _SECTION_LINE.match(text) or _CATEGORY.match(text)
    if not m or fur.is_furniture(m.group(1)) or re.search(r"[。．.]$", m.group(1)):
        return ""
    return m.group(1).strip()


def _is_title_crumb(crumb: str, title: str) -> bool:
    """A breadcrumb that is the article's own title (often cut short with "…")."""
    cut = crumb.rstrip("….")
    return crumb == title or (len(cut) >= 8 and title.startswith(cut))


def _section(page: _Page, around: list[int], title: str) -> str:
    if page.meta.get("section"):
        return page.meta["section"]
    near = [i for i in page.head if min(around) - 3 <= i <= max(around) + 3]
    for i in near:
        if i > max(around) and _ends_search(page.lines[i]):  # the body or the tail: no section there
            break
        found = _section_of(fur.clean(page.lines[i]))
        if found:
            return found
    for i in page.head:
        crumbs = [c for c in fur.breadcrumbs(page.lines[i])
                  if c.lower() not in ("ホーム", "トップ", "home", "top") and not c.isdigit()]
        crumbs = [c for c in crumbs if len(c) <= 20 and not _is_title_crumb(c, title)]
        if crumbs:
            return crumbs[-1]
    return ""


def _pick_date(page: _Page) -> int | None:
    found = sorted(page.dates)
    fresh = [i for i in found if not page.dates[i].updated] or found
    anchored = [i for i in fresh if _headline_before(page, i) is not None]
    if anchored:
        return anchored[-1]
    return fresh[0] if fresh else None


def _menu_lines(lines: list[str], head: list[int]) -> set[int]:
    """Head lines in a menu: runs of short items and furniture holding three or more plain items."""
    menu: set[int] = set()
    run: list[int] = []
    for i in [*head, -1]:
        if i >= 0 and (fur.is_menu_item(lines[i]) or fur.is_furniture(lines[i])):
            run.append(i)
            continue
        items = [j for j in run if not fur.is_furniture(lines[j])]
        if len(items) >= 3:
            menu.update(items)
        run = []
    return menu


def _read_head(lines: list[str], meta: dict[str, str], today: date) -> _Page:
    head: list[int] = []
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _is_prose(line) and head:
            break
        head.append(i)
        if len(head) >= HEAD_LINES:
            break
    menu = _menu_lines(lines, head)
    year = year_context(_page_url(meta, None), "\n".join(lines[:200]), today)
    dates = {}
    for i in head:
        found = date_line(lines[i], year=year, today=today)
        if found is not None:
            dates[i] = found
    return _Page(lines, meta, head, menu, dates)


def _page_url(meta: dict[str, str], url: str | None) -> str:
    if url:
        return url
    given = (meta.get(k, "") for k in ("url", "canonical", "og:url", "source"))
    return next((u for u in given if u.lower().startswith(("http://", "https://"))), "")


def _body_from(page: _Page, start: int) -> list[str]:
    """Body lines from ``start``: leading labels, sections, dates and issuer lines skipped, then the rest."""
    lines = page.lines[start:]
    k = 0
    while k < len(lines):
        text = fur.clean(lines[k])
        label = len(text) <= 10 and not re.search(r"[。．.]$", text)
        if fur.is_end_marker(text):  # the tail right after the headline: no article text
            return []
        if text and not (fur.is_furniture(text) or _section_of(text) or label or (start + k) in page.dates):
            break
        k += 1
    return fur.body_lines(lines[k:])


def _lead_title(body: list[str]) -> str:
    first = body[0] if body else ""
    m = _LEAD.match(first)
    lead = (m.group(1) if m else first).rstrip("。．")
    return lead if len(lead) <= LEAD_TITLE_CHARS else lead[: LEAD_TITLE_CHARS - 1] + "…"


@dataclass
class PageFields:
    """What the layout rules found on a page ("" / None / [] when not found)."""

    title: str = ""
    published: datetime | str | None = None
    section: str = ""
    body: list[str] = field(default_factory=list)
    headline: bool = False  # the title is a headline line of the page (not front matter, not the lead)


def _meta_date(value: str, today: date) -> datetime | str:
    """A front-matter date: any date-line form (``2025年10月21日 8:55``), else as written (ISO 8601)."""
    found = date_line(value, year=None, today=today)
    return found.when if found is not None and found.explicit_year else value


def _headline(page: _Page, d: int | None) -> int | None:
    """The headline's line: near the date line, or (no date) just above the first paragraph."""
    if d is None:  # the line above the first paragraph, or above the tail when there is none
        first = next((i for i in range(page.head[0], len(page.lines)) if _ends_search(page.lines[i])), None)
        t = _headline_before(page, page.head[-1] + 1 if first is None else first)
        return t if t is not None else _headline_after(page, page.head[0] - 1)
    t = _headline_before(page, d)
    after = _headline_after(page, d)
    if t is None or (t in page.head[:2] and after is not None):  # the page's first lines: site name, tagline
        return after
    return t


def _find(page: _Page, published: datetime | str | None, today: date) -> PageFields:
    d = _pick_date(page)
    written = page.meta.get("published") or page.meta.get("date")
    found = PageFields(published=_meta_date(written, today) if written else None)
    if found.published is None:
        found.published = page.dates[d].when if d is not None else published
    t = _headline(page, d)
    found.headline = t is not None and not page.meta.get("title")
    found.title = page.meta.get("title") or (fur.clean(page.lines[t]) if t is not None else "")
    used = [i for i in (t, d) if i is not None] or [page.head[0] - 1]
    found.section = _section(page, used, found.title)
    found.body = _body_from(page, max(used) + 1)
    if not found.title:
        found.title = _lead_title(found.body)
    return found


def page_fields(lines: list[str], *, url: str = "", today: date | None = None) -> PageFields:
    """The layout rules alone, over the text lines of any page (the HTML reader's fallback)."""
    meta = {"url": url} if url else {}
    if not any(line.strip() for line in lines):
        return PageFields()
    today = today or date.today()
    return _find(_read_head(lines, meta, today), None, today)


def parse_saved_page(
    text: str,
    location: str,
    *,
    url: str | None = None,
    published: datetime | str | None = None,
    source: str = "",
    today: date | None = None,
) -> ParseResult:
    """A saved article page; ``url`` and ``published`` (from the command line) fill what the page lacks."""
    meta, lines = _split_meta(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    page_url = _page_url(meta, url)
    if not any(line.strip() for line in lines):
        return ParseResult(rejections=[Rejection(location, "empty page", url=page_url)])
    today = today or date.today()
    found = _find(_read_head(lines, meta, today), published, today)
    try:
        if found.published is None:
            raise RecordError(MISSING_DATE)
        if not found.body:
            raise RecordError("no article text after the headline and date (only site furniture)")
        if not page_url:
            raise RecordError("no URL: add a 'URL: https://…' first line or pass --url")
        article = make_article(url=page_url, title=found.title, published=found.published,
                               body="\n\n".join(found.body), section=found.section, source=source)
    except RecordError as exc:
        when = found.published.isoformat() if isinstance(found.published, datetime) else found.published or ""
        return ParseResult(rejections=[Rejection(location, str(exc), url=page_url, title=found.title[:200],
                                                 published=when, section=found.section)])
    result = ParseResult()
    result.add(article, location)
    return result

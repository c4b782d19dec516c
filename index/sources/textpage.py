"""A saved article page (plain text) -> Article.

Layout: [front matter] title / section / ``YYYY-M-D HH:MM`` / body / site furniture. Front matter is
optional ``key: value`` lines before the title (``URL:``, ``Section:``…), optionally fenced with ``---``.
Never raises on bad content: a page is one article or one rejection.
"""

from __future__ import annotations

import re

from .records import ParseResult, RecordError, Rejection, make_article

_DATE_LINE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?\s*$")
_FRONT = re.compile(r"^\s*(url|source|canonical|title|section|published|date)\s*[:：]\s*(\S.*)$", re.I)
# Lines that start site furniture: rankings, "most read", related links, menus, footers, share buttons.
_FURNITURE_START = re.compile(
    r"^\s*(?:ranking|ランキング|読まれている記事|よく読まれている|人気記事|アクセスランキング|関連記事|"
    r"おすすめ記事|この記事を(?:シェア|読んだ)|シェアする|share\b|tweet\b|前の記事|次の記事|"
    r"ホーム\s*$|トップページ\s*$|メニュー\s*$|menu\s*$|お問い合わせ|プライバシーポリシー|利用規約|"
    r"サイトマップ\s*$|copyright\b|©|\(c\)\s*\d{4}|all rights reserved|ページの先頭へ|ページトップへ|"
    r"関連リンク|バックナンバー|タグ[:：]|カテゴリー?[:：])",
    re.I,
)
_BULLET = re.compile(r"^\s*[-•・*]\s+\S")


def _furniture_from(lines: list[str]) -> int:
    """Index of the first line of site furniture (or len(lines))."""
    for i, line in enumerate(lines):
        if _FURNITURE_START.match(line):
            return i
        # A run of three or more bullet lines is a list of links (rankings, menus), not article text.
        if _BULLET.match(line) and len(lines) - i >= 3 and all(_BULLET.match(x) for x in lines[i : i + 3]):
            return i
    return len(lines)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """The front matter's ``key: value`` pairs and the index of the first line after it."""
    meta: dict[str, str] = {}
    i = 0
    fenced = bool(lines) and lines[0].strip() == "---"
    if fenced:
        i = 1
    while i < len(lines):
        stripped = lines[i].strip()
        if fenced and stripped == "---":
            return meta, i + 1
        m = _FRONT.match(lines[i])
        if not m or (not fenced and m.group(1).lower() not in ("url", "source", "canonical")):
            if not stripped and not fenced and not meta:
                i += 1
                continue
            break
        meta[m.group(1).lower()] = m.group(2).strip()
        i += 1
    return meta, i


def _section_and_date(rest: list[str], section: str, published: str | None) -> tuple[str, str | None]:
    """Section line ("- 日本の防衛") and date line, in either order, within the next few lines (consumed)."""
    scanned = 0
    while rest and scanned < 4 and (published is None or not section):
        line = rest[0].strip()
        if not line:
            rest.pop(0)
            continue
        if published is None and _DATE_LINE.match(line):
            published = line
            rest.pop(0)
        elif not section and line.startswith(("- ", "・")) and len(line) <= 40:
            section = line[2:].strip() if line.startswith("- ") else line[1:].strip()
            rest.pop(0)
        else:
            break
        scanned += 1
    return section, published


def parse_saved_page(text: str, location: str, *, url: str | None = None, source: str = "") -> ParseResult:
    """A saved article page; ``url`` (from the command line) wins over the front matter."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, i = _front_matter(lines)
    while i < len(lines) and not lines[i].strip():
        i += 1
    rest = lines[i:]
    try:
        if not rest:
            raise RecordError("empty page")
        title = meta.get("title") or rest.pop(0)
        published = meta.get("published") or meta.get("date")
        section, published = _section_and_date(rest, meta.get("section", ""), published)
        if published is None:
            raise RecordError("no date line (YYYY-M-D HH:MM) after the title")
        body_lines = rest[: _furniture_from(rest)]
        body = "\n\n".join(ln.strip() for ln in body_lines if ln.strip())
        article_url = url or meta.get("url") or meta.get("canonical") or meta.get("source")
        if not article_url:
            raise RecordError("no URL: add a 'URL: https://…' first line or pass --url")
        article = make_article(
            url=article_url, title=title, published=published, body=body, section=section, source=source
        )
    except RecordError as exc:
        return ParseResult(rejections=[Rejection(location, str(exc))])
    result = ParseResult()
    result.add(article, location)
    return result

"""Input formats -> Article: JSON Lines, saved article pages (plain text), HTML pages, folders.

Every parser returns a :class:`ParseResult`: the articles it could read and, for every record it could
not, a :class:`Rejection` naming the place (``file:line``) and the reason. One bad record never stops
the rest of a batch.

Input is untrusted (scraped pages, files from users): parsers never raise on bad content, bound the size
of what they accept, refuse HTML that declares XML entities, and replace lone UTF-16 surrogates (from
truncated emoji in JSON) with U+FFFD so that every stored string is valid UTF-8.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

from ..models import Article
from ..normalize import normalize_body, normalize_inline

log = logging.getLogger(__name__)

JST = timezone(timedelta(hours=9), "JST")
MAX_TITLE_CHARS = 500
MAX_BODY_CHARS = 200_000
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_URL_CHARS = 2048
MAX_HTML_BYTES = 16 * 1024 * 1024
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# An internal DTD subset (``<!DOCTYPE x [ … ]>``) is where entity bombs live; real HTML pages have none.
_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
PAGE_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass(frozen=True)
class Rejection:
    location: str  # "path:line" or "path"
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass
class ParseResult:
    articles: list[Article] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def extend(self, other: ParseResult) -> None:
        self.articles.extend(other.articles)
        self.rejections.extend(other.rejections)


class RecordError(ValueError):
    """A record that cannot become an article; the message is the reason shown to the user."""


def _valid_unicode(text: str) -> str:
    """``text`` with lone surrogates (invalid in UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _check_url(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise RecordError("missing url")
    if len(url) > 4 * MAX_URL_CHARS:
        raise RecordError("url is too long")
    if _SURROGATE.search(url):
        raise RecordError("url contains invalid Unicode (a lone surrogate)")
    url = normalize_inline(url)
    if len(url) > MAX_URL_CHARS:
        raise RecordError("url is too long")
    if any(ch.isspace() for ch in url):
        raise RecordError(f"url contains white space: {url[:80]!r}")
    try:
        parsed = urlparse(url)
        netloc_ok = bool(parsed.hostname)
    except ValueError as exc:  # e.g. "Invalid IPv6 URL", bad port
        raise RecordError(f"url is not a valid URL ({exc}): {url[:80]!r}") from exc
    if parsed.scheme not in ("http", "https") or not netloc_ok:
        raise RecordError(f"url is not an http(s) URL: {url[:80]!r}")
    return url


def parse_published(value: object, *, default_tz: timezone = JST) -> datetime:
    """ISO 8601 (``2025-07-08T11:32:00+09:00``, ``Z``, date only) or ``2025-7-8 11:32``; naive -> JST."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and value.strip():
        if len(value) > 100:
            raise RecordError(f"invalid published date {value!r:.60}")
        text = normalize_inline(value)
        m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
        try:
            if m:
                y, mo, d, hh, mm, ss = m.groups()
                dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            else:
                dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except (ValueError, OverflowError) as exc:
            raise RecordError(f"invalid published date {value!r:.60}") from exc
    elif value is None or value == "" or (isinstance(value, str) and not value.strip()):
        raise RecordError("missing published date")
    else:
        raise RecordError(f"published date is not a string ({type(value).__name__})")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=default_tz)
    if not 1900 <= dt.year <= 2200:
        raise RecordError(f"implausible published date {dt.date().isoformat()}")
    return dt


def make_article(
    *, url: object, title: object, published: object, body: object, section: object = "", source: str = ""
) -> Article:
    """Validate and normalise one record. Raises :class:`RecordError` with the reason."""
    url = _check_url(url)
    if not isinstance(title, str) or not title.strip():
        raise RecordError("missing title")
    if len(title) > 4 * MAX_TITLE_CHARS:
        raise RecordError(f"title is longer than {MAX_TITLE_CHARS} characters")
    title = _valid_unicode(normalize_inline(title))
    if not title:
        raise RecordError("missing title")
    if len(title) > MAX_TITLE_CHARS:
        raise RecordError(f"title is longer than {MAX_TITLE_CHARS} characters")
    dt = parse_published(published)
    if not isinstance(body, str) or not body.strip():
        raise RecordError("missing body")
    if len(body) > MAX_BODY_CHARS:
        raise RecordError(f"body is longer than {MAX_BODY_CHARS} characters")
    body = _valid_unicode(normalize_body(body))
    if not body:
        raise RecordError("body is empty after normalisation")
    if section is None:
        section = ""
    if not isinstance(section, str):
        raise RecordError("section is not a string")
    section = _valid_unicode(normalize_inline(section[:1000]))[:100]
    return Article(
        url=url, title=title, published=dt, body=body, section=section, source=_valid_unicode(source)
    )


# --------------------------------------------------------------------------- JSON Lines


def parse_jsonl_lines(lines: Iterable[str | bytes], location: str, *, source: str = "") -> ParseResult:
    result = ParseResult()
    for lineno, raw in enumerate(lines, 1):
        where = f"{location}:{lineno}"
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                result.rejections.append(Rejection(where, f"not valid UTF-8 (byte {exc.start + 1})"))
                continue
        if lineno == 1:
            raw = raw.removeprefix("\ufeff")  # a byte-order mark from Windows editors
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            result.rejections.append(Rejection(where, f"invalid JSON ({exc.msg} at column {exc.colno})"))
            continue
        except RecursionError:
            result.rejections.append(Rejection(where, "invalid JSON (too deeply nested)"))
            continue
        except ValueError as exc:  # e.g. an integer longer than Python's 4300-digit limit
            result.rejections.append(Rejection(where, f"invalid JSON ({str(exc)[:80]})"))
            continue
        if not isinstance(obj, dict):
            result.rejections.append(Rejection(where, "not a JSON object"))
            continue
        try:
            result.articles.append(
                make_article(
                    url=obj.get("url"),
                    title=obj.get("title"),
                    published=obj.get("published"),
                    body=obj.get("body"),
                    section=obj.get("section", ""),
                    source=source,
                )
            )
        except RecordError as exc:
            result.rejections.append(Rejection(where, str(exc)))
    return result


def parse_jsonl_file(path: Path, *, source: str = "") -> ParseResult:
    with path.open("rb") as fh:
        return parse_jsonl_lines(fh, str(path), source=source)


# --------------------------------------------------------------------------- saved pages

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


def parse_saved_page(text: str, location: str, *, url: str | None = None, source: str = "") -> ParseResult:
    """A saved article page: [front matter] title / section / ``YYYY-M-D HH:MM`` / body / site furniture.

    Front matter is optional ``key: value`` lines before the title (``URL:``, ``Section:``…), optionally
    fenced with ``---``. ``url`` (from the command line) wins over the front matter.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta: dict[str, str] = {}
    i = 0
    fenced = bool(lines) and lines[0].strip() == "---"
    if fenced:
        i = 1
    while i < len(lines):
        stripped = lines[i].strip()
        if fenced and stripped == "---":
            i += 1
            break
        m = _FRONT.match(lines[i])
        if not m or (not fenced and m.group(1).lower() not in ("url", "source", "canonical")):
            if not stripped and not fenced and not meta:
                i += 1
                continue
            break
        meta[m.group(1).lower()] = m.group(2).strip()
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    rest = lines[i:]
    try:
        if not rest:
            raise RecordError("empty page")
        title = meta.get("title") or rest.pop(0)
        section = meta.get("section", "")
        # Section line ("- 日本の防衛") and date line, in either order, within the next few lines.
        published: str | None = meta.get("published") or meta.get("date")
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
    return ParseResult(articles=[article])


# --------------------------------------------------------------------------- HTML


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
        html = _valid_unicode(html)
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
    return ParseResult(articles=[article])


# --------------------------------------------------------------------------- files and folders


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError("not valid UTF-8") from exc


def iter_files(path: Path) -> Iterator[Path]:
    """Files under ``path`` in a stable order, skipping hidden files and unknown types."""
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            hidden = any(part.startswith(".") for part in p.relative_to(path).parts)
            known = p.suffix.lower() in PAGE_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
            if p.is_file() and not hidden and known:
                yield p
    else:
        yield path


def parse_path(path: Path, *, url: str | None = None, source: str = "") -> ParseResult:
    """Parse a file (by suffix) or every known file in a folder."""
    result = ParseResult()
    if not path.exists():
        result.rejections.append(Rejection(str(path), "no such file or folder"))
        return result
    for file in iter_files(path):
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise RecordError(f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
            suffix = file.suffix.lower()
            if suffix in JSONL_SUFFIXES:
                result.extend(parse_jsonl_file(file, source=source))
            elif suffix in HTML_SUFFIXES:
                result.extend(parse_html(file.read_bytes(), str(file), url=url, source=source))
            elif suffix in PAGE_SUFFIXES:
                result.extend(parse_saved_page(_read_text(file), str(file), url=url, source=source))
            else:
                raise RecordError(f"unknown file type {suffix or '(none)'}: expected .jsonl, .txt or .html")
        except RecordError as exc:
            result.rejections.append(Rejection(str(file), str(exc)))
        except OSError as exc:
            result.rejections.append(Rejection(str(file), f"cannot read ({exc.strerror or exc})"))
    return result

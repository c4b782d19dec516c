"""Input formats -> Article: JSON Lines here; saved text pages (:mod:`.textpage`) and HTML pages
(:mod:`.htmlpage`); :func:`parse_path` reads a file by its suffix, or every known file of a folder.

This is the door to the input formats: the record types (:class:`ParseResult`, :class:`Rejection`…) and
both page parsers are importable from here. Input is untrusted (scraped pages, files from users): parsers
never raise on bad content and bound the size of what they accept; one bad record never stops the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from ..models import Article
from .htmlpage import MAX_HTML_BYTES, parse_html
from .records import (
    JST,
    MAX_BODY_CHARS,
    MAX_TITLE_CHARS,
    ParseResult,
    ReadItem,
    RecordError,
    Rejection,
    make_article,
    parse_published,
)
from .textpage import parse_saved_page

__all__ = [
    "HTML_SUFFIXES", "JSONL_SUFFIXES", "JST", "MAX_BODY_CHARS", "MAX_FILE_BYTES", "MAX_HTML_BYTES",
    "MAX_TITLE_CHARS", "PAGE_SUFFIXES", "ParseResult", "ReadItem", "RecordError", "Rejection", "iter_files",
    "jsonl_records", "make_article", "parse_html", "parse_jsonl_file", "parse_jsonl_lines", "parse_path",
    "parse_published", "parse_saved_page", "read_path",
]

MAX_FILE_BYTES = 64 * 1024 * 1024
PAGE_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


# --------------------------------------------------------------------------- JSON Lines


def parse_jsonl_lines(lines: Iterable[str | bytes], location: str, *, source: str = "") -> ParseResult:
    return ParseResult.of_records(jsonl_records(lines, location, source=source))


def jsonl_records(lines: Iterable[str | bytes], location: str, *,
                  source: str = "") -> Iterator[tuple[Article | Rejection, str]]:
    """Each record of JSON Lines as it is read: an article or the rejection of the line, with where it was."""
    for lineno, raw in enumerate(lines, 1):
        where = f"{location}:{lineno}"
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Rejection(where, f"not valid UTF-8 (byte {exc.start + 1})"), where
                continue
        if lineno == 1:
            raw = raw.removeprefix("\ufeff")  # a byte-order mark from Windows editors
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield Rejection(where, f"invalid JSON ({exc.msg} at column {exc.colno})"), where
            continue
        except RecursionError:
            yield Rejection(where, "invalid JSON (too deeply nested)"), where
            continue
        except ValueError as exc:  # e.g. an integer longer than Python's 4300-digit limit
            yield Rejection(where, f"invalid JSON ({str(exc)[:80]})"), where
            continue
        if not isinstance(obj, dict):
            yield Rejection(where, "not a JSON object"), where
            continue
        try:
            article = make_article(
                url=obj.get("url"), title=obj.get("title"), published=obj.get("published"),
                body=obj.get("body"), section=obj.get("section", ""), source=source,
            )
        except RecordError as exc:
            yield Rejection(where, str(exc)), where
            continue
        yield article, where


def parse_jsonl_file(path: Path, *, source: str = "") -> ParseResult:
    with path.open("rb") as fh:
        return parse_jsonl_lines(fh, str(path), source=source)


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


def parse_path(
    path: Path,
    *,
    url: str | None = None,
    published: datetime | str | None = None,
    source: str = "",
    today: date | None = None,
) -> ParseResult:
    """Parse a file (by suffix) or every known file in a folder. ``url`` and ``published`` (the command
    line's ``--url`` / ``--published``) fill what a page lacks; ``today`` dates days written without a year."""
    return ParseResult.of_records(read_path(path, url=url, published=published, source=source, today=today))


def read_path(
    path: Path,
    *,
    url: str | None = None,
    published: datetime | str | None = None,
    source: str = "",
    today: date | None = None,
) -> Iterator[tuple[Article | Rejection, str]]:
    """:func:`parse_path` as a stream: each article (or rejection) with where it was read, as it is read, so
    that a large corpus need not be held (JSON Lines line by line; a page is one record)."""
    pages = {"url": url, "published": published, "source": source, "today": today}
    if not path.exists():
        yield Rejection(str(path), "no such file or folder"), str(path)
        return
    for file in iter_files(path):
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                raise RecordError(f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
            suffix = file.suffix.lower()
            if suffix in JSONL_SUFFIXES:
                with file.open("rb") as fh:
                    yield from jsonl_records(fh, str(file), source=source)
                continue
            if suffix in HTML_SUFFIXES:
                page = parse_html(file.read_bytes(), str(file), **pages)
            elif suffix in PAGE_SUFFIXES:
                page = parse_saved_page(_read_text(file), str(file), **pages)
            else:
                raise RecordError(f"unknown file type {suffix or '(none)'}: expected .jsonl, .txt or .html")
            yield from ((r, r.location) for r in page.rejections)
            yield from ((a, page.location_of(i) or str(file)) for i, a in enumerate(page.articles))
        except RecordError as exc:
            yield Rejection(str(file), str(exc)), str(file)
        except OSError as exc:
            yield Rejection(str(file), f"cannot read ({exc.strerror or exc})"), str(file)

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
    "make_article", "parse_html", "parse_jsonl_file", "parse_jsonl_lines", "parse_path", "parse_published",
    "parse_saved_page",
]

MAX_FILE_BYTES = 64 * 1024 * 1024
PAGE_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}


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
            article = make_article(
                url=obj.get("url"), title=obj.get("title"), published=obj.get("published"),
                body=obj.get("body"), section=obj.get("section", ""), source=source,
            )
        except RecordError as exc:
            result.rejections.append(Rejection(where, str(exc)))
            continue
        result.add(article, where)
    return result


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
    pages = {"url": url, "published": published, "source": source, "today": today}
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
                result.extend(parse_html(file.read_bytes(), str(file), **pages))
            elif suffix in PAGE_SUFFIXES:
                result.extend(parse_saved_page(_read_text(file), str(file), **pages))
            else:
                raise RecordError(f"unknown file type {suffix or '(none)'}: expected .jsonl, .txt or .html")
        except RecordError as exc:
            result.rejections.append(Rejection(str(file), str(exc)))
        except OSError as exc:
            result.rejections.append(Rejection(str(file), f"cannot read ({exc.strerror or exc})"))
    return result

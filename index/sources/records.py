"""One article record: validation and normalisation (:func:`make_article`), dates, and what parsers return.

Every parser returns a :class:`ParseResult`: the articles it could read and, for every record it could
not, a :class:`Rejection` naming the place (``file:line``, a path or a URL) and the reason. One bad record
never stops the rest of a batch. Stored strings are valid UTF-8: lone UTF-16 surrogates (from truncated
emoji in JSON) become U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

from ..models import Article
from ..normalize import normalize_body, normalize_inline

JST = timezone(timedelta(hours=9), "JST")
MAX_TITLE_CHARS = 500
MAX_BODY_CHARS = 200_000
MAX_URL_CHARS = 2048
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True)
class Rejection:
    """A record that was not read: where it was, why, and what could be read of it ("" if nothing)."""

    location: str  # "path:line", "path" or a URL
    reason: str
    url: str = ""
    title: str = ""
    published: str = ""  # ISO 8601
    section: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass(frozen=True)
class ReadItem:
    """One record of a batch as read: an article (``status="read"``) or a rejection (with its reason)."""

    location: str
    url: str
    title: str
    published: str  # ISO 8601, "" if unknown
    section: str
    status: str  # "read" | "rejected"
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {"location": self.location, "url": self.url, "title": self.title, "published": self.published,
               "section": self.section, "status": self.status}
        return {**out, "reason": self.reason} if self.reason else out

    @classmethod
    def of_article(cls, article: Article, location: str) -> ReadItem:
        return cls(location, article.url, article.title, article.published.isoformat(), article.section, "read")

    @classmethod
    def of_rejection(cls, r: Rejection) -> ReadItem:
        return cls(r.location, r.url, r.title, r.published, r.section, "rejected", r.reason)


@dataclass
class ParseResult:
    """Articles read and records rejected. ``locations[i]`` is where ``articles[i]`` was read (a path or a
    URL); parsers fill it through :meth:`add`. A result built from bare articles has no locations."""

    articles: list[Article] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)

    @classmethod
    def of_records(cls, records: Iterable[tuple[Article | Rejection, str]]) -> ParseResult:
        """The result of a stream of records (an article or a rejection, with where it was read)."""
        result = cls()
        for record, where in records:
            if isinstance(record, Rejection):
                result.rejections.append(record)
            else:
                result.add(record, where)
        return result

    def add(self, article: Article, location: str) -> None:
        aligned = len(self.locations) == len(self.articles)
        self.articles.append(article)
        if aligned:
            self.locations.append(location)

    def extend(self, other: ParseResult) -> None:
        aligned = len(self.locations) == len(self.articles) and len(other.locations) == len(other.articles)
        self.articles.extend(other.articles)
        self.rejections.extend(other.rejections)
        if aligned:
            self.locations.extend(other.locations)

    def location_of(self, index: int) -> str:
        """Where ``articles[index]`` was read, "" if the result does not know."""
        return self.locations[index] if len(self.locations) == len(self.articles) else ""

    def items(self) -> list[ReadItem]:
        """Every record of the batch, articles first, in a form ready for a per-item report."""
        return ([ReadItem.of_article(a, self.location_of(i)) for i, a in enumerate(self.articles)]
                + [ReadItem.of_rejection(r) for r in self.rejections])


@dataclass
class ReadLog:
    """What a streamed read saw, without the articles' texts (they flow on to the ingest): each article as a
    :class:`ReadItem`, and the rejections."""

    read: list[ReadItem] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def articles(self, records: Iterable[tuple[Article | Rejection, str]]) -> Iterator[Article]:
        """The articles of ``records`` as they come, noting each record here."""
        for record, where in records:
            if isinstance(record, Rejection):
                self.rejections.append(record)
            else:
                self.read.append(ReadItem.of_article(record, where))
                yield record

    def items(self) -> list[ReadItem]:
        """As :meth:`ParseResult.items`: the articles first, then the rejections."""
        return self.read + [ReadItem.of_rejection(r) for r in self.rejections]


class RecordError(ValueError):
    """A record that cannot become an article; the message is the reason shown to the user."""


def valid_unicode(text: str) -> str:
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
    title = valid_unicode(normalize_inline(title))
    if not title:
        raise RecordError("missing title")
    if len(title) > MAX_TITLE_CHARS:
        raise RecordError(f"title is longer than {MAX_TITLE_CHARS} characters")
    dt = parse_published(published)
    if not isinstance(body, str) or not body.strip():
        raise RecordError("missing body")
    if len(body) > MAX_BODY_CHARS:
        raise RecordError(f"body is longer than {MAX_BODY_CHARS} characters")
    body = valid_unicode(normalize_body(body))
    if not body:
        raise RecordError("body is empty after normalisation")
    if section is None:
        section = ""
    if not isinstance(section, str):
        raise RecordError("section is not a string")
    section = valid_unicode(normalize_inline(section[:1000]))[:100]
    return Article(
        url=url, title=title, published=dt, body=body, section=section, source=valid_unicode(source)
    )



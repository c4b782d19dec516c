"""Core value types: Article, Chunk, Hit. Frozen, with stable ids and provenance."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime


def article_id_for(url: str) -> str:
    """Stable article id derived from the canonical URL."""
    return hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Article:
    """One news article. ``published`` is timezone-aware; ``body`` has paragraphs split by a blank line."""

    url: str
    title: str
    published: datetime
    body: str
    section: str = ""
    source: str = ""
    alt_urls: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return article_id_for(self.url)

    @property
    def content_hash(self) -> str:
        """Hash of what is indexed (title, date, section, body): changes mean re-chunking."""
        h = hashlib.sha256()
        for part in (self.title, self.published.isoformat(), self.section, self.body):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    @property
    def body_hash(self) -> str:
        """Hash of the body alone, used to find the same text syndicated under two URLs."""
        return hashlib.sha256(self.body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DateSpan:
    """A date range an article passage talks about (a day: first == last)."""

    first: date
    last: date
    granularity: str = "day"  # day | month | year | fiscal_year | range


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: ``body[start:end] == text``."""

    article_id: str
    ordinal: int
    start: int
    end: int
    text: str
    dates: tuple[DateSpan, ...] = ()

    @property
    def chunk_id(self) -> str:
        return f"{self.article_id}:{self.ordinal}"


@dataclass(frozen=True)
class Hit:
    """A search result: one passage with its article's provenance."""

    chunk_id: str
    article_id: str
    url: str
    title: str
    published: datetime
    section: str
    passage: str  # best-matching span of the article body around the hit's chunk, plain text
    score: float
    highlights: tuple[tuple[int, int], ...] = ()  # offsets into ``passage`` of matched terms
    alt_urls: tuple[str, ...] = ()
    nearest_only: bool = False  # True when shown only as "nearest", not as an answer
    extra: dict = field(default_factory=dict, compare=False, hash=False)

"""Core value types: Article, Chunk, Hit, Query, Answer. Frozen where they can be, with stable ids and
provenance. A ``Query`` is validated when it is made: that is the one place a question is checked."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from .errors import InvalidQueryError
from .normalize import normalize_inline

MAX_QUESTION_CHARS = 500


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
    context: str = ""  # the passage with the sentences around it ("More", ``--context``)
    context_offset: int = 0  # where ``passage`` starts inside ``context``
    title_en: str = ""  # the title in English (the title itself when it is English)
    answer_en: str = ""  # one or two English sentences saying what the passage says in answer
    event: Event | None = None  # the event (a row of the events table) this hit answers with


EVENT_TYPES = ("courtesy_call", "meeting", "phone_talk", "visit", "exercise", "launch", "delivery", "commissioning",
               "appointment")


@dataclass(frozen=True)
class EventActor:
    """Someone an event names: as the article writes the name, in English, their post, their country."""

    name: str
    name_en: str
    role_en: str = ""
    country: str = ""

    def to_json(self) -> dict:
        return {"name": self.name, "name_en": self.name_en, "role_en": self.role_en, "country": self.country}


@dataclass(frozen=True)
class Event:
    """Who met whom, visited, exercised, launched... on which day: one row of the events table, with the
    article and passage it comes from."""

    type: str  # one of EVENT_TYPES
    date: date | None
    end_date: date | None
    actors: tuple[EventActor, ...]
    place: str
    place_en: str
    summary_en: str
    url: str
    title: str
    chunk_id: str

    def to_json(self) -> dict:
        return {
            "type": self.type, "date": self.date.isoformat() if self.date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "actors": [a.to_json() for a in self.actors], "place": self.place, "place_en": self.place_en,
            "summary_en": self.summary_en, "url": self.url, "title": self.title, "chunk_id": self.chunk_id,
        }

    @classmethod
    def from_json(cls, d: dict) -> Event:
        return cls(
            str(d["type"]), date.fromisoformat(d["date"]) if d.get("date") else None,
            date.fromisoformat(d["end_date"]) if d.get("end_date") else None,
            tuple(EventActor(str(a["name"]), str(a["name_en"]), str(a.get("role_en", "")), str(a.get("country", "")))
                  for a in d.get("actors", [])),
            str(d.get("place", "")), str(d.get("place_en", "")), str(d.get("summary_en", "")), str(d["url"]),
            str(d.get("title", "")), str(d.get("chunk_id", "")),
        )


def validate_question(text: str, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """The question normalised (NFKC, spaces folded); InvalidQueryError when empty or too long."""
    text = normalize_inline(text or "")
    if not text:
        raise InvalidQueryError("the question is empty")
    if len(text) > max_chars:
        raise InvalidQueryError(f"the question is longer than {max_chars} characters ({len(text)})")
    return text


@dataclass(frozen=True)
class Query:
    """A validated question with its options. Making one checks and normalises ``text`` (at most
    ``max_chars`` characters) and the paging options, so the searcher can trust it."""

    text: str
    k: int = 5
    offset: int = 0
    since: datetime | None = None
    until: datetime | None = None
    section: str | None = None
    per_article: int = 1
    today: date | None = None
    max_chars: int = field(default=MAX_QUESTION_CHARS, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", validate_question(self.text, self.max_chars))
        if self.k < 1 or self.offset < 0 or self.per_article < 1:
            raise InvalidQueryError("k and per_article must be at least 1 and offset at least 0")


@dataclass
class Answer:
    """The searcher's reply: hits best first, whether the first one answers, and the signals behind it."""

    question: str
    confident: bool
    hits: list[Hit]
    total: int = 0  # results available beyond offset (for paging)
    info: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "confident": self.confident,
            "results": [
                {
                    "url": h.url, "title": h.title, "published": h.published.isoformat(), "section": h.section,
                    "passage": h.passage, "score": round(float(h.score), 6), "chunk_id": h.chunk_id,
                    "highlights": [list(s) for s in h.highlights],
                    **({"context": h.context} if h.context else {}),
                    "title_en": h.title_en, "answer_en": h.answer_en,
                    **({"nearest_only": True} if h.nearest_only else {}),
                    **({"also_at": list(h.alt_urls)} if h.alt_urls else {}),
                    **({"event": h.event.to_json()} if h.event is not None else {}),
                }
                for h in self.hits
            ],
        }

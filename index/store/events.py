"""The events of a generation's articles (``events.json``), extracted once at ingest (see
:mod:`index.text.events`). A generation written before this file existed gets them extracted on load."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import date
from typing import BinaryIO

from ..models import Article, Chunk, Event
from ..text.english import ArticleEnglish, english_for
from ..text.events import extract_events
from .blobs import write_json_list
from .protocol import StoredGeneration

log = logging.getLogger(__name__)

EVENTS_FILE = "events.json"


def article_events(articles: Iterable[Article], chunks: Sequence[Chunk],
                   english: dict[str, ArticleEnglish] | None = None) -> list[Event]:
    """Every article's events, oldest date first (undated last)."""
    by_article: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_article.setdefault(c.article_id, []).append(c)
    out: list[Event] = []
    for a in articles:
        ae = (english or {}).get(a.id) or english_for(a)
        out.extend(extract_events(a, by_article.get(a.id, []), ae))
    return sort_events(out)


def event_order(e: Event) -> tuple[bool, date, str, str]:
    """Oldest date first (undated last), then by URL and type: the order of ``events.json`` (ties keep
    their order)."""
    return e.date is None, e.date or date.min, e.url, e.type


def sort_events(events: Iterable[Event]) -> list[Event]:
    """The events in the order of ``events.json``."""
    return sorted(events, key=event_order)


def event_entry(e: Event) -> str:
    """One event as the JSON text ``events.json`` holds for it."""
    return json.dumps(e.to_json(), ensure_ascii=False)


def write_events_file(entries: Iterable[str], fh: BinaryIO) -> None:
    """``events.json`` from :func:`event_entry` texts already in :func:`event_order`, written as they come."""
    fh.write(b'{"events": ')
    write_json_list(entries, fh)
    fh.write(b"}")


def events_file(articles: Iterable[Article], chunks: Sequence[Chunk],
                english: dict[str, ArticleEnglish] | None = None) -> tuple[str, bytes]:
    """(file name, bytes) for ``NewGeneration.extra_files``."""
    return events_file_of(article_events(articles, chunks, english))


def events_file_of(events: Iterable[Event]) -> tuple[str, bytes]:
    """(file name, bytes) of events extracted article by article (sorted here)."""
    buf = io.BytesIO()
    write_events_file(map(event_entry, sort_events(events)), buf)
    return EVENTS_FILE, buf.getvalue()


def load_events(gen: StoredGeneration, articles: Sequence[Article], chunks: Sequence[Chunk]) -> list[Event]:
    """The generation's events: from its file, or extracted now when it has none (or it is unreadable)."""
    raw = gen.blob(EVENTS_FILE)
    if raw is not None:
        try:
            return [Event.from_json(d) for d in json.loads(raw.decode("utf-8"))["events"]]
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("cannot read %s of generation %s (%s); extracting the events again", EVENTS_FILE, gen.id, exc)
    return article_events(articles, chunks)


def select_events(events: Iterable[Event], since: date | None = None, until: date | None = None,
                  type: str | None = None) -> list[Event]:
    """Events of ``type`` (any when None) whose period meets [since, until]; undated events only when no
    period is asked for."""
    out = []
    for e in events:
        if type and e.type != type:
            continue
        if since or until:
            if e.date is None:
                continue
            last = e.end_date or e.date
            if (since and last < since) or (until and e.date > until):
                continue
        out.append(e)
    return out

"""The dates each article's headline names (``headlines.json`` in a generation), resolved once at ingest.

A question's dates are checked against the headline first (the body also names release dates and
background). A generation written before this file existed gets them computed when it is loaded.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable
from typing import BinaryIO

from ..models import Article, DateSpan
from ..text.dates.article import find_dates
from .blobs import write_json_object
from .meta import dates_from_json, dates_to_json
from .protocol import StoredGeneration

log = logging.getLogger(__name__)

HEADLINES_FILE = "headlines.json"


def headline_dates(article: Article) -> tuple[DateSpan, ...]:
    """The date spans the article's title names, resolved against its publication date."""
    return tuple(m.span for m in find_dates(article.title, article.published))


def headline_entry(article: Article) -> str:
    """The article's headline date spans as the JSON text ``headlines.json`` holds for it."""
    return json.dumps(json.loads(dates_to_json(headline_dates(article))), ensure_ascii=False, sort_keys=True)


def write_headlines_file(entries: Iterable[tuple[str, str]], fh: BinaryIO) -> None:
    """``headlines.json`` from (article id, :func:`headline_entry`) pairs sorted by article id."""
    write_json_object(entries, fh)


def headlines_file(articles: Iterable[Article]) -> tuple[str, bytes]:
    """(file name, bytes) for ``NewGeneration.extra_files``: article id -> its headline's date spans."""
    entries = {a.id: headline_entry(a) for a in articles}
    buf = io.BytesIO()
    write_headlines_file(((aid, entries[aid]) for aid in sorted(entries)), buf)
    return HEADLINES_FILE, buf.getvalue()


def load_headline_dates(gen: StoredGeneration, articles: dict[str, Article]) -> dict[str, tuple[DateSpan, ...]]:
    """Article id -> headline date spans: from the generation's blob, or computed when it has none."""
    raw = gen.blob(HEADLINES_FILE)
    if raw is not None:
        try:
            data = json.loads(raw.decode("utf-8"))
            if set(data) == set(articles):
                return {a: dates_from_json(json.dumps(spans)) for a, spans in data.items()}
            log.info("%s of generation %s does not match its articles; resolving headline dates again",
                     HEADLINES_FILE, gen.id)
        except (ValueError, TypeError) as exc:
            log.warning("cannot read %s of generation %s (%s); resolving headline dates again",
                        HEADLINES_FILE, gen.id, exc)
    return {a: headline_dates(art) for a, art in articles.items()}

"""Each article's English (``english.json`` in a generation): its title and every body sentence rendered
once, at ingest (see :mod:`index.text.english`). Answer time only picks sentences.

A generation written before this file existed still opens: an article missing from the file is rendered the
first time it is asked for, and kept.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from ..models import Article
from ..text.english import ArticleEnglish, answer_line, english_for
from .blobs import iter_json_object, write_json_object
from .protocol import StoredGeneration

log = logging.getLogger(__name__)

ENGLISH_FILE = "english.json"


def render_articles(articles: Iterable[Article], previous: dict[str, dict] | None = None,
                    unchanged: set[str] | None = None) -> dict[str, ArticleEnglish]:
    """Article id -> its English; articles in ``unchanged`` (ids) reuse ``previous`` (a loaded file)."""
    out: dict[str, ArticleEnglish] = {}
    for a in articles:
        raw = (previous or {}).get(a.id) if unchanged and a.id in unchanged else None
        try:
            out[a.id] = ArticleEnglish.from_json(raw) if raw is not None else english_for(a)
        except (KeyError, TypeError, ValueError):
            out[a.id] = english_for(a)
    return out


def english_entry(english: ArticleEnglish) -> str:
    """One article's English as the JSON text ``english.json`` holds for it."""
    return json.dumps(english.to_json(), ensure_ascii=False, sort_keys=True)


def write_english_file(entries: Iterable[tuple[str, str]], fh: BinaryIO) -> None:
    """``english.json`` from (article id, :func:`english_entry`) pairs sorted by article id, written as
    they come."""
    write_json_object(entries, fh)


def english_file(english: dict[str, ArticleEnglish]) -> tuple[str, bytes]:
    """(file name, bytes) for ``NewGeneration.extra_files``: article id -> its English."""
    buf = io.BytesIO()
    write_english_file(((aid, english_entry(english[aid])) for aid in sorted(english)), buf)
    return ENGLISH_FILE, buf.getvalue()


def english_entries(raw: bytes) -> Iterator[tuple[str, str]]:
    """(article id, its English as JSON text) of a stored ``english.json``, read entry by entry (the
    file is never one Python object). Raises ValueError when it is not a JSON object."""
    return iter_json_object(raw)


def stored_english(gen: StoredGeneration | None) -> dict[str, dict]:
    """The raw content of a generation's ``english.json`` (empty when it has none or it is unreadable)."""
    raw = gen.blob(ENGLISH_FILE) if gen is not None else None
    if raw is None:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        log.warning("cannot read %s of generation %s; English is rendered on first use", ENGLISH_FILE, gen.id)
        return {}
    return data if isinstance(data, dict) else {}


class EnglishRenderings:
    """The English of a generation's articles; thread-safe, renders what the file lacks on first use."""

    def __init__(self, stored: dict[str, dict]) -> None:
        self._stored = stored
        self._loaded: dict[str, ArticleEnglish] = {}
        self._lock = threading.Lock()

    def get(self, article: Article) -> ArticleEnglish:
        got = self._loaded.get(article.id)
        if got is not None:
            return got
        raw = self._stored.get(article.id)
        try:
            got = ArticleEnglish.from_json(raw) if raw is not None else english_for(article)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("stored English of %s unreadable (%s); rendering it again", article.url, exc)
            got = english_for(article)
        with self._lock:
            self._loaded[article.id] = got
        return got

    def title_en(self, article: Article) -> str:
        return self.get(article).title_en

    def render(self, article: Article, passage: str, answer_types: Iterable[str] = (),
               terms: Iterable[str] = ()) -> tuple[str, str]:
        """(title_en, answer_en) of a search hit: the article's English title and the answer line of
        ``passage`` for a question asking for ``answer_types`` with the words ``terms``."""
        ae = self.get(article)
        return ae.title_en, answer_line(ae, article, passage, answer_types, terms)


def load_english(gen: StoredGeneration) -> EnglishRenderings:
    """The generation's stored English, or an empty store (everything rendered on first use)."""
    return EnglishRenderings(stored_english(gen))

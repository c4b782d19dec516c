"""The generation's SQLite metadata (``meta.sqlite``): articles and chunks with their resolved dates, in
FAISS row order. Plain SQL and JSON, no pickle."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..models import Article, Chunk, DateSpan

_META_SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, title TEXT NOT NULL, published TEXT NOT NULL,
    section TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL, content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL, alt_urls TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles(id), ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, dates TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX chunks_article ON chunks(article_id, ordinal);
CREATE INDEX articles_published ON articles(published);
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def dates_to_json(dates: Sequence[DateSpan]) -> str:
    return json.dumps([[d.first.isoformat(), d.last.isoformat(), d.granularity] for d in dates])


def dates_from_json(text: str) -> tuple[DateSpan, ...]:
    return tuple(DateSpan(date.fromisoformat(a), date.fromisoformat(b), g) for a, b, g in json.loads(text))


def article_from_row(row: sqlite3.Row | tuple) -> Article:
    _id, url, title, published, section, source, body, _ch, _bh, alt = row
    return Article(
        url=url, title=title, published=datetime.fromisoformat(published), body=body, section=section,
        source=source, alt_urls=tuple(json.loads(alt)),
    )


KEY_COLUMNS = "url, id, published, content_hash, body_hash, alt_urls"  # the columns of an ArticleKey


@dataclass(frozen=True)
class ArticleKey:
    """What ingest merges an article by, without its text: the hashes and the syndicated URLs."""

    url: str
    id: str
    published: str  # as stored: ISO 8601
    content_hash: str
    body_hash: str
    alt_urls: tuple[str, ...] = ()


def key_from_row(row: sqlite3.Row | tuple) -> ArticleKey:
    """An :class:`ArticleKey` from a row of :data:`KEY_COLUMNS`."""
    url, aid, published, content_hash, body_hash, alt = row
    return ArticleKey(url, aid, published, content_hash, body_hash, tuple(json.loads(alt)))


def article_values(a: Article) -> tuple:
    """An article as the columns of the ``articles`` table, in order."""
    return (a.id, a.url, a.title, a.published.isoformat(), a.section, a.source, a.body, a.content_hash,
            a.body_hash, json.dumps(list(a.alt_urls), ensure_ascii=False))


def chunk_values(row: int, c: Chunk) -> tuple:
    """A chunk at its row as the columns of the ``chunks`` table, in order."""
    return (row, c.article_id, c.ordinal, c.start, c.end, c.text, dates_to_json(c.dates))


@dataclass(frozen=True)
class ChunkRow:
    """A chunk as stored, with its FAISS row."""

    row: int
    chunk: Chunk


def write_meta(path: Path, articles: Iterable[Article], chunks: Iterable[Chunk], info: dict, generation: str) -> None:
    """Write a new ``meta.sqlite``: the articles, the chunks in FAISS row order, and the info table. The
    articles and chunks are read once, one row at a time (streams are welcome)."""
    db = sqlite3.connect(path)
    try:
        db.executescript(_META_SCHEMA)
        with db:
            db.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)", map(article_values, articles))
            db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?)",
                           (chunk_values(row, c) for row, c in enumerate(chunks)))
            db.executemany(
                "INSERT INTO info VALUES (?, ?)",
                [
                    (k, json.dumps(v, ensure_ascii=False))
                    for k, v in {**info, "generation": generation}.items()
                ],
            )
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()

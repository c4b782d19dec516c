"""One ingest's scratch database: what an ingest holds on disk instead of in memory.

A private SQLite file (in the index folder when the store has one, so it is on the same disk), whose name is
removed as soon as it is open: the ingest's process holds the only reference, so the file goes when the
ingest ends, however it ends, crash included (the blobs made from it are unnamed temporary files too). It
takes, in turn:

1. the live generation's articles as light keys (URL, id, date, hashes, alternative URLs; no body) and
   the incoming articles as they are read (the same URL twice: the later wins);
2. the merge of the two, on the keys alone (:func:`.merge.merge_into`): the same counts and statuses as
   merging the articles themselves;
3. the articles of the new generation in row order (published, URL), each read once: an incoming one
   from here, an unchanged one from the live generation (``StoredGeneration.article``);
4. what the pipeline makes of each article (dated chunks, English, headline dates, events) as it goes,
   from which the generation's rows and blobs are then written as streams.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from ..errors import IndexCorruptError
from ..models import Article, Chunk, Event
from ..store.english import ENGLISH_FILE, english_entries, english_entry, write_english_file
from ..store.events import EVENTS_FILE, event_entry, event_order, write_events_file
from ..store.headlines import HEADLINES_FILE, headline_entry, write_headlines_file
from ..store.keyword import BM25Index
from ..store.keyword_files import KEYWORD_FILE
from ..store.manifest import REBUILD_HINT
from ..store.meta import ArticleKey, article_from_row, article_values, chunk_values, dates_from_json
from ..text.english import ArticleEnglish
from .merge import merge_into
from .report import IngestReport

log = logging.getLogger(__name__)

STAGING_PREFIX = ".ingest-"  # the staging file's name while it is being opened (in the index folder)
_PAGE = 512  # rows read at a time where the table read is also written

_SCHEMA = """
CREATE TABLE incoming (
    url TEXT NOT NULL UNIQUE, id TEXT NOT NULL, title TEXT NOT NULL, published TEXT NOT NULL,
    section TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL, content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL, alt_urls TEXT NOT NULL, sort TEXT NOT NULL
);
CREATE TABLE merged (
    url TEXT PRIMARY KEY, id TEXT NOT NULL, sort TEXT NOT NULL, content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL, alt_urls TEXT NOT NULL, new INTEGER NOT NULL, changed INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE bodies (body_hash TEXT PRIMARY KEY, url TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE previous_english (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE articles (
    pos INTEGER PRIMARY KEY, id TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL, published TEXT NOT NULL,
    section TEXT NOT NULL, source TEXT NOT NULL, body TEXT NOT NULL, content_hash TEXT NOT NULL,
    body_hash TEXT NOT NULL, alt_urls TEXT NOT NULL
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, article_id TEXT NOT NULL, ordinal INTEGER NOT NULL, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, text TEXT NOT NULL, dates TEXT NOT NULL
);
CREATE TABLE english (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE headlines (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE events (
    undated INTEGER NOT NULL, day TEXT NOT NULL, url TEXT NOT NULL, type TEXT NOT NULL, seq INTEGER NOT NULL,
    json TEXT NOT NULL, PRIMARY KEY (undated, day, url, type, seq)
) WITHOUT ROWID;
"""
_ARTICLE_COLS = "id, url, title, published, section, source, body, content_hash, body_hash, alt_urls"


def sort_key(published: datetime) -> str:
    """A text that sorts as the dates do (aware dates by their instant), for ORDER BY."""
    if published.tzinfo is not None:
        published = published.astimezone(UTC).replace(tzinfo=None)
    return published.isoformat(timespec="microseconds")


@dataclass(frozen=True)
class MergeKey:
    """An article as merging sees it; its body is in ``incoming`` (``new``) or in the live generation."""

    url: str
    id: str
    sort: str
    content_hash: str
    body_hash: str
    alt_urls: tuple[str, ...]
    new: bool


class _StagedMerge:
    """:class:`.merge.MergeState` over the ``merged`` and ``bodies`` tables."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, url: str) -> MergeKey | None:
        row = self.db.execute("SELECT url, id, sort, content_hash, body_hash, alt_urls, new FROM merged "
                              "WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        url, aid, sort, ch, bh, alt, new = row
        return MergeKey(url, aid, sort, ch, bh, tuple(json.loads(alt)), bool(new))

    def twin(self, body_hash: str) -> str | None:
        row = self.db.execute("SELECT url FROM bodies WHERE body_hash = ?", (body_hash,)).fetchone()
        return row[0] if row else None

    def put(self, url: str, item: MergeKey, *, body: bool = True) -> None:
        self.db.execute("INSERT OR REPLACE INTO merged VALUES (?,?,?,?,?,?,?,1)",
                        (url, item.id, item.sort, item.content_hash, item.body_hash,
                         json.dumps(list(item.alt_urls), ensure_ascii=False), int(item.new)))
        if body:
            self.db.execute("INSERT OR REPLACE INTO bodies VALUES (?, ?)", (item.body_hash, url))


class StagedRows:
    """Rows of a staged table as a sized re-iterable (each iteration reads them again, one at a time)."""

    def __init__(self, db: sqlite3.Connection, sql: str, make: Callable[[tuple], object], count: int) -> None:
        self.db, self.sql, self.make, self.count = db, sql, make, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator:
        for row in self.db.execute(self.sql):
            yield self.make(row)


class Staging:
    """The scratch database of one ingest (see the module's docstring); a context manager that removes it."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        fd, name = tempfile.mkstemp(prefix=STAGING_PREFIX, suffix=".sqlite", dir=folder)
        os.close(fd)
        db = None
        try:
            # one connection, used by one thread at a time (the pipeline's reader, then the writer); no
            # journal (nothing here outlives the ingest), so the open file is all SQLite ever needs
            db = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-16384", "temp_store=FILE"):
                db.execute(f"PRAGMA {pragma}")
            db.executescript(_SCHEMA)
            db.execute("BEGIN")  # one transaction, never committed
        except BaseException:
            if db is not None:
                db.close()
            raise
        finally:
            os.unlink(name)
        self.db = db
        self.rows = 0  # chunk rows staged by the pipeline
        self._events = 0
        self._files: list[BinaryIO] = []

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            for fh in self._files:
                fh.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- 1. the live generation's keys, the incoming articles

    def add_live(self, keys: Iterable[ArticleKey]) -> None:
        """The live generation's articles, in its order (the last of the same body is its indexed one)."""
        for k in keys:
            alt = json.dumps(list(k.alt_urls), ensure_ascii=False)
            self.db.execute("INSERT OR REPLACE INTO merged VALUES (?,?,?,?,?,?,0,0)",
                            (k.url, k.id, sort_key(datetime.fromisoformat(k.published)), k.content_hash,
                             k.body_hash, alt))
            self.db.execute("INSERT OR REPLACE INTO bodies VALUES (?, ?)", (k.body_hash, k.url))

    def add_incoming(self, articles: Iterable[Article]) -> int:
        """Stage the articles as they are read (a URL read again: its later record, at its first place).
        Returns how many were read."""
        n = 0
        for a in articles:
            self.db.execute(
                f"INSERT INTO incoming ({_ARTICLE_COLS}, sort) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (url) "
                "DO UPDATE SET id = excluded.id, title = excluded.title, published = excluded.published, "
                "section = excluded.section, source = excluded.source, body = excluded.body, "
                "content_hash = excluded.content_hash, body_hash = excluded.body_hash, "
                "alt_urls = excluded.alt_urls, sort = excluded.sort",
                (*article_values(a), sort_key(a.published)),
            )
            n += 1
        return n

    # -- 2. the merge, on keys

    def merge(self, report: IngestReport) -> None:
        """Merge the incoming articles (in the order first read) into the live ones; counts in ``report``."""
        merge_into(_StagedMerge(self.db), self._incoming_keys(), report)

    def _incoming_keys(self) -> Iterator[MergeKey]:
        for url, aid, sort, ch, bh, alt in self.db.execute(
            "SELECT url, id, sort, content_hash, body_hash, alt_urls FROM incoming ORDER BY rowid"
        ):
            yield MergeKey(url, aid, sort, ch, bh, tuple(json.loads(alt)), True)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM merged").fetchone()[0]

    def changed(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM merged WHERE changed").fetchone()[0]

    def unchanged_ids(self) -> Iterator[tuple[str, str]]:
        """(URL, id) of each live article this ingest leaves as it is, read a page at a time (so that
        :meth:`remove` may be called meanwhile)."""
        last = ""
        while True:
            page = self.db.execute("SELECT url, id FROM merged WHERE url > ? AND NOT changed ORDER BY url LIMIT ?",
                                   (last, _PAGE)).fetchall()
            if not page:
                return
            yield from page
            last = page[-1][0]

    def remove(self, url: str) -> None:
        self.db.execute("DELETE FROM merged WHERE url = ?", (url,))

    def add_previous_english(self, raw: bytes | None) -> None:
        """The unchanged articles' English from the live generation's ``english.json``, read entry by entry
        (none when it is unreadable: they are rendered again)."""
        if raw is None:
            return
        self.db.execute("CREATE INDEX IF NOT EXISTS merged_id ON merged(id)")
        try:
            for aid, text in english_entries(raw):
                self.db.execute("INSERT OR REPLACE INTO previous_english SELECT ?, ? WHERE EXISTS "
                                "(SELECT 1 FROM merged WHERE id = ? AND NOT changed)", (aid, text, aid))
        except ValueError as exc:
            log.warning("cannot read %s of the live generation (%s); its English is rendered again",
                        ENGLISH_FILE, exc)
            self.db.execute("DELETE FROM previous_english")

    def previous_english(self, article_id: str) -> dict | None:
        """The stored English of an unchanged article, as ``english.json`` holds it (None: render it)."""
        row = self.db.execute("SELECT json FROM previous_english WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        try:
            got = json.loads(row[0])
        except ValueError:
            return None
        return got if isinstance(got, dict) else None

    # -- 3. the new generation's articles in row order

    def order(self, live_article: Callable[[str], Article | None] | None,
              count_chunks: Callable[[Article], int]) -> int:
        """Write the merged articles in row order (published, URL), each read once: an incoming one from
        here, another from ``live_article(id)``. Returns their chunks (``count_chunks`` of each)."""
        self.db.execute("CREATE INDEX IF NOT EXISTS merged_order ON merged(sort, url)")
        rows = 0
        keys = self.db.execute("SELECT url, id, alt_urls, new FROM merged ORDER BY sort, url")
        for pos, (url, aid, alt, new) in enumerate(keys):
            art = self._incoming(url) if new else (live_article(aid) if live_article is not None else None)
            if art is None:
                raise IndexCorruptError(f"article {url} went missing from the live generation; {REBUILD_HINT}")
            alt_urls = tuple(json.loads(alt))
            if art.alt_urls != alt_urls:
                art = replace(art, alt_urls=alt_urls)
            self.db.execute(f"INSERT INTO articles (pos, {_ARTICLE_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                            (pos, *article_values(art)))
            rows += count_chunks(art)
        return rows

    def _incoming(self, url: str) -> Article | None:
        row = self.db.execute(f"SELECT {_ARTICLE_COLS} FROM incoming WHERE url = ?", (url,)).fetchone()
        return article_from_row(row) if row else None

    def articles(self) -> StagedRows:
        """The new generation's articles in row order, streamed."""
        n = self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        return StagedRows(self.db, f"SELECT {_ARTICLE_COLS} FROM articles ORDER BY pos", article_from_row, n)

    # -- 4. what the pipeline made of each article

    def add_built(self, article: Article, chunks: list[Chunk], english: ArticleEnglish, events: list[Event]) -> None:
        """One article's dated chunks (at the next rows), its English, headline dates and events."""
        self.db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?)",
                            [chunk_values(self.rows + i, c) for i, c in enumerate(chunks)])
        self.rows += len(chunks)
        self.db.execute("INSERT OR REPLACE INTO english VALUES (?, ?)", (article.id, english_entry(english)))
        self.db.execute("INSERT OR REPLACE INTO headlines VALUES (?, ?)", (article.id, headline_entry(article)))
        for e in events:
            undated, day, url, etype = event_order(e)
            self._events += 1
            self.db.execute("INSERT INTO events VALUES (?,?,?,?,?,?)",
                            (int(undated), day.isoformat(), url, etype, self._events, event_entry(e)))

    def chunks(self) -> StagedRows:
        """The new generation's dated chunks in row order, streamed."""
        return StagedRows(self.db, 'SELECT article_id, ordinal, start, "end", text, dates FROM chunks ORDER BY row',
                          _chunk_from_row, self.rows)

    def blob_files(self, keywords: BM25Index) -> dict[str, BinaryIO]:
        """The generation's blobs (``keywords.npz``, ``headlines.json``, ``english.json``, ``events.json``)
        as unnamed temporary files, each written entry by entry in the order its format wants."""
        files: dict[str, BinaryIO] = {}
        for name in (KEYWORD_FILE, HEADLINES_FILE, ENGLISH_FILE, EVENTS_FILE):
            files[name] = tempfile.TemporaryFile(dir=self.folder)  # noqa: SIM115 - closed by close()
            self._files.append(files[name])
        keywords.save(files[KEYWORD_FILE])
        write_headlines_file(self.db.execute("SELECT id, json FROM headlines ORDER BY id"), files[HEADLINES_FILE])
        write_english_file(self.db.execute("SELECT id, json FROM english ORDER BY id"), files[ENGLISH_FILE])
        write_events_file((j for (j,) in self.db.execute(
            "SELECT json FROM events ORDER BY undated, day, url, type, seq")), files[EVENTS_FILE])
        for fh in files.values():
            fh.flush()
        return files


def _chunk_from_row(row: tuple) -> Chunk:
    aid, ordinal, start, end, text, dates = row
    return Chunk(aid, ordinal, start, end, text, dates_from_json(dates))


def remove_stale(folder: Path | None) -> None:
    """Remove a staging file an ingest that crashed while opening it left in ``folder``. Call it as the
    writer."""
    if folder is None or not folder.is_dir():
        return
    for p in folder.glob(f"{STAGING_PREFIX}*.sqlite"):
        with contextlib.suppress(OSError):
            p.unlink()

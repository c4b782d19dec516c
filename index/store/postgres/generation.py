"""Reading one generation from PostgreSQL.

Opening takes a shared advisory lock on the generation for as long as it stays open, so a writer never
removes a generation that a process still reads; every query names the generation's id, so nothing of
another generation is ever mixed in. The vectors are searched either in this process (loaded once by a
binary COPY into a FAISS index of the generation's index type) or, for ``pghnsw`` generations, by the
database through the generation's HNSW index (:mod:`.dense`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence

import numpy as np

from ...errors import IndexCorruptError, IndexMissingError
from ...models import Article, Chunk
from ..manifest import REBUILD_HINT, Manifest, check_compatible
from ..meta import KEY_COLUMNS, ArticleKey, ChunkRow, article_from_row, dates_from_json, key_from_row
from ..vectors import build_faiss, parse_index_type
from .connect import PgTarget
from .rows import read_vectors
from .schema import GEN_LOCK_NS, SCHEMA

_ARTICLE_COLS = "id, url, title, published, section, source, body, content_hash, body_hash, alt_urls"
_VECTORS_SQL = (f"COPY (SELECT row, embedding FROM {SCHEMA}.vectors WHERE generation = %s ORDER BY row) "
                "TO STDOUT (FORMAT BINARY)")


def live_generation(conn) -> tuple[int, str] | None:
    return conn.execute(
        f"SELECT g.id, g.name FROM {SCHEMA}.live l JOIN {SCHEMA}.generations g ON g.id = l.generation"
    ).fetchone()


class PgGeneration:
    """A loaded, read-only generation held open on its own connection."""

    def __init__(self, target: PgTarget, conn, gid: int, manifest: Manifest) -> None:
        self.target = target
        self.conn = conn
        self.gid = gid
        self.manifest = manifest
        self._faiss = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, target: PgTarget, name: str | None, *, model_id: str | None = None,
             dim: int | None = None) -> PgGeneration:
        """The generation ``name`` (None: the live one), locked against removal while it is open."""
        conn = target.connect()
        try:
            for _ in range(5):  # the live generation may change between reading its id and locking it
                found = (live_generation(conn) if name is None else
                         conn.execute(f"SELECT id, name FROM {SCHEMA}.generations WHERE name = %s",
                                      (name,)).fetchone())
                if found is None:
                    raise IndexMissingError(f"there is no index in {target.location} yet" if name is None
                                            else f"generation {name} is no longer in {target.location}")
                gid, gname = found
                conn.execute("SELECT pg_advisory_lock_shared(%s, %s)", (GEN_LOCK_NS, gid))
                row = conn.execute(f"SELECT manifest FROM {SCHEMA}.generations WHERE id = %s", (gid,)).fetchone()
                if row is not None:
                    break
                conn.execute("SELECT pg_advisory_unlock_shared(%s, %s)", (GEN_LOCK_NS, gid))
            else:
                raise IndexMissingError(f"the live generation in {target.location} keeps changing; try again")
            where = f"{target.location} generation {gname}"
            manifest = Manifest.from_json(row[0], where)
            check_compatible(manifest, where, model_id=model_id, dim=dim)
        except BaseException:
            conn.close()
            raise
        return cls(target, conn, gid, manifest)

    @property
    def id(self) -> str:
        return self.manifest.generation

    def close(self) -> None:
        self.conn.close()  # (ends the session: its shared lock on the generation goes with it)

    def __del__(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None and not conn.closed:
            conn.close()

    def _where(self) -> str:
        return f"{self.target.location} generation {self.id}"

    # -- rows

    def articles(self) -> Iterator[Article]:
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLS} FROM {SCHEMA}.articles WHERE generation = %s "
            'ORDER BY published COLLATE "C", id COLLATE "C"', (self.gid,)
        ).fetchall()
        if len(rows) != self.manifest.articles:
            raise IndexCorruptError(f"{self._where()} holds {len(rows)} articles, its manifest says "
                                    f"{self.manifest.articles}; {REBUILD_HINT}")
        for row in rows:
            yield article_from_row(row)

    def article_keys(self) -> Iterator[ArticleKey]:
        """Streamed from the server row by row (the bodies stay there)."""
        n = 0
        with self.conn.cursor() as cur:
            for row in cur.stream(f"SELECT {KEY_COLUMNS} FROM {SCHEMA}.articles WHERE generation = %s "
                                  'ORDER BY published COLLATE "C", id COLLATE "C"', (self.gid,)):
                n += 1
                yield key_from_row(row)
        if n != self.manifest.articles:
            raise IndexCorruptError(f"{self._where()} holds {n} articles, its manifest says "
                                    f"{self.manifest.articles}; {REBUILD_HINT}")

    def article(self, article_id: str) -> Article | None:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLS} FROM {SCHEMA}.articles WHERE generation = %s AND id = %s",
                                (self.gid, article_id)).fetchone()
        return article_from_row(row) if row else None

    def chunk_rows(self, rows: Sequence[int] | None = None) -> list[ChunkRow]:
        sql = (f'SELECT row, article_id, ordinal, start, "end", text, dates FROM {SCHEMA}.chunks '
               "WHERE generation = %s")
        if rows is None:
            got = self.conn.execute(sql + " ORDER BY row", (self.gid,)).fetchall()
            if len(got) != self.manifest.chunks:
                raise IndexCorruptError(f"{self._where()} holds {len(got)} chunks, its manifest says "
                                        f"{self.manifest.chunks}; {REBUILD_HINT}")
        else:
            got = self.conn.execute(sql + " AND row = ANY(%s) ORDER BY row",
                                    (self.gid, [int(r) for r in rows])).fetchall()
        return [ChunkRow(r, Chunk(a, o, s, e, t, dates_from_json(d))) for r, a, o, s, e, t, d in got]

    def vectors(self) -> np.ndarray:
        try:
            with self.conn.cursor() as cur:
                return read_vectors(cur, self.gid, self.manifest.chunks, self.manifest.dim, _VECTORS_SQL)
        except ValueError as exc:
            raise IndexCorruptError(f"{self._where()}: {exc}; {REBUILD_HINT}") from exc

    def blob(self, name: str) -> bytes | None:
        meta = self.manifest.files.get(name)
        if meta is None:
            return None
        row = self.conn.execute(f"SELECT data FROM {SCHEMA}.blobs WHERE generation = %s AND name = %s",
                                (self.gid, name)).fetchone()
        data = bytes(row[0]) if row else b""
        if row is None or len(data) != meta.get("bytes") or hashlib.sha256(data).hexdigest() != meta.get("sha256"):
            raise IndexCorruptError(f"{name} of {self._where()} is missing or does not match its checksum; "
                                    f"{REBUILD_HINT}")
        return data

    # -- dense search

    @property
    def faiss(self):
        """A FAISS index of the generation's vectors, loaded on first use (None for ``pghnsw``)."""
        if parse_index_type(self.manifest.index_type)[0] == "pghnsw":
            return None
        with self._lock:
            if self._faiss is None:
                self._faiss = build_faiss(self.vectors(), self.manifest.dim, self.manifest.index_type)
            return self._faiss

    def dense_search(self):
        """The database's own search over the generation's HNSW index (``pghnsw``), else None."""
        kind, params = parse_index_type(self.manifest.index_type)
        if kind != "pghnsw":
            return None
        from .dense import PgVectorSearch

        return PgVectorSearch(self.target, self.gid, self.manifest.chunks, self.manifest.dim,
                              ef_search=params["ef_search"])

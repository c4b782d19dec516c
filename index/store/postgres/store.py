"""The index in PostgreSQL + pgvector, as an :class:`~index.store.protocol.IndexStore`.

One writer at a time across every process and machine: :meth:`PostgresStore.writer` holds a session-level
advisory lock on its own connection (the server drops it when that session ends, so a killed writer never
leaves a stale lock). Readers take no writer lock: they follow ``live`` and read by generation id.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from ...errors import DefnewsError, IndexMissingError, StoreUnavailableError
from ..manifest import Manifest
from ..protocol import NewGeneration
from ..vectors import parse_index_type
from . import write
from .cache import PgEmbeddingCache
from .connect import PgTarget, explain_failure
from .generation import PgGeneration
from .schema import LOCK_NS, SCHEMA, WRITER_KEY, ensure_schema

log = logging.getLogger(__name__)


class WriterBusyError(DefnewsError):
    """Another process holds the index's writer lock."""


class PostgresStore:
    """Generations, the embedding cache and shared documents in one PostgreSQL database."""

    kind = "postgres"

    def __init__(self, url: str, *, keep: int = 2) -> None:
        self.target = PgTarget.parse(url)
        self.keep = keep
        self._lock = threading.Lock()
        self._writer = threading.local()
        self._conn = self.target.connect()
        try:
            ensure_schema(self._conn, self.target)
        except BaseException:
            self._conn.close()
            raise

    def __repr__(self) -> str:
        return f"PostgresStore({self.location})"

    @property
    def location(self) -> str:
        return self.target.location

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of ``sql`` on the shared connection; reconnects once if the server dropped it."""
        import psycopg

        with self._lock:
            for attempt in (0, 1):
                try:
                    if self._conn.closed:
                        self._conn = self.target.connect()
                    cur = self._conn.execute(sql, params)
                    return cur.fetchall() if cur.description else []
                except psycopg.OperationalError as exc:
                    self._conn.close()
                    if attempt:
                        raise StoreUnavailableError(explain_failure(self.target, exc)) from None
        raise AssertionError("unreachable")

    # -- reading

    def live_id(self) -> str | None:
        rows = self._query(f"SELECT g.name FROM {SCHEMA}.live l JOIN {SCHEMA}.generations g "
                           "ON g.id = l.generation")
        return rows[0][0] if rows else None

    def open_live(self, *, model_id: str | None = None) -> PgGeneration:
        return PgGeneration.open(self.target, None, model_id=model_id)

    def open(self, gen_id: str, *, model_id: str | None = None) -> PgGeneration:
        return PgGeneration.open(self.target, gen_id, model_id=model_id)

    def manifest(self, gen_id: str) -> Manifest:
        rows = self._query(f"SELECT manifest FROM {SCHEMA}.generations WHERE name = %s", (gen_id,))
        if not rows:
            raise IndexMissingError(f"generation {gen_id} is not in {self.location}")
        return Manifest.from_json(rows[0][0], f"{self.location} generation {gen_id}")

    def size_bytes(self, gen_id: str) -> int:
        return int(self.manifest(gen_id).info.get("stored_bytes", 0))

    # -- writing

    @contextlib.contextmanager
    def writer(self, *, wait: bool = True) -> Iterator[None]:
        conn = self.target.connect()
        try:
            (mine,) = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (LOCK_NS, WRITER_KEY)).fetchone()
            if not mine:
                message = (f"another process is writing the index in {self.location} "
                           f"({self._holder(conn)})")
                if not wait:
                    raise WriterBusyError(f"{message}; try again when it has finished")
                log.warning("%s; waiting for it to finish", message)
                conn.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_NS, WRITER_KEY))
            self._writer.conn = conn
            yield
        finally:
            self._writer.conn = None
            conn.close()  # (ends the session, and so the lock)

    @staticmethod
    def _holder(conn) -> str:
        """Who holds the writer lock, as far as the server tells."""
        row = conn.execute(
            "SELECT a.pid, a.application_name, coalesce(host(a.client_addr), 'this host'), a.backend_start "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
            "AND l.classid = %s AND l.objid = %s AND l.granted", (LOCK_NS, WRITER_KEY)
        ).fetchone()
        if row is None:
            return "it has just finished"
        pid, app, host, since = row
        return f"{app or 'a client'} from {host}, database session {pid}, since {since:%Y-%m-%d %H:%M:%S %Z}"

    def _writer_conn(self):
        conn = getattr(self._writer, "conn", None)
        if conn is None:
            raise RuntimeError("write to a PostgresStore inside `with store.writer():`")
        return conn

    def remove_leftovers(self) -> None:
        """A killed writer leaves nothing (its transaction is rolled back); what remains to do is removing
        old generations that a reader still held when the last writer wanted them gone."""
        write.prune(self._writer_conn(), keep=self.keep)

    def write_generation(self, new: NewGeneration, *, index_type: str = "flat", crash_hook=None) -> str:
        kind, params = parse_index_type(index_type)
        conn = self._writer_conn()
        name = write.write_generation(conn, new, index_type=index_type,
                                      hnsw=params if kind == "pghnsw" else None, crash_hook=crash_hook)
        removed = write.prune(conn, keep=self.keep)
        if removed:
            log.info("removed old generations %s", ", ".join(removed))
        return name

    # -- shared

    def embedding_cache(self) -> PgEmbeddingCache:
        return PgEmbeddingCache(self.target)

    def read_doc(self, name: str) -> bytes | None:
        rows = self._query(f"SELECT data FROM {SCHEMA}.documents WHERE name = %s", (name,))
        return bytes(rows[0][0]) if rows else None

    def write_doc(self, name: str, data: bytes) -> None:
        self._query(f"INSERT INTO {SCHEMA}.documents (name, data) VALUES (%s, %s) ON CONFLICT (name) "
                    "DO UPDATE SET data = excluded.data, updated_at = now()", (name, data))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

"""Dense search done by PostgreSQL (index type ``pghnsw``): the vectors stay in the database, each process
keeps only a fixed sample of them (the confidence z-score's corpus distribution).

``top`` over all chunks walks the generation's pgvector HNSW index (approximate; ``ef_search`` candidates
at least); ``top`` among given rows and ``dot`` are exact. Each thread has its own connection, so
concurrent searches do not wait for each other's round trips.
"""

from __future__ import annotations

import threading

import numpy as np

from ...errors import StoreUnavailableError
from ..vectors import PGHNSW_EF_SEARCH
from .connect import PgTarget, explain_failure
from .rows import vector_literal
from .schema import SCHEMA

SAMPLE_SIZE = 8192  # as index.search.dense.CONFIDENCE_SAMPLE: the same sample rows as a FAISS search


class PgVectorSearch:
    """``top``/``dot``/``row_vectors``/``sample``/``ntotal`` over one generation's vectors in PostgreSQL."""

    def __init__(self, target: PgTarget, gid: int, n: int, dim: int, *, ef_search: int = PGHNSW_EF_SEARCH) -> None:
        self.target = target
        self.gid = int(gid)
        self.n = int(n)
        self.dim = int(dim)
        self.ef_search = int(ef_search)
        self._local = threading.local()
        self._conns: list = []
        self._conns_lock = threading.Lock()
        rows = (np.arange(self.n) if self.n <= SAMPLE_SIZE
                else np.sort(np.random.default_rng(0).choice(self.n, SAMPLE_SIZE, replace=False)))
        self.sample = np.ascontiguousarray(self.row_vectors(rows), np.float32)

    @property
    def ntotal(self) -> int:
        return self.n

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._local.conn = self.target.connect()
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    def close(self) -> None:
        with self._conns_lock:
            for c in self._conns:
                c.close()
            self._conns.clear()

    def __del__(self) -> None:
        self.close()

    def _fetch(self, sql: str, params: tuple, *, binary: bool = False, ef: int | None = None) -> list[tuple]:
        """Rows of one query on this thread's connection (``ef``: with that ``hnsw.ef_search``); a dropped
        connection is opened again once, then the failure is one line."""
        import psycopg

        for attempt in (0, 1):
            conn = self._conn()
            try:
                with conn.transaction(), conn.cursor(binary=binary) as cur:
                    if ef is not None:
                        cur.execute("SELECT set_config('hnsw.ef_search', %s, true)", (str(ef),))
                    return cur.execute(sql, params).fetchall()
            except psycopg.OperationalError as exc:
                conn.close()
                if attempt:
                    raise StoreUnavailableError(explain_failure(self.target, exc)) from None
        raise AssertionError("unreachable")

    def row_vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of ``rows`` (in that order) as a float32 matrix."""
        rows = np.asarray(rows, np.int64)
        if not len(rows):
            return np.zeros((0, self.dim), np.float32)
        got = self._fetch(f"SELECT row, embedding FROM {SCHEMA}.vectors WHERE generation = {self.gid} "
                          "AND row = ANY(%s)", (rows.tolist(),), binary=True)
        by_row = {int(r): np.frombuffer(bytes(v), ">f4", offset=4) for r, v in got}
        if len(by_row) != len(set(rows.tolist())):
            raise KeyError("rows missing from the generation's vectors")
        return np.stack([by_row[int(r)] for r in rows]).astype(np.float32)

    def dot(self, rows: np.ndarray, qv: np.ndarray) -> np.ndarray:
        return np.einsum("ij,j->i", self.row_vectors(rows), qv)

    def top(self, qv: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
        """The ``k`` rows most similar to the query, best first, among ``rows`` (None: all, by HNSW)."""
        q = vector_literal(qv)
        if rows is not None:
            if not len(rows):
                return np.zeros(0, np.int64)
            got = self._fetch(f"SELECT row FROM {SCHEMA}.vectors WHERE generation = {self.gid} AND row = ANY(%s) "
                              "ORDER BY embedding <#> %s::vector, row LIMIT %s",
                              (np.asarray(rows).tolist(), q, int(k)))
        else:
            got = self._fetch(f"SELECT row FROM {SCHEMA}.vectors WHERE generation = {self.gid} "
                              f"ORDER BY embedding::vector({self.dim}) <#> %s::vector({self.dim}) LIMIT %s",
                              (q, int(k)), ef=min(1000, max(self.ef_search, k)))  # (pgvector's maximum)
        return np.asarray([r for (r,) in got], np.int64)

"""The embedding cache in PostgreSQL: vectors keyed by (model id, sha256 of the text), shared by every
process and machine of the index, written in one transaction per batch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...durable import fault_point
from ..cache import EmbeddingCache
from .connect import PgTarget
from .schema import SCHEMA

_LOOKUP = 1000  # keys per query


class PgEmbeddingCache:
    """Same behaviour as the SQLite :class:`~index.store.cache.EmbeddingCache`, in table
    ``defnews.embedding_cache``."""

    def __init__(self, target: PgTarget) -> None:
        self._conn = target.connect()

    def get_many(self, model_id: str, texts: Sequence[str], dim: int) -> list[np.ndarray | None]:
        keys = [EmbeddingCache.key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), _LOOKUP):
            part = keys[i : i + _LOOKUP]
            for k, v in self._conn.execute(
                f"SELECT key, vec FROM {SCHEMA}.embedding_cache WHERE model = %s AND key = ANY(%s)",
                (model_id, part),
            ):
                vec = np.frombuffer(bytes(v), dtype=np.float32)
                if vec.shape == (dim,):
                    found[bytes(k)] = vec
        return [found.get(k) for k in keys]

    def put_many(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors in one transaction (all or none survive a crash)."""
        rows = [(model_id, EmbeddingCache.key(t), np.asarray(v, np.float32).tobytes())
                for t, v in zip(texts, vectors, strict=True)]
        with self._conn.transaction(), self._conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {SCHEMA}.embedding_cache (model, key, vec) VALUES (%s, %s, %s) "
                "ON CONFLICT (model, key) DO UPDATE SET vec = excluded.vec", rows)
            fault_point("cache:insert")
        fault_point("cache:commit")

    def close(self) -> None:
        self._conn.close()

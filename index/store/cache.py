"""The embedding cache (``cache.sqlite``), keyed by (model id, text hash) and shared by generations: a
re-ingest embeds only what it has not embedded before with the same model."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..durable import fault_point

log = logging.getLogger(__name__)

# What a damaged cache file raises; anything else (a full disk, a read-only or unwritable folder, a lock)
# is not the file's fault: setting the cache aside would not help, so it is raised.
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # with their extended codes (SQLITE_CORRUPT_INDEX…)


class EmbeddingCache:
    """Vectors keyed by (model id, sha256 of the embedded text), in SQLite with WAL.

    Re-embedding unchanged text costs a lookup. Safe to share between processes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._connect(path)
        except sqlite3.DatabaseError as exc:  # damaged: it is only a cache, so set it aside and start afresh
            if not getattr(exc, "sqlite_errorname", "SQLITE_CORRUPT").startswith(_DAMAGED):
                raise
            aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            log.warning("embedding cache %s is unreadable (%s); moved it to %s and starting a new one",
                        path, exc, aside.name)
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.replace(f"{path}{suffix}", f"{aside}{suffix}")
            self._db = self._connect(path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key BLOB NOT NULL,"
                " vec BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID"
            )
            db.commit()
            db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM vectors LIMIT 1)").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def get_many(self, model_id: str, texts: Sequence[str], dim: int) -> list[np.ndarray | None]:
        keys = [self.key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key, vec FROM vectors WHERE model = ? AND key IN ({','.join('?' * len(part))})"
            for k, v in self._db.execute(q, [model_id, *part]):
                vec = np.frombuffer(v, dtype=np.float32)
                if vec.shape == (dim,):
                    found[bytes(k)] = vec
        return [found.get(k) for k in keys]

    def put_many(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store vectors in one transaction (all or none survive a crash)."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (model, key, vec) VALUES (?, ?, ?)",
                [
                    (model_id, self.key(t), np.asarray(v, np.float32).tobytes())
                    for t, v in zip(texts, vectors, strict=True)
                ],
            )
            fault_point("cache:insert")
        fault_point("cache:commit")

    def close(self) -> None:
        self._db.close()

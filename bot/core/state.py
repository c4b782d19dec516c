"""The bot's own persistent state: asked questions, feedback, counters, timestamps (:class:`StateStore`).

:class:`BotState` keeps it in SQLite (WAL) beside the index folder; with ``DEFNEWS_STORE_URL`` it lives in
PostgreSQL (:mod:`bot.core.pgstate`), shared by every bot process. Blocking; the bot calls these methods through
``asyncio.to_thread``. One connection guarded by a lock, each write in its own transaction, so state survives
restarts and crashes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from index.errors import folder_errors

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    user_id INTEGER,
    origin TEXT NOT NULL,
    question TEXT NOT NULL,
    params TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    query_id INTEGER NOT NULL REFERENCES queries(id),
    user_id INTEGER NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    page_offset INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (query_id, user_id)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uses (name TEXT NOT NULL, key INTEGER NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS uses_by_key ON uses (name, key, at);
"""


@dataclass(frozen=True)
class StoredQuery:
    id: int
    question: str
    user_id: int | None
    origin: str
    params: dict  # since/until (ISO), section, k


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def time_text(value: datetime) -> str:
    """A time as the state stores it (ISO 8601 in UTC); naive times are refused."""
    if value.tzinfo is None:
        raise ValueError("times in the bot state are timezone-aware")
    return value.astimezone(UTC).isoformat()


def parse_time(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    try:
        t = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def digest_key(channel_id: int) -> str:
    return f"digest_last:{channel_id}"


class StateStore(Protocol):
    """What the bot keeps of its own: :class:`BotState` (SQLite) and ``PgBotState`` (PostgreSQL)."""

    shared: bool  # kept for several bot processes (PostgreSQL): per-user limits are counted in it (take_use)

    def close(self) -> None: ...
    def log_query(self, question: str, *, user_id: int | None, origin: str, params: dict) -> int: ...
    def count_served(self, n: int = 1) -> None: ...
    def get_query(self, query_id: int) -> StoredQuery | None: ...
    def record_feedback(self, query_id: int, user_id: int, vote: int, page_offset: int = 0) -> bool: ...
    def feedback_counts(self) -> dict[str, int]: ...
    def feedback_rows(self, limit: int = 100) -> list[dict]: ...
    def counter(self, name: str) -> int: ...
    def get_text(self, key: str) -> str | None: ...
    def set_text(self, key: str, value: str) -> None: ...
    def get_time(self, key: str) -> datetime | None: ...
    def set_time(self, key: str, value: datetime) -> None: ...
    def digest_last(self, channel_id: int) -> datetime | None: ...
    def set_digest_last(self, channel_id: int, when: datetime) -> None: ...
    def claim_digest(self, channel_id: int, expected: datetime | None, new: datetime) -> bool: ...
    def take_use(self, name: str, key: int, rate: int, per: float) -> float: ...


class TimesInText:
    """Times kept as text under a key (``get_text``/``set_text`` of the state that mixes this in)."""

    def get_text(self, key: str) -> str | None:  # pragma: no cover - the state's own
        raise NotImplementedError

    def set_text(self, key: str, value: str) -> None:  # pragma: no cover - the state's own
        raise NotImplementedError

    def get_time(self, key: str) -> datetime | None:
        return parse_time(self.get_text(key))

    def set_time(self, key: str, value: datetime) -> None:
        self.set_text(key, time_text(value))

    def digest_last(self, channel_id: int) -> datetime | None:
        return self.get_time(digest_key(channel_id))

    def set_digest_last(self, channel_id: int, when: datetime) -> None:
        self.set_time(digest_key(channel_id), when)


class BotState(TimesInText):
    shared = False  # one process: per-user limits stay in its memory (bot.core.permissions.Cooldown)

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        with folder_errors(self.path.parent):  # it lives in the index folder: one line if that is unwritable
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30, check_same_thread=False)
            self._setup()

    def _setup(self) -> None:
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._db:
                self._db.executescript(_SCHEMA)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ questions and feedback

    def log_query(self, question: str, *, user_id: int | None, origin: str, params: dict) -> int:
        """Remember a question (for paging buttons and feedback) and count it as served. Returns its id."""
        with self._lock, self._db:
            cur = self._db.execute(
                "INSERT INTO queries (created_at, user_id, origin, question, params) VALUES (?, ?, ?, ?, ?)",
                (_now(), user_id, origin, question, json.dumps(params, ensure_ascii=False)),
            )
            self._bump("queries_served", 1)
            return int(cur.lastrowid)

    def count_served(self, n: int = 1) -> None:
        """Count further pages served (the "More results" button)."""
        with self._lock, self._db:
            self._bump("pages_served", n)

    def get_query(self, query_id: int) -> StoredQuery | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, question, user_id, origin, params FROM queries WHERE id = ?", (query_id,)
            ).fetchone()
        if row is None:
            return None
        return StoredQuery(row[0], row[1], row[2], row[3], json.loads(row[4]))

    def record_feedback(self, query_id: int, user_id: int, vote: int, page_offset: int = 0) -> bool:
        """Store (or change) one user's vote on an answer. False if the question is unknown."""
        if vote not in (-1, 1):
            raise ValueError("vote must be -1 or 1")
        with self._lock, self._db:
            if self._db.execute("SELECT 1 FROM queries WHERE id = ?", (query_id,)).fetchone() is None:
                return False
            self._db.execute(
                "INSERT INTO feedback (query_id, user_id, vote, page_offset, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (query_id, user_id) DO UPDATE SET vote = excluded.vote, "
                "page_offset = excluded.page_offset, created_at = excluded.created_at",
                (query_id, user_id, vote, page_offset, _now()),
            )
            return True

    def feedback_counts(self) -> dict[str, int]:
        with self._lock:
            rows = dict(self._db.execute("SELECT vote, COUNT(*) FROM feedback GROUP BY vote").fetchall())
        return {"up": rows.get(1, 0), "down": rows.get(-1, 0)}

    def feedback_rows(self, limit: int = 100) -> list[dict]:
        """Latest feedback with its question, for maintainers."""
        with self._lock:
            rows = self._db.execute(
                "SELECT f.created_at, f.vote, f.page_offset, q.question, q.params, f.user_id FROM feedback f "
                "JOIN queries q ON q.id = f.query_id ORDER BY f.created_at DESC LIMIT ?", (limit,)
            ).fetchall()
        return [
            {"at": r[0], "vote": r[1], "offset": r[2], "question": r[3], "params": json.loads(r[4]), "user_id": r[5]}
            for r in rows
        ]

    # ------------------------------------------------------------------ counters and times

    def _bump(self, name: str, n: int) -> None:
        self._db.execute(
            "INSERT INTO counters (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            (name, n),
        )

    def counter(self, name: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def get_text(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_text(self, key: str, value: str) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def claim_digest(self, channel_id: int, expected: datetime | None, new: datetime) -> bool:
        """Move the channel's last digest time from ``expected`` (None: never set) to ``new`` if it still is
        ``expected``; True for the one caller that did. (Two processes racing for a slot: one posts.)"""
        key, value = digest_key(channel_id), time_text(new)
        with self._lock, self._db:
            if expected is None:
                cur = self._db.execute("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                                       (key, value))
            else:
                cur = self._db.execute("UPDATE kv SET value = ? WHERE key = ? AND value = ?",
                                       (value, key, time_text(expected)))
            return cur.rowcount == 1

    def take_use(self, name: str, key: int, rate: int, per: float) -> float:
        """One use of ``name`` by ``key`` if fewer than ``rate`` were made in the last ``per`` seconds: 0.0
        (counted), else the seconds until one is free (not counted). The bot keeps its /ask cooldown in
        memory with this state (``shared`` is False: one process); this is the same count kept in the file,
        for tools that share it."""
        if per <= 0:
            return 0.0
        now = time.time()
        with self._lock, self._db:
            self._db.execute("DELETE FROM uses WHERE name = ? AND key = ? AND at <= ?", (name, key, now - per))
            n, first = self._db.execute("SELECT COUNT(*), MIN(at) FROM uses WHERE name = ? AND key = ?",
                                        (name, key)).fetchone()
            if n >= rate:
                return max(first + per - now, 0.001)
            self._db.execute("INSERT INTO uses (name, key, at) VALUES (?, ?, ?)", (name, key, now))
        return 0.0

"""The bot's own state in PostgreSQL (schema ``defnews_bot``), shared by every bot process of one bot.

Used when ``DEFNEWS_STORE_URL`` names the database of the index: the questions asked (for the buttons under
answers, whichever process gets the click), feedback, counters and the digest's last-posted time. The
scheduled digest's slot is claimed with one conditional UPDATE, so processes racing for it post it once.
Same interface as :class:`bot.core.state.BotState`; blocking, called through ``asyncio.to_thread``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from index.errors import ConfigError

from .state import StoredQuery, TimesInText, digest_key, time_text

log = logging.getLogger(__name__)

SCHEMA = "defnews_bot"
SCHEMA_VERSION = 1
_SETUP_LOCK = 0x6465666E65777362  # pg_advisory_xact_lock key: one process creates the tables at a time
_TABLES = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.info (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.queries (
    id bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    user_id bigint,
    origin text NOT NULL,
    question text NOT NULL,
    params jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.feedback (
    query_id bigint NOT NULL REFERENCES {SCHEMA}.queries(id),
    user_id bigint NOT NULL,
    vote smallint NOT NULL CHECK (vote IN (-1, 1)),
    page_offset integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (query_id, user_id)
);
CREATE TABLE IF NOT EXISTS {SCHEMA}.counters (name text PRIMARY KEY, value bigint NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.kv (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.uses (name text NOT NULL, key bigint NOT NULL, at timestamptz NOT NULL);
CREATE INDEX IF NOT EXISTS uses_by_key ON {SCHEMA}.uses (name, key, at);
"""


class PgBotState(TimesInText):
    shared = True  # several bot processes keep their limits here (the /ask cooldown holds across them)

    """The bot state in the database ``connect()`` opens (``index.service.connect_database`` of the URL).

    One connection guarded by a lock; a connection the server dropped is replaced at the next call.
    """

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._db = connect()
        self._setup()

    def _setup(self) -> None:
        with self._lock, self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
            self._db.execute(_TABLES)
            row = self._db.execute(f"SELECT version FROM {SCHEMA}.info").fetchone()
            if row is None:
                self._db.execute(f"INSERT INTO {SCHEMA}.info (version) VALUES (%s)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise ConfigError(
                    f"the bot state in schema {SCHEMA!r} of the DEFNEWS_STORE_URL database has version {row[0]}, "
                    f"this defnews uses {SCHEMA_VERSION}; run the matching defnews, or DROP SCHEMA {SCHEMA} "
                    "CASCADE there to start afresh")

    def _conn(self):
        """The live connection (a new one if the server closed the old); call with the lock held."""
        if self._db.closed or self._db.broken:
            log.warning("the bot state's database connection was lost; reconnecting")
            self._db = self._connect()
        return self._db

    def _one(self, sql: str, args: tuple = ()) -> tuple | None:
        with self._lock:
            return self._conn().execute(sql, args).fetchone()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ------------------------------------------------------------------ questions and feedback

    def log_query(self, question: str, *, user_id: int | None, origin: str, params: dict) -> int:
        """Remember a question (for paging buttons and feedback) and count it as served. Returns its id."""
        with self._lock:
            db = self._conn()
            with db.transaction():
                row = db.execute(
                    f"INSERT INTO {SCHEMA}.queries (user_id, origin, question, params) "
                    "VALUES (%s, %s, %s, %s::jsonb) RETURNING id",
                    (user_id, origin, question, json.dumps(params, ensure_ascii=False)),
                ).fetchone()
                self._bump(db, "queries_served", 1)
        return int(row[0])

    def count_served(self, n: int = 1) -> None:
        with self._lock:
            self._bump(self._conn(), "pages_served", n)

    def get_query(self, query_id: int) -> StoredQuery | None:
        row = self._one(f"SELECT id, question, user_id, origin, params FROM {SCHEMA}.queries WHERE id = %s",
                        (query_id,))
        return None if row is None else StoredQuery(int(row[0]), row[1], row[2], row[3], row[4])

    def record_feedback(self, query_id: int, user_id: int, vote: int, page_offset: int = 0) -> bool:
        """Store (or change) one user's vote on an answer. False if the question is unknown."""
        if vote not in (-1, 1):
            raise ValueError("vote must be -1 or 1")
        row = self._one(
            f"INSERT INTO {SCHEMA}.feedback (query_id, user_id, vote, page_offset) "
            f"SELECT id, %s, %s, %s FROM {SCHEMA}.queries WHERE id = %s "
            "ON CONFLICT (query_id, user_id) DO UPDATE SET vote = excluded.vote, "
            "page_offset = excluded.page_offset, created_at = now() RETURNING 1",
            (user_id, vote, page_offset, query_id),
        )
        return row is not None

    def feedback_counts(self) -> dict[str, int]:
        with self._lock:
            rows = dict(self._conn().execute(f"SELECT vote, COUNT(*) FROM {SCHEMA}.feedback GROUP BY vote")
                        .fetchall())
        return {"up": int(rows.get(1, 0)), "down": int(rows.get(-1, 0))}

    def feedback_rows(self, limit: int = 100) -> list[dict]:
        """Latest feedback with its question, for maintainers."""
        with self._lock:
            rows = self._conn().execute(
                f"SELECT f.created_at, f.vote, f.page_offset, q.question, q.params, f.user_id "
                f"FROM {SCHEMA}.feedback f JOIN {SCHEMA}.queries q ON q.id = f.query_id "
                "ORDER BY f.created_at DESC LIMIT %s", (limit,)
            ).fetchall()
        return [
            {"at": r[0].astimezone(UTC).isoformat(timespec="seconds"), "vote": r[1], "offset": r[2],
             "question": r[3], "params": r[4], "user_id": r[5]}
            for r in rows
        ]

    # ------------------------------------------------------------------ counters and times

    @staticmethod
    def _bump(db, name: str, n: int) -> None:
        db.execute(
            f"INSERT INTO {SCHEMA}.counters (name, value) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value",
            (name, n),
        )

    def counter(self, name: str) -> int:
        row = self._one(f"SELECT value FROM {SCHEMA}.counters WHERE name = %s", (name,))
        return int(row[0]) if row else 0

    def get_text(self, key: str) -> str | None:
        row = self._one(f"SELECT value FROM {SCHEMA}.kv WHERE key = %s", (key,))
        return row[0] if row else None

    def set_text(self, key: str, value: str) -> None:
        self._one(f"INSERT INTO {SCHEMA}.kv (key, value) VALUES (%s, %s) "
                  "ON CONFLICT (key) DO UPDATE SET value = excluded.value RETURNING 1", (key, value))

    def claim_digest(self, channel_id: int, expected: datetime | None, new: datetime) -> bool:
        """Move the channel's last digest time from ``expected`` (None: never set) to ``new`` if it still is
        ``expected``; True for the one process that did (the row lock orders racing UPDATEs, and the loser
        sees the winner's value and matches nothing)."""
        key, value = digest_key(channel_id), time_text(new)
        if expected is None:
            row = self._one(f"INSERT INTO {SCHEMA}.kv (key, value) VALUES (%s, %s) "
                            "ON CONFLICT (key) DO NOTHING RETURNING 1", (key, value))
        else:
            row = self._one(f"UPDATE {SCHEMA}.kv SET value = %s WHERE key = %s AND value = %s RETURNING 1",
                            (value, key, time_text(expected)))
        return row is not None

    # ------------------------------------------------------------------ rate limits

    def take_use(self, name: str, key: int, rate: int, per: float) -> float:
        """One use of ``name`` by ``key`` (a user) if fewer than ``rate`` were made in the last ``per``
        seconds, by any process: 0.0 (the use counted), else the seconds until one is free (not counted).
        One transaction, serialised per (name, key) by an advisory lock, so racing processes count right."""
        if per <= 0:
            return 0.0
        with self._lock:
            db = self._conn()
            with db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, %s))", (name, key))
                db.execute(f"DELETE FROM {SCHEMA}.uses WHERE name = %s AND key = %s "
                           "AND at <= now() - make_interval(secs => %s)", (name, key, per))
                n, wait = db.execute(
                    f"SELECT count(*), EXTRACT(EPOCH FROM min(at) + make_interval(secs => %s) - now()) "
                    f"FROM {SCHEMA}.uses WHERE name = %s AND key = %s", (per, name, key)).fetchone()
                if n >= rate:
                    return max(float(wait or 0.0), 0.001)
                db.execute(f"INSERT INTO {SCHEMA}.uses (name, key, at) VALUES (%s, %s, now())", (name, key))
        return 0.0

"""The tables of the index in PostgreSQL (schema ``defnews``), their version, the ``vector`` extension,
and the advisory locks that order writers and readers.

Every table of generation data carries the generation's id; a generation is written whole in one
transaction and made live in the same one (``live`` names it), so a reader that starts from ``live`` and
reads by that id sees one complete generation. Nothing is pickled: text, JSON text and raw float32.

The text columns are those of the SQLite ``meta.sqlite`` (same encodings: ISO dates, JSON lists), so the
same row readers serve both stores.
"""

from __future__ import annotations

import logging

from ...errors import IndexMismatchError, StoreUnavailableError
from .connect import SETTING, PgTarget

log = logging.getLogger(__name__)

SCHEMA = "defnews"
PG_SCHEMA_VERSION = 1

# advisory lock keys: (namespace, key); the namespace is "dnws" as an int32
LOCK_NS = 0x646E7773
WRITER_KEY = 1  # (LOCK_NS, WRITER_KEY): the one writer, held for a whole ingest
SETUP_KEY = 2  # (LOCK_NS, SETUP_KEY): creating the tables, once
GEN_LOCK_NS = LOCK_NS + 1  # (GEN_LOCK_NS, generation id): shared by readers of that generation

TABLES = ("info", "generations", "live", "articles", "chunks", "vectors", "blobs", "documents",
          "embedding_cache")

DDL = f"""
CREATE TABLE {SCHEMA}.info (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {SCHEMA}.generations (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    manifest text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {SCHEMA}.live (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    generation integer NOT NULL REFERENCES {SCHEMA}.generations(id)
);
CREATE TABLE {SCHEMA}.articles (
    generation integer NOT NULL, id text NOT NULL, url text NOT NULL, title text NOT NULL,
    published text NOT NULL, section text NOT NULL, source text NOT NULL, body text NOT NULL,
    content_hash text NOT NULL, body_hash text NOT NULL, alt_urls text NOT NULL,
    PRIMARY KEY (generation, id)
);
CREATE TABLE {SCHEMA}.chunks (
    generation integer NOT NULL, row integer NOT NULL, article_id text NOT NULL, ordinal integer NOT NULL,
    start integer NOT NULL, "end" integer NOT NULL, text text NOT NULL, dates text NOT NULL,
    PRIMARY KEY (generation, row)
);
CREATE TABLE {SCHEMA}.vectors (
    generation integer NOT NULL, row integer NOT NULL, embedding vector NOT NULL,
    PRIMARY KEY (generation, row)
);
CREATE TABLE {SCHEMA}.blobs (
    generation integer NOT NULL, name text NOT NULL, data bytea NOT NULL,
    PRIMARY KEY (generation, name)
);
CREATE TABLE {SCHEMA}.documents (
    name text PRIMARY KEY, data bytea NOT NULL, updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {SCHEMA}.embedding_cache (
    model text NOT NULL, key bytea NOT NULL, vec bytea NOT NULL, PRIMARY KEY (model, key)
);
INSERT INTO {SCHEMA}.info (key, value) VALUES ('schema_version', '{PG_SCHEMA_VERSION}');
"""


def ensure_schema(conn, target: PgTarget) -> None:
    """Check (and on first use create) the extension and the tables; one clear error for each way the
    database does not fit. ``conn`` is in autocommit mode."""
    import psycopg

    _ensure_vector(conn, target)
    version = _schema_version(conn, target)
    if version is None:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NS, SETUP_KEY))
                if _schema_version(conn, target) is None:  # (another process may have made it meanwhile)
                    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                    conn.execute(DDL)
                    log.info("created the defnews tables in %s", target.location)
        except psycopg.errors.InsufficientPrivilege:
            raise StoreUnavailableError(
                f"user {target.user!r} may not create the defnews tables in database {target.dbname!r} at "
                f"{target.location}; grant it (GRANT CREATE ON DATABASE {target.dbname} TO {target.user}) "
                f"or point {SETTING} at a database it owns"
            ) from None
        version = _schema_version(conn, target)
    if version != PG_SCHEMA_VERSION:
        raise IndexMismatchError(
            f"the database {target.dbname!r} at {target.location} holds a defnews index of schema version "
            f"{version}, this defnews uses version {PG_SCHEMA_VERSION}; run the matching defnews, or point "
            f"{SETTING} at another database (or DROP SCHEMA {SCHEMA} CASCADE there to start afresh)"
        )


def _schema_version(conn, target: PgTarget) -> int | None:
    """The version recorded in ``defnews.info``; None when there is no schema ``defnews`` at all."""
    (has_schema,) = conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", (SCHEMA,)).fetchone()
    if not has_schema:
        return None
    row = conn.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = 'info'", (SCHEMA,)
    ).fetchone()
    if not row[0]:
        raise IndexMismatchError(
            f"the database {target.dbname!r} at {target.location} has a schema {SCHEMA!r} that defnews did "
            f"not write; point {SETTING} at another database, or drop or rename that schema"
        )
    got = conn.execute(f"SELECT value FROM {SCHEMA}.info WHERE key = 'schema_version'").fetchone()
    try:
        return int(got[0]) if got else -1
    except ValueError:
        return -1


def _ensure_vector(conn, target: PgTarget) -> None:
    import psycopg

    if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone():
        raise StoreUnavailableError(
            f"the PostgreSQL server at {target.location} does not have pgvector installed; install it on the "
            f"server (Debian: apt install postgresql-<version>-pgvector) or point {SETTING} at one that has it"
        )
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.errors.InsufficientPrivilege:
        raise StoreUnavailableError(
            f"database {target.dbname!r} at {target.location} has no `vector` extension and user "
            f"{target.user!r} may not create it; run `CREATE EXTENSION vector;` in that database as a "
            f"superuser, or point {SETTING} at a database that has it"
        ) from None
    log.info("created the vector extension in %s", target.location)

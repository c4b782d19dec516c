"""Bad input for the PostgreSQL store: each way the database does not fit is one line that names
DEFNEWS_STORE_URL and the fix; the password is never shown (errors, logs, stats)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from index.embedding.fake import HashEmbedder
from index.errors import ConfigError, IndexMismatchError, StoreUnavailableError
from index.ingest.indexer import Indexer
from index.service import IndexService
from index.sources.config import SourcesConfig
from index.store.open import open_store
from index.store.postgres.store import PostgresStore

from .corpus import corpus

SECRET = "s3cret-Pa55"
ROOT = Path(__file__).resolve().parents[4]


def _one_line(message: str) -> str:
    assert "\n" not in message and SECRET not in message and "DEFNEWS_STORE_URL" in message
    return message


@pytest.fixture(scope="session")
def pw_role(pg_server) -> str:
    """A role that must give its password (scram) and owns a database with the vector extension."""
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE pwuser LOGIN PASSWORD '{SECRET}'")
        (hba,) = conn.execute("SHOW hba_file").fetchone()
        path = Path(hba)
        path.write_text("local all pwuser scram-sha-256\n" + path.read_text())
        conn.execute("SELECT pg_reload_conf()")
    url = pg_server.create_database("pwdb", owner="pwuser")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION vector")
    return "pwdb"


def test_unreachable_database():
    with pytest.raises(StoreUnavailableError) as err:
        PostgresStore(f"postgresql://someone:{SECRET}@127.0.0.1:1/defnews?connect_timeout=2")
    msg = _one_line(str(err.value))
    assert msg.startswith("cannot reach the database at postgresql://someone@127.0.0.1:1/defnews (")
    assert "check the host and port" in msg


def test_wrong_password(pg_server, pw_role):
    with pytest.raises(StoreUnavailableError) as err:
        PostgresStore(pg_server.url(pw_role, user="pwuser", password="wrong-" + SECRET))
    msg = _one_line(str(err.value))
    assert "refused user 'pwuser' (password authentication failed" in msg
    assert "set the right user and password" in msg


def test_missing_database(pg_server):
    with pytest.raises(StoreUnavailableError) as err:
        PostgresStore(pg_server.url("nosuchdb", password=SECRET))
    assert "there is no database 'nosuchdb'" in _one_line(str(err.value))


def test_no_vector_extension_and_no_right_to_create_it(pg_server):
    with psycopg.connect(pg_server.admin_url, autocommit=True) as conn:
        conn.execute("CREATE ROLE plainuser LOGIN")
    pg_server.create_database("noext", owner="plainuser")
    with pytest.raises(StoreUnavailableError) as err:
        PostgresStore(pg_server.url("noext", user="plainuser"))
    msg = _one_line(str(err.value))
    assert "has no `vector` extension and user 'plainuser' may not create it" in msg
    assert "run `CREATE EXTENSION vector;` in that database as a superuser" in msg


def test_schema_of_another_version(pg_url):
    PostgresStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE defnews.info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(IndexMismatchError) as err:
        PostgresStore(pg_url)
    msg = _one_line(str(err.value))
    assert "schema version 99, this defnews uses version 1" in msg


def test_foreign_schema_named_defnews(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA defnews")
        conn.execute("CREATE TABLE defnews.other (x int)")
    with pytest.raises(IndexMismatchError) as err:
        PostgresStore(pg_url)
    assert "that defnews did not write" in _one_line(str(err.value))


def test_malformed_url_does_not_echo_it(tmp_path):
    with pytest.raises(ConfigError) as err:
        open_store(f"postgresql://u:{SECRET}@host:5432/db?no_such_option=1", tmp_path)
    _one_line(str(err.value))
    with pytest.raises(ConfigError, match="must be a postgresql://"):
        open_store(f"mysql://u:{SECRET}@host/db", tmp_path)


def test_password_never_in_stats_or_logs(pg_server, pw_role, caplog):
    url = pg_server.url(pw_role, user="pwuser", password=SECRET)
    caplog.set_level(logging.DEBUG)
    store = PostgresStore(url)
    assert SECRET not in repr(store) and SECRET not in repr(store.target)
    Indexer(store, HashEmbedder(64)).ingest(corpus("https://a.example", 3))
    service = IndexService(store, HashEmbedder(64), SourcesConfig(sources=()))
    stats = service.stats()
    assert stats["store"] == "postgres" and stats["index_dir"] == store.location
    assert SECRET not in json.dumps(stats) and SECRET not in str(service.index_dir)
    assert SECRET not in caplog.text


def test_cli_prints_one_line_without_traceback(pg_server, pw_role, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEFNEWS_INDEX_DIR": str(tmp_path / "i"),
           "DEFNEWS_EMBEDDER": "hash",
           "DEFNEWS_STORE_URL": pg_server.url(pw_role, user="pwuser", password="bad" + SECRET)}
    out = subprocess.run([sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main(['stats']))"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    lines = [ln for ln in out.stderr.splitlines() if ln.strip() and "Warning" not in ln and "return Path" not in ln]
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("defnews: error: the database at postgresql://pwuser@/pwdb") and SECRET not in out.stderr

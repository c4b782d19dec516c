"""Choosing the store: a PostgreSQL URL (``DEFNEWS_STORE_URL``) selects :mod:`.postgres`, nothing selects
the index folder (FAISS + SQLite) exactly as before."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .files import FileStore
from .protocol import IndexStore


def open_store(url: str | None, index_dir: Path) -> IndexStore:
    """The store named by ``url`` (None or empty: the folder ``index_dir``)."""
    if not url or not url.strip():
        return FileStore(Path(index_dir))
    if not url.strip().lower().startswith(("postgresql://", "postgres://")):
        raise ConfigError("DEFNEWS_STORE_URL must be a postgresql:// URL (unset: the index folder)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise ConfigError(
            "DEFNEWS_STORE_URL names PostgreSQL, but psycopg is not installed: "
            "pip install 'defnews-bot[postgres]'"
        ) from None
    from .postgres.store import PostgresStore

    return PostgresStore(url)

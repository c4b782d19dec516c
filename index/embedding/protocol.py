"""The Embedder protocol: what the index needs from an embedding model.

All embedders return float32 L2-normalised vectors, so inner product is cosine similarity. Models are
loaded lazily on first use (``warm_up``), never at import or construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding model."""

    @property
    def model_id(self) -> str:
        """Identifies model and its settings; an index built with another model_id is refused."""
        ...

    @property
    def dim(self) -> int: ...

    def warm_up(self) -> None:
        """Load the model now (otherwise on first use)."""

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, normalised."""
        ...


@dataclass(frozen=True)
class EmbedderSpec:
    """How to build an embedder again in another process (``factory.build_embedder``): plain data that
    ``multiprocessing`` can hand to a worker, never the loaded model. Embedders that can run in ingest
    workers offer it as ``spec()``."""

    backend: str
    model: str = ""
    query_prompt: str = ""
    passage_prompt: str = ""
    batch_size: int = 32
    threads: int = 0
    cache_dir: str | None = None

    def with_threads(self, threads: int) -> EmbedderSpec:
        return replace(self, threads=threads)


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms

"""The Embedder protocol: what the index needs from an embedding model.

All embedders return float32 L2-normalised vectors, so inner product is cosine similarity. Models are
loaded lazily on first use (``warm_up``), never at import or construction.
"""

from __future__ import annotations

from collections.abc import Sequence
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



def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms

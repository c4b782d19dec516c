"""``hash``: a deterministic character n-gram hashing embedder. It needs no model and really does match
texts that share characters, so it is an honest fake for tests (not for production)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from ..errors import ConfigError
from .protocol import EmbedderSpec, normalise


class HashEmbedder:
    """Deterministic character 1-3-gram feature hashing. No model; for tests and offline fallbacks."""

    def __init__(self, dim: int = 256) -> None:
        if not 16 <= dim <= 4096:
            raise ConfigError("hash embedder dimension must be between 16 and 4096")
        self._dim = dim

    @property
    def model_id(self) -> str:
        return f"hash:char-ngram-v1:{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def warm_up(self) -> None:
        return None

    def spec(self) -> EmbedderSpec:
        return EmbedderSpec("hash", str(self._dim))

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self._dim, np.float32)
        text = text.lower()
        for n in (1, 2, 3):
            for i in range(len(text) - n + 1):
                gram = text[i : i + n]
                if gram.isspace():
                    continue
                h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
                v[h % self._dim] += (1.0 if (h >> 63) & 1 else -1.0) * n
        return v

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), np.float32)
        return normalise(np.vstack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return normalise(self._vector(text))

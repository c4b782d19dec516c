"""``sentence-transformers``: any model name or local folder, with query/passage prompts (e.g. "query: " /
"passage: " for e5 models). Loaded lazily; a model that is neither a folder nor cached fails with one line."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence

import numpy as np

from ..errors import ConfigError
from .protocol import normalise

log = logging.getLogger(__name__)


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
        return normalise(vecs)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._encode([self.passage_prompt + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        self.warm_up()
        return self._encode([self.query_prompt + text])[0]

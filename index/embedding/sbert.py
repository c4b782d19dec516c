"""``sentence-transformers``: any model name or local folder, with query/passage prompts (e.g. "query: " /
"passage: " for e5 models). Loaded lazily; a model that is neither a folder nor cached fails with one line.

Loading never waits on an unreachable hub: a folder or a cached model is loaded without the network; a
model that is not cached is downloaded only when the hub answers a quick probe, and with ``HF_HUB_OFFLINE``
set (or no answer) it fails at once, instead of after minutes of retries and their warnings.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .protocol import EmbedderSpec, normalise

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

    def spec(self) -> EmbedderSpec:
        return EmbedderSpec("sentence-transformers", self.model_name, query_prompt=self.query_prompt,
                            passage_prompt=self.passage_prompt, batch_size=self.batch_size)

    def warm_up(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            model = self._load()
            get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dim = int(get_dim())
            self._model = model
            log.info("loaded sentence-transformers model %s (dim %d)", self.model_name, self._dim)

    def _load(self):
        from sentence_transformers import SentenceTransformer

        name = self.model_name
        folder = Path(name).expanduser()
        if folder.is_dir():
            return self._construct(SentenceTransformer, str(folder), local_files_only=True)
        if name.startswith(("/", "./", "../", "~")):
            raise ConfigError(f"sentence-transformers model folder {name} does not exist")
        try:  # from the local Hugging Face cache: no network
            return SentenceTransformer(name, device=self.device, local_files_only=True)
        except Exception as exc:  # not cached (the library raises OSError, ValueError... by version)
            log.debug("%s is not in the local cache: %s", name, exc)
        if hub_offline():
            raise ConfigError(
                f"sentence-transformers model {name!r} is not in the local Hugging Face cache and HF_HUB_OFFLINE "
                "is set: download it once with network access, or set DEFNEWS_MODEL to a model folder")
        problem = hub_unreachable()
        if problem:
            raise ConfigError(
                f"sentence-transformers model {name!r} is not in the local Hugging Face cache and the hub cannot "
                f"be reached ({problem}): download it once with network access, or set DEFNEWS_MODEL to a model "
                "folder")
        return self._construct(SentenceTransformer, name)

    def _construct(self, cls, name: str, **kw):
        try:
            return cls(name, device=self.device, **kw)
        except Exception as exc:
            raise ConfigError(
                f"cannot load sentence-transformers model {self.model_name!r}: {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}"
            ) from exc

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


_TRUE = ("1", "ON", "YES", "TRUE")


def hub_offline() -> bool:
    """True when the Hugging Face libraries are told to stay offline (``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE``)."""
    return any(os.environ.get(v, "").strip().upper() in _TRUE for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def hub_unreachable(timeout: float = 5.0) -> str:
    """Why the Hugging Face hub (``HF_ENDPOINT``) cannot be reached now, or "" when it answers: one quick
    request, no retries (proxies from the environment apply)."""
    import httpx

    endpoint = os.environ.get("HF_ENDPOINT", "").rstrip("/") or "https://huggingface.co"
    try:
        httpx.head(endpoint, timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        return f"{endpoint}: {(str(exc).splitlines() or [''])[0] or type(exc).__name__}"
    return ""

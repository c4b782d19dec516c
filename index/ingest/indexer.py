"""Ingest: articles -> chunks (with dates) -> embeddings (cached) -> a new index generation.

Incremental by default: unchanged articles keep their chunks and their vectors come from the embedding
cache, so re-ingesting an unchanged corpus does no embedding work and writes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from ..embedding.protocol import Embedder
from ..errors import IndexCorruptError
from ..models import Article, Chunk
from ..sources.formats import Rejection
from ..store.english import english_file, stored_english
from ..store.events import events_file_of
from ..store.files import as_store
from ..store.headlines import headlines_file
from ..store.keyword_files import KEYWORD_FILE
from ..store.protocol import IndexStore, NewGeneration
from ..text.chunking import ChunkerConfig, chunk_article
from .merge import merge_batch
from .pipeline import IngestPipeline
from .report import IngestReport
from .spool import VectorSpool
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

    def _existing(self, full: bool) -> tuple[dict[str, Article], dict[str, dict]]:
        """The live generation's articles by URL and its stored English (empty for a full rebuild)."""
        if full or self.store.live_id() is None:
            return {}, {}
        gen = self.store.open_live(model_id=self.embedder.model_id)
        try:
            return {a.url: a for a in gen.articles()}, stored_english(gen)
        finally:
            gen.close()

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
        """Add or update ``articles``; with ``full`` start from an empty index; ``prune(article)`` -> drop it."""
        t0 = time.perf_counter()
        report = IngestReport(rejected=list(rejected))
        progress = progress or (lambda stage, done, total: None)
        with self.store.writer():
            self.store.remove_leftovers()  # of a crashed earlier run
            had_index = self._live(full) is not None
            existing, previous_english = self._existing(full)
            merged, changed = merge_batch(existing, articles, report)
            if prune is not None:
                for url in [u for u, a in merged.items() if u not in changed and prune(a)]:
                    del merged[url]
                    report.removed += 1
            report.articles_total = len(merged)
            if had_index and not full and not changed and not report.removed:
                report.generation = self.store.live_id() or ""
                report.chunks_total = self._chunk_count()
                report.seconds = time.perf_counter() - t0
                return report
            ordered = sorted(merged.values(), key=lambda a: (a.published, a.url))
            unchanged = {a.id for u, a in merged.items() if u not in changed}
            meta = {
                "last_reindex": datetime.now(UTC).isoformat(timespec="seconds"),
                "chunker": {"max_chars": self.chunker.max_chars, "min_chars": self.chunker.min_chars},
                **(info or {}),
            }
            self._build_and_write(ordered, unchanged, previous_english, meta, report, progress)
            progress("write", 1, 1)
            report.wrote = True
        report.seconds = time.perf_counter() - t0
        log.info("ingest: %s", {k: v for k, v in report.as_dict().items() if k != "rejections"})
        return report

    def _build_and_write(self, ordered: list[Article], unchanged: set[str], previous_english: dict[str, dict],
                         meta: dict, report: IngestReport, progress: Progress) -> None:
        """Chunks, dates, vectors (through the cache), keyword index, English, events -> a new generation."""
        plan: list[list[Chunk] | None] = [chunk_article(a, self.chunker) for a in ordered]
        rows = sum(len(p) for p in plan if p)
        with VectorSpool(rows, self.embedder.dim, getattr(self.store, "index_dir", None)) as spool, \
                EmbedStage(self.embedder, self.workers) as stage:
            cache = self.store.embedding_cache()
            try:
                built = IngestPipeline(stage, cache, spool, batch_size=self.batch_size, progress=progress,
                                       previous_english=previous_english, unchanged=unchanged).run(ordered, plan)
            finally:
                cache.close()
            report.chunks_embedded, report.chunks_total = built.embedded, len(built.chunks)
            progress("write", 0, 1)
            # the keyword index, the headlines' dates, the English and the events are built here, once:
            # loading a generation reads them; what they were made from is let go before FAISS is built
            extra = dict([(KEYWORD_FILE, built.keywords.to_bytes()), headlines_file(ordered),
                          english_file(built.english), events_file_of(built.events)])
            built.keywords, built.english, built.events = None, {}, []
            report.generation = self.store.write_generation(
                NewGeneration(articles=ordered, chunks=built.chunks, vectors=spool.array(),
                              model_id=self.embedder.model_id, info=meta, extra_files=extra),
                index_type=self.index_type,
                crash_hook=self.crash_hook,
            )

    def _chunk_count(self) -> int:
        gen = self.store.open_live(model_id=self.embedder.model_id)
        try:
            return gen.manifest.chunks
        finally:
            gen.close()

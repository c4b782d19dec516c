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
from ..models import Article
from ..sources.formats import Rejection
from ..store.english import english_file, render_articles, stored_english
from ..store.events import events_file
from ..store.files import as_store
from ..store.headlines import headlines_file
from ..store.keyword import keyword_index_file
from ..store.protocol import IndexStore, NewGeneration
from ..text.chunking import ChunkerConfig
from .chunks import chunk_all
from .embed import embed_cached
from .merge import merge_batch
from .report import IngestReport

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total); stages: "chunk", "embed", "write"


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
        crash_hook=None,
    ) -> None:
        self.store = as_store(target)
        self.embedder = embedder
        self.chunker = chunker or ChunkerConfig()
        self.index_type = index_type
        self.batch_size = batch_size
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
            chunks, texts = chunk_all(ordered, self.chunker, progress)
            vectors, report.chunks_embedded = embed_cached(
                self.embedder, texts, self.store.embedding_cache(), self.batch_size, progress)
            report.chunks_total = len(chunks)
            meta = {
                "last_reindex": datetime.now(UTC).isoformat(timespec="seconds"),
                "chunker": {"max_chars": self.chunker.max_chars, "min_chars": self.chunker.min_chars},
                **(info or {}),
            }
            # the English of unchanged articles comes from the live generation; the others are rendered
            english = render_articles(ordered, previous_english,
                                      {a.id for u, a in merged.items() if u not in changed})
            progress("write", 0, 1)
            # the keyword index and the headlines' dates are built here, once: loading a generation reads them
            report.generation = self.store.write_generation(
                NewGeneration(articles=ordered, chunks=chunks, vectors=vectors, model_id=self.embedder.model_id,
                              info=meta, extra_files=dict([keyword_index_file(ordered, chunks),
                                                headlines_file(ordered), english_file(english),
                                                events_file(ordered, chunks, english)])),
                index_type=self.index_type,
                crash_hook=self.crash_hook,
            )
            progress("write", 1, 1)
            report.wrote = True
        report.seconds = time.perf_counter() - t0
        log.info("ingest: %s", {k: v for k, v in report.as_dict().items() if k != "rejections"})
        return report

    def _chunk_count(self) -> int:
        gen = self.store.open_live(model_id=self.embedder.model_id)
        try:
            return gen.manifest.chunks
        finally:
            gen.close()

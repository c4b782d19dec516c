"""Ingest: articles -> chunks (with dates) -> embeddings (cached) -> a new index generation.

Incremental by default: unchanged articles keep their chunks and their vectors come from the embedding
cache, so re-ingesting an unchanged corpus does no embedding work and writes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..embedding.protocol import Embedder
from ..errors import IndexCorruptError
from ..models import Article, Chunk
from ..sources.formats import Rejection
from ..store.cache import EmbeddingCache
from ..store.durable import writer_lock
from ..store.generation import (
    Generation,
    NewGeneration,
    current_generation,
    remove_leftovers,
    write_generation,
)
from ..store.headlines import headline_dates, headlines_file
from ..store.keyword import keyword_index_file
from ..text.chunking import ChunkerConfig, chunk_article, embedding_text
from ..text.dates.article import find_dates

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total); stages: "chunk", "embed", "write"
CACHE_FILE = "cache.sqlite"


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # same body under another URL: indexed once, link kept
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    chunks_total: int = 0
    chunks_embedded: int = 0
    articles_total: int = 0
    seconds: float = 0.0
    wrote: bool = False
    generation: str = ""

    def as_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "duplicates": self.duplicates, "removed": self.removed, "rejected": len(self.rejected),
            "rejections": [{"location": r.location, "reason": r.reason} for r in self.rejected],
            "articles": self.articles_total, "chunks": self.chunks_total,
            "chunks_embedded": self.chunks_embedded, "seconds": round(self.seconds, 3),
            "generation": self.generation,
        }


def annotate_dates(article: Article, chunks: list[Chunk]) -> list[Chunk]:
    """Attach the dates each chunk talks about (resolved against the article's published date).

    Dates are found in the whole body (so 同日/翌日 resolve across sentences) and assigned to the chunks
    that contain them. A chunk without a date of its own inherits the article's first date (the lead
    usually names the event day) so that date questions still reach it.
    """
    mentions = find_dates(article.body, article.published)
    lead = [m.span for m in mentions[:1]] or list(headline_dates(article))
    out = []
    for c in chunks:
        own = tuple(dict.fromkeys(m.span for m in mentions if c.start <= m.start < c.end))
        out.append(replace(c, dates=own or tuple(lead)))
    return out


def merge_batch(
    existing: dict[str, Article], incoming: Iterable[Article], report: IngestReport
) -> tuple[dict[str, Article], set[str]]:
    """Merge incoming articles into ``existing`` (url -> article). Returns the new map and changed URLs."""
    merged = dict(existing)
    by_body = {a.body_hash: url for url, a in merged.items()}
    changed: set[str] = set()
    batch: dict[str, Article] = {}
    for art in incoming:  # the same URL twice in one batch: the later record wins
        batch[art.url] = art
    for art in batch.values():
        old = merged.get(art.url)
        if old is not None:
            if old.content_hash == art.content_hash:
                report.unchanged += 1
                continue
            merged[art.url] = replace(art, alt_urls=old.alt_urls)
            by_body[art.body_hash] = art.url
            changed.add(art.url)
            report.updated += 1
            continue
        twin_url = by_body.get(art.body_hash)
        if twin_url is not None and twin_url != art.url:
            twin = merged[twin_url]
            if art.url not in twin.alt_urls:
                merged[twin_url] = replace(twin, alt_urls=(*twin.alt_urls, art.url))
                changed.add(twin_url)
            report.duplicates += 1
            continue
        merged[art.url] = art
        by_body[art.body_hash] = art.url
        changed.add(art.url)
        report.added += 1
    return merged, changed


class Indexer:
    """Writes index generations for one folder with one embedder."""

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder,
        *,
        chunker: ChunkerConfig | None = None,
        index_type: str = "flat",
        batch_size: int = 64,
        crash_hook=None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.embedder = embedder
        self.chunker = chunker or ChunkerConfig()
        self.index_type = index_type
        self.batch_size = batch_size
        self.crash_hook = crash_hook

    def _live(self, full: bool):
        """The live generation's folder; a damaged ``CURRENT`` is no obstacle to a full rebuild."""
        try:
            return current_generation(self.index_dir)
        except IndexCorruptError as exc:
            if not full:
                raise
            log.warning("rebuilding over a damaged index: %s", exc)
            return None

    def _existing(self, full: bool) -> dict[str, Article]:
        if full or current_generation(self.index_dir) is None:
            return {}
        gen = Generation.open(self.index_dir, model_id=self.embedder.model_id)
        try:
            return {a.url: a for a in gen.articles()}
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
        with writer_lock(self.index_dir):
            remove_leftovers(self.index_dir)  # of a crashed earlier run
            had_index = self._live(full) is not None
            existing = self._existing(full)
            merged, changed = merge_batch(existing, articles, report)
            if prune is not None:
                for url in [u for u, a in merged.items() if u not in changed and prune(a)]:
                    del merged[url]
                    report.removed += 1
            report.articles_total = len(merged)
            if had_index and not full and not changed and not report.removed:
                gen = current_generation(self.index_dir)
                report.generation = gen.name if gen else ""
                report.chunks_total = self._chunk_count()
                report.seconds = time.perf_counter() - t0
                return report
            ordered = sorted(merged.values(), key=lambda a: (a.published, a.url))
            chunks: list[Chunk] = []
            texts: list[str] = []
            for i, art in enumerate(ordered):
                for c in annotate_dates(art, chunk_article(art, self.chunker)):
                    chunks.append(c)
                    texts.append(embedding_text(art.title, c.text))
                if i % 200 == 0 or i == len(ordered) - 1:
                    progress("chunk", i + 1, len(ordered))
            vectors = self._embed(texts, report, progress)
            report.chunks_total = len(chunks)
            meta = {
                "last_reindex": datetime.now(UTC).isoformat(timespec="seconds"),
                "chunker": {"max_chars": self.chunker.max_chars, "min_chars": self.chunker.min_chars},
                **(info or {}),
            }
            progress("write", 0, 1)
            # the keyword index and the headlines' dates are built here, once: loading a generation reads them
            gen = write_generation(
                self.index_dir,
                NewGeneration(articles=ordered, chunks=chunks, vectors=vectors, model_id=self.embedder.model_id,
                              info=meta, extra_files=dict([keyword_index_file(ordered, chunks),
                                                headlines_file(ordered)])),
                index_type=self.index_type,
                crash_hook=self.crash_hook,
            )
            progress("write", 1, 1)
            report.wrote = True
            report.generation = gen.name
        report.seconds = time.perf_counter() - t0
        log.info("ingest: %s", {k: v for k, v in report.as_dict().items() if k != "rejections"})
        return report

    def _chunk_count(self) -> int:
        gen = Generation.open(self.index_dir, model_id=self.embedder.model_id)
        try:
            return gen.manifest.chunks
        finally:
            gen.close()

    def _embed(self, texts: list[str], report: IngestReport, progress: Progress) -> np.ndarray:
        model_id = self.embedder.model_id
        dim = self.embedder.dim
        out = np.zeros((len(texts), dim), np.float32)
        cache = EmbeddingCache(self.index_dir / CACHE_FILE)
        try:
            cached = cache.get_many(model_id, texts, dim)
            missing = [i for i, v in enumerate(cached) if v is None]
            for i, v in enumerate(cached):
                if v is not None:
                    out[i] = v
            # identical texts are embedded once
            unique: dict[str, list[int]] = {}
            for i in missing:
                unique.setdefault(texts[i], []).append(i)
            todo = list(unique)
            progress("embed", 0, len(todo))
            for start in range(0, len(todo), self.batch_size):
                batch = todo[start : start + self.batch_size]
                vecs = self.embedder.embed_passages(batch)
                cache.put_many(model_id, batch, vecs)
                for text, vec in zip(batch, vecs, strict=True):
                    out[unique[text]] = vec
                report.chunks_embedded += len(batch)
                progress("embed", min(start + len(batch), len(todo)), len(todo))
        finally:
            cache.close()
        return out

"""The ingest pipeline: what an article becomes, with the embedding overlapped by everything else.

A reader thread takes the articles in row order (a stream) and, article by article, chunks it, resolves
the dates of its chunks, tokenises them into the keyword index (token counts only), renders its English
and extracts its events, hands all that to a :class:`Sink` (the ingest's staging database) and puts the
texts to embed in batches on a bounded queue. This thread takes each batch, looks it up in the embedding
cache, sends what the cache lacks to the embedding stage (a thread, or worker processes) and, as results
come back in order, stores them in the cache and writes them at their rows in a :class:`VectorSpool`.
Only a few articles and batches of texts are in memory at any time; the vectors are in the spool.

Progress: ``("chunk", articles done, articles)`` and ``("embed", chunks done, chunks)`` (from the cache
or embedded), both increasing, reported from the calling thread only.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..models import Article, Chunk, Event
from ..store.english import render_articles
from ..store.events import article_events
from ..store.keyword import BM25Builder, BM25Index
from ..store.keyword_files import keyword_text
from ..store.protocol import Rows, VectorCache
from ..text.chunking import ChunkerConfig, chunk_article, embedding_text
from ..text.english import ArticleEnglish
from ..text.tokenize import KeywordTokenizer
from .chunks import annotate_dates
from .spool import VectorSpool
from .workers import EmbedStage

log = logging.getLogger(__name__)

QUEUE_BATCHES = 4  # batches of texts the reader may be ahead of the embedding stage


class Sink(Protocol):
    """Where the pipeline puts what it made of each article, in row order (called from the reader thread)."""

    def add_built(self, article: Article, chunks: list[Chunk], english: ArticleEnglish,
                  events: list[Event]) -> None: ...


@dataclass
class Built:
    """What the pipeline kept of the articles (the rest went to the sink; the vectors are in the spool)."""

    rows: int = 0
    embedded: int = 0
    keywords: BM25Index | None = None


@dataclass
class _Batch:
    row: int  # the row of its first text
    texts: list[str]
    articles_done: int


@dataclass
class _Pending:
    batch: _Batch
    todo: dict[str, list[int]]  # text -> its positions in the batch (identical texts embedded once)
    future: Future


_END = object()


class IngestPipeline:
    def __init__(self, stage: EmbedStage, cache: VectorCache, spool: VectorSpool, *, batch_size: int,
                 progress: Callable[[str, int, int], None], sink: Sink, chunker: ChunkerConfig | None = None,
                 previous_english: Callable[[str], dict | None] | None = None,
                 tokenizer: KeywordTokenizer | None = None) -> None:
        """``spool.rows``: the chunks the articles make; ``previous_english(article id)``: the stored
        English of an unchanged article (None: render it)."""
        self.stage, self.cache, self.spool = stage, cache, spool
        self.batch_size = batch_size
        self.progress = progress
        self.sink = sink
        self.chunker = chunker or ChunkerConfig()
        self.previous_english = previous_english or (lambda article_id: None)
        self.tokenizer = tokenizer
        self.model_id, self.dim = stage.embedder.model_id, stage.embedder.dim
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_BATCHES)
        self._stop = threading.Event()
        self._built = Built()
        self._rows_done = 0

    def run(self, articles: Rows[Article]) -> Built:
        """Read ``articles`` (a sized stream, in row order) once."""
        reader = threading.Thread(target=self._read_guarded, args=(articles,), name="ingest-reader", daemon=True)
        self.progress("chunk", 0, len(articles))
        self.progress("embed", 0, self.spool.rows)
        reader.start()
        pending: deque[_Pending] = deque()
        try:
            while (item := self._queue.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                self.progress("chunk", item.articles_done, len(articles))
                if (p := self._dispatch(item)) is not None:
                    pending.append(p)
                while len(pending) >= self.stage.in_flight:
                    self._collect(pending.popleft())
            while pending:
                self._collect(pending.popleft())
            self.progress("chunk", len(articles), len(articles))
        finally:
            self._stop.set()
            for p in pending:
                p.future.cancel()
            reader.join()
        return self._built

    # -- this thread: the cache, the embedding stage, the spool

    def _dispatch(self, batch: _Batch) -> _Pending | None:
        cached = self.cache.get_many(self.model_id, batch.texts, self.dim)
        todo: dict[str, list[int]] = {}
        hits = [i for i, v in enumerate(cached) if v is not None]
        for i, v in enumerate(cached):
            if v is None:
                todo.setdefault(batch.texts[i], []).append(i)
        if hits:  # runs of cached rows, written as they are
            vecs = np.vstack([cached[i] for i in hits])
            for start, end in _runs(hits):
                self.spool.write(batch.row + hits[start], vecs[start:end])
        if not todo:
            self._done(len(batch.texts))
            return None
        return _Pending(batch, todo, self.stage.submit(list(todo)))

    def _collect(self, p: _Pending) -> None:
        texts = list(p.todo)
        vecs = self.stage.result(p.future)
        if vecs.shape != (len(texts), self.dim):
            raise ValueError(f"the embedder returned {vecs.shape} vectors for {len(texts)} texts")
        self.cache.put_many(self.model_id, texts, vecs)
        for text, vec in zip(texts, vecs, strict=True):
            for i in p.todo[text]:
                self.spool.write(p.batch.row + i, vec[None, :])
        self._built.embedded += len(texts)
        self._done(len(p.batch.texts))

    def _done(self, rows: int) -> None:
        self._rows_done += rows
        self.progress("embed", self._rows_done, self.spool.rows)

    # -- the reader thread: dates, keywords, English, events, texts to embed

    def _read_guarded(self, articles: Rows[Article]) -> None:
        try:
            self._read(articles)
            self._put(_END)
        except BaseException as exc:  # handed to the calling thread, which raises it
            self._put(exc)

    def _put(self, item) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _read(self, articles: Rows[Article]) -> None:
        built, tokenizer = self._built, self.tokenizer or KeywordTokenizer()
        keywords = BM25Builder(tokenizer.name)
        texts: list[str] = []
        row, n = 0, 0
        for n, art in enumerate(articles, 1):
            if self._stop.is_set():
                return
            chunks = annotate_dates(art, chunk_article(art, self.chunker))
            for c in chunks:
                keywords.add(tokenizer.tokens(keyword_text(art.title, c.text)))
                texts.append(embedding_text(art.title, c.text))
            previous = self.previous_english(art.id)
            english = (render_articles([art], {art.id: previous}, {art.id}) if previous is not None
                       else render_articles([art]))
            self.sink.add_built(art, chunks, english[art.id], article_events([art], chunks, english))
            while len(texts) >= self.batch_size:
                part, texts = texts[: self.batch_size], texts[self.batch_size :]
                self._put(_Batch(row, part, n))
                row += len(part)
        if texts:
            self._put(_Batch(row, texts, n))
            row += len(texts)
        if row != self.spool.rows:
            raise RuntimeError(f"the articles made {row} chunks, {self.spool.rows} were planned")
        built.rows = row
        built.keywords = keywords.finish()


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """[start, end) index ranges of ``positions`` whose values are consecutive."""
    runs, start = [], 0
    for i in range(1, len(positions) + 1):
        if i == len(positions) or positions[i] != positions[i - 1] + 1:
            runs.append((start, i))
            start = i
    return runs

"""Hybrid search: dense (FAISS) + keyword (BM25 over SudachiPy tokens), fused, one hit per article."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np

from .embedding import Embedder
from .errors import InvalidQueryError
from .models import Article, Hit
from .store import Generation
from .text import normalize_inline
from .tokenize import KeywordTokenizer

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500
RRF_K = 60


@dataclass(frozen=True)
class Query:
    text: str
    k: int = 5
    offset: int = 0
    since: datetime | None = None
    until: datetime | None = None
    section: str | None = None
    per_article: int = 1
    today: date | None = None


@dataclass
class Answer:
    question: str
    confident: bool
    hits: list[Hit]
    total: int = 0  # results available beyond offset (for paging)
    info: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "confident": self.confident,
            "results": [
                {
                    "url": h.url, "title": h.title, "published": h.published.isoformat(), "section": h.section,
                    "passage": h.passage, "score": round(float(h.score), 6), "chunk_id": h.chunk_id,
                    **({"also_at": list(h.alt_urls)} if h.alt_urls else {}),
                }
                for h in self.hits
            ],
        }


def validate_question(text: str, max_chars: int = MAX_QUESTION_CHARS) -> str:
    text = normalize_inline(text or "")
    if not text:
        raise InvalidQueryError("the question is empty")
    if len(text) > max_chars:
        raise InvalidQueryError(f"the question is longer than {max_chars} characters ({len(text)})")
    return text


class Searcher:
    """Answers questions from one loaded generation. Thread-safe for concurrent ``search`` calls."""

    def __init__(self, gen: Generation, embedder: Embedder, *, tokenizer: KeywordTokenizer | None = None) -> None:
        import bm25s

        self.gen = gen
        self.embedder = embedder
        self.tokenizer = tokenizer or KeywordTokenizer()
        self._lock = threading.Lock()
        self.articles: dict[str, Article] = {a.id: a for a in gen.articles()}
        rows = gen.chunk_rows()
        self.chunks = [r.chunk for r in rows]
        self.chunk_article = [c.article_id for c in self.chunks]
        corpus = [self.tokenizer.tokens(self.articles[c.article_id].title + "\n" + c.text) for c in self.chunks]
        self.bm25 = bm25s.BM25()
        if corpus:
            self.bm25.index(corpus, show_progress=False)

    @classmethod
    def load(cls, index_dir: Path, embedder: Embedder) -> Searcher:
        gen = Generation.open(Path(index_dir), model_id=embedder.model_id, dim=None)
        return cls(gen, embedder)

    @property
    def n_chunks(self) -> int:
        return len(self.chunks)

    def _dense(self, question: str, n: int) -> list[tuple[int, float]]:
        if not self.chunks:
            return []
        qv = self.embedder.embed_query(question).astype(np.float32)[None, :]
        scores, ids = self.gen.faiss.search(qv, min(n, len(self.chunks)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def _keyword(self, question: str, n: int) -> list[tuple[int, float]]:
        toks = self.tokenizer.tokens(question)
        if not toks or not self.chunks:
            return []
        import bm25s

        with self._lock:  # bm25s retrieval is not documented as thread-safe
            docs, scores = self.bm25.retrieve(
                [toks],
                k=min(n, len(self.chunks)), show_progress=False, n_threads=1,
            )
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def _allowed(self, article: Article, q: Query) -> bool:
        if q.since and article.published < q.since:
            return False
        if q.until and article.published > q.until:
            return False
        return not (q.section and article.section != q.section)

    def search(self, q: Query) -> Answer:
        question = validate_question(q.text)
        depth = max(100, (q.offset + q.k) * 10)
        dense = self._dense(question, depth)
        keyword = self._keyword(question, depth)
        fused: dict[int, float] = {}
        for ranking in (dense, keyword):
            for rank, (row, _s) in enumerate(ranking):
                fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        order = sorted(fused, key=lambda r: -fused[r])
        per: dict[str, int] = {}
        hits: list[Hit] = []
        for row in order:
            chunk = self.chunks[row]
            art = self.articles[chunk.article_id]
            if not self._allowed(art, q) or per.get(art.id, 0) >= q.per_article:
                continue
            per[art.id] = per.get(art.id, 0) + 1
            hits.append(
                Hit(chunk_id=chunk.chunk_id, article_id=art.id, url=art.url, title=art.title,
                    published=art.published, section=art.section, passage=chunk.text, score=fused[row],
                    alt_urls=art.alt_urls)
            )
        top_dense = {self.chunk_article[r] for r, _ in dense[:10]}
        top_kw = {self.chunk_article[r] for r, _ in keyword[:10]}
        confident = bool(hits) and hits[0].article_id in top_dense and hits[0].article_id in top_kw
        page = hits[q.offset : q.offset + q.k]
        return Answer(question=question, confident=confident, hits=page, total=len(hits))

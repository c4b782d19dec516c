"""Hybrid search: dense (FAISS vectors) + keyword (BM25 over Japanese-aware tokens with glossary
expansion), fused by reciprocal rank, boosted by date agreement, one hit per article, with the best
matching span of each passage, highlights and a calibrated "confident" flag.

Per query the work is proportional to the candidates, not to the corpus: the dense candidates come from
the FAISS index (exact for ``flat``/``sqfp16``, approximate for ``ivf``/``hnsw``), BM25 and date scores
are computed on their posting lists only, filters apply to candidate rows, and the confidence z-score uses
a fixed random sample of the corpus' similarities. Python loops only touch the few hundred candidates.

The parts: :mod:`.plan` (question -> concepts, dense text, dates), :mod:`.dense`, the keyword index
(:mod:`index.store.keyword`), :mod:`.fusion`, :mod:`.confidence`, :mod:`.passages`. This module ties them.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from ..embedding.protocol import Embedder
from ..models import Answer, Article, Chunk, DateSpan, Event, Hit, Query
from ..store.english import load_english
from ..store.events import EVENTS_FILE, load_events
from ..store.files import as_store
from ..store.headlines import load_headline_dates
from ..store.keyword import BM25Index
from ..store.keyword_files import load_keyword_index
from ..store.protocol import IndexStore, StoredGeneration, VectorSearch
from ..text.glossary import Glossary, default_glossary
from ..text.tokenize import KeywordTokenizer
from ..text.transliterate import KatakanaIndex
from . import fusion
from .confidence import Confidence
from .config import SearchConfig
from .dates import DateIndex
from .dense import DenseIndex, similarity_scale
from .events import EventMatch, EventRow, EventRows, evidence_span, match_events, row_text
from .events import answer_line as event_answer_line
from .names import article_is_japanese, is_japanese, missing_share, name_concepts
from .passages import Window, answer_window, best_answer_row, context_window, highlight_spans, names_aside
from .plan import Planner, QueryPlan
from .surface import bigram_scores, question_bigrams

log = logging.getLogger(__name__)


class KatakanaLookup:
    """English word -> the keyword vocabulary's katakana words that may write it (the index of them built on
    first use: only English questions ask)."""

    def __init__(self, bm25: BM25Index) -> None:
        self._bm25: BM25Index | None = bm25
        self._index: KatakanaIndex | None = None

    def __call__(self, english: str) -> list[str]:
        if self._index is None:
            self._index = KatakanaIndex(self._bm25.vocab if self._bm25 is not None else ())
            self._bm25 = None
        return self._index.spellings(english)


class Searcher:
    """Answers questions from one loaded generation. Thread-safe for concurrent ``search`` calls."""

    def __init__(
        self,
        gen: StoredGeneration,
        embedder: Embedder,
        *,
        tokenizer: KeywordTokenizer | None = None,
        glossary: Glossary | None = None,
        config: SearchConfig | None = None,
    ) -> None:
        self.gen = gen
        self.embedder = embedder
        self.tokenizer = tokenizer or KeywordTokenizer()
        self.glossary = glossary if glossary is not None else default_glossary()
        self.config = config or SearchConfig()
        self.articles: dict[str, Article] = {a.id: a for a in gen.articles()}
        self.chunks: list[Chunk] = [r.chunk for r in gen.chunk_rows()]
        art_ids = list(self.articles)
        art_pos = {a: i for i, a in enumerate(art_ids)}
        self._art_ids = art_ids
        self._art_pos = art_pos
        self._chunk_art = np.asarray([art_pos[c.article_id] for c in self.chunks], np.int64)
        self._art_pub = np.asarray([self.articles[a].published.timestamp() for a in art_ids], np.float64)
        self._art_section = np.asarray([self.articles[a].section for a in art_ids], dtype=object)
        # each article's language (Japanese or not), for ranking within each language (see ``_by_language``)
        self._art_ja = np.asarray([article_is_japanese(self.articles[a]) for a in art_ids], bool)
        self._art_rows: list[list[int]] = [[] for _ in art_ids]
        for row, a in enumerate(self._chunk_art):
            self._art_rows[int(a)].append(row)
        own = gen.dense_search()  # the store searches the vectors where they are, or FAISS here does
        self.dense: DenseIndex | VectorSearch = (own if own is not None
                                                 else DenseIndex(gen.faiss, gen.manifest.index_type))
        self.bm25: BM25Index = load_keyword_index(gen, self.articles, self.chunks, self.tokenizer)
        headlines = load_headline_dates(gen, self.articles)
        self.english = load_english(gen)
        headline_dates: list[tuple[DateSpan, ...]] = [headlines[a] for a in art_ids]
        chunk_dates = [c.dates for c in self.chunks]
        art_days = np.asarray([self.articles[a].published.date().toordinal() for a in art_ids], np.int64)
        self.dates = DateIndex(chunk_dates, self._chunk_art, len(art_ids), title_dates=headline_dates,
                               article_days=art_days)
        # (the lookup holds the keyword index, not this searcher: no cycle keeps a let-go searcher alive)
        self.planner = Planner(self.tokenizer, self.glossary, self.config, katakana=KatakanaLookup(self.bm25))
        dense, art_rows = self.dense, self._art_rows  # (not self: no cycle keeps a let-go searcher alive)
        n_rows = len(self._chunk_art)
        self.confidence = Confidence(self.config, self.dense, self.bm25, chunk_dates, self._chunk_art,
                                     headline_dates, self._art_rows, [c.text for c in self.chunks], art_days,
                                     scale=lambda: similarity_scale(dense, art_rows),
                                     latin_share=float(1.0 - self._art_ja[self._chunk_art].mean()) if n_rows else 0.5)
        self._events: list[Event] | None = None
        self._events_lock = threading.Lock()
        self.event_rows = EventRows()  # (built by _build_event_rows on the first event question)

    @classmethod
    def load(cls, target: Path | IndexStore, embedder: Embedder, **kwargs) -> Searcher:
        """A searcher on the live generation of a store (or of an index folder)."""
        gen = as_store(target).open_live(model_id=embedder.model_id)
        return cls(gen, embedder, **kwargs)

    @property
    def n_chunks(self) -> int:
        return len(self.chunks)

    def plan(self, question: str, today: date) -> QueryPlan:
        return self.planner.plan(question, today)

    def _article_mask(self, q: Query) -> np.ndarray | None:
        """Allowed articles (by position) under the query's filters, or None when there are none."""
        if not (q.since or q.until or q.section):
            return None
        ok = np.ones(len(self._art_ids), bool)
        if q.since:
            ok &= self._art_pub >= _ts(q.since)
        if q.until:
            ok &= self._art_pub <= _ts(q.until)
        if q.section:
            ok &= self._art_section == q.section
        return ok

    def search(self, q: Query) -> Answer:
        """The answer to a (validated) query: hits best first, and whether the first one answers."""
        question = q.text
        cfg = self.config
        n = len(self.chunks)
        if n == 0:
            return Answer(question, False, [], 0, {"reason": "empty index"})
        plan = self.plan(question, q.today or date.today())
        ok_art = self._article_mask(q)
        ok_rows = None if ok_art is None else ok_art[self._chunk_art]
        depth = min(n, max(cfg.depth, (q.offset + q.k) * 10))
        qv = None
        if cfg.mode in ("hybrid", "dense"):
            qv = np.asarray(self.embedder.embed_query(plan.dense_text if cfg.mode == "hybrid" else question),
                            np.float32)
        date_rows, date_vals = (self.dates.score_sparse(plan.dates) if cfg.mode == "hybrid" and plan.dates
                                else (None, None))
        ranks: list[tuple[float, np.ndarray, np.ndarray | None]] = []  # (weight, rows, margins)
        extra: list[np.ndarray] = []
        split = cfg.mode == "hybrid" and cfg.per_language
        if qv is not None:
            rows = self.dense.top(qv, depth, None if ok_rows is None else np.flatnonzero(ok_rows))
            ranks += self._by_language(cfg.w_dense, rows, None) if split else [(cfg.w_dense, rows, None)]
            if date_rows is not None:  # the best passages among those of the asked dates, too
                dated = date_rows if ok_rows is None else date_rows[ok_rows[date_rows]]
                extra.append(self.dense.top(qv, depth, dated))
        if cfg.mode in ("hybrid", "bm25"):
            rows, scores = self.bm25.top(plan.concepts, depth, ok_rows)
            ranks += (self._by_language(cfg.w_keyword, rows, scores) if split
                      else [(cfg.w_keyword, rows, _relative(scores))])
        lists = [r for _, r, _ in ranks] + extra
        cands = np.unique(np.concatenate(lists)) if lists else np.zeros(0, np.int64)
        if len(cands) == 0:
            return Answer(question, False, [], 0, {"reason": "no candidates"})
        topical = self._topical(cands, ranks, plan, qv)
        if cfg.mode == "hybrid" and cfg.surface_weight > 0 and not plan.latin:
            topical = self._with_surface(cands, topical, question)
        final = fusion.date_boosted(topical, cands, date_rows, date_vals,
                                    cfg.date_boost * plan.dates.specificity if plan.dates else 0.0)
        picked = fusion.collapse(cands, final, self._chunk_art, q.per_article)
        if cfg.mode == "hybrid" and cfg.name_penalty > 0 and plan.names:
            picked = self._names_first(picked, plan)
        if q.per_article == 1:  # the article's answer passage: its best chunk for this kind of question
            fin = dict(zip(cands.tolist(), final.tolist(), strict=True))
            shown = q.offset + q.k
            picked[:shown] = [(self._answer_row(row, score, fin, plan), score) for row, score in picked[:shown]]
        matches = self._event_matches(plan, picked) if q.per_article == 1 and cfg.mode == "hybrid" else []
        if matches:  # the events that answer lead, their sentence as the passage
            picked = self._events_first(picked, matches)
        by_article = {m.row.article_id: m.row for m in matches if m.answers}
        weights = self._term_weights(plan)
        windows: dict[int, Window] = {}
        if cfg.passage_chars:
            for row, _ in picked[:1] + picked[q.offset : q.offset + q.k]:
                if row not in windows and self._art_ids[int(self._chunk_art[row])] not in by_article:
                    windows[row] = self._window(row, plan, weights)
        info = self.confidence.judge(plan, picked, qv, windows.get(picked[0][0]) if picked else None,
                                     filtered=ok_art is not None)
        if matches:
            info.update(event=matches[0].row.event.type, event_score=round(matches[0].score, 3), off_topic=False)
            info["confident"] = bool(info["confident"]) or (bool(plan.dates) and matches[0].answers)
        confident = bool(info["confident"])
        hits = [self._hit(row, score, plan, nearest_only=not confident, window=windows.get(row),
                          event=by_article.get(self._art_ids[int(self._chunk_art[row])]))
                for row, score in picked[q.offset : q.offset + q.k]]
        return Answer(question=question, confident=confident, hits=hits, total=len(picked), info=info)

    # ------------------------------------------------------------------ events

    def events(self) -> list[Event]:
        """The generation's events (courtesy calls, visits, exercises...), loaded once."""
        if self._events is None:
            with self._events_lock:
                if self._events is None:
                    self._events = load_events(self.gen, list(self.articles.values()), self.chunks)
        return self._events

    def _build_event_rows(self) -> list[EventRow]:
        if self._events is None and self.gen.blob(EVENTS_FILE) is None:  # not extracted while a question waits
            log.info("generation %s has no %s: event questions are searched like any other until it is reindexed",
                     self.gen.id, EVENTS_FILE)
            return []
        chunks = {c.chunk_id: c for c in self.chunks}
        rows = []
        for ev in self.events():
            chunk = chunks.get(ev.chunk_id)
            art = self.articles.get(chunk.article_id) if chunk else None
            if chunk is None or art is None:
                continue
            sents = [(x.start, x.end, x.en) for x in self.english.get(art).sentences]
            s, e = evidence_span(ev, (chunk.start, chunk.end), sents, art.body)
            rows.append(EventRow(ev, art.id, s, e, row_text(ev, art.body[s:e])))
        return rows

    def _event_matches(self, plan: QueryPlan, picked: list[tuple[int, float]]) -> list[EventMatch]:
        """The events of the candidate articles that answer the question (none when it asks no event)."""
        if not picked:
            return []
        arts = dict.fromkeys(self._art_ids[int(self._chunk_art[row])] for row, _ in picked)
        return match_events(plan, self.event_rows.of_articles(arts, self._build_event_rows), self.tokenizer.tokens)

    def _events_first(self, picked: list[tuple[int, float]], matches: list[EventMatch]) -> list[tuple[int, float]]:
        """``picked`` with the events' articles first (best match first), each on the event's chunk."""
        score = {int(self._chunk_art[row]): sc for row, sc in picked}
        first = []
        for m in matches:
            pos = self._art_pos[m.row.article_id]
            row = next((r for r in self._art_rows[pos] if self.chunks[r].chunk_id == m.row.event.chunk_id), None)
            if row is not None and pos in score:
                first.append((row, score[pos]))
        lead = {int(self._chunk_art[row]) for row, _ in first}
        return first + [(row, sc) for row, sc in picked if int(self._chunk_art[row]) not in lead]

    def _by_language(self, weight: float, rows: np.ndarray, scores: np.ndarray | None
                     ) -> list[tuple[float, np.ndarray, np.ndarray | None]]:
        """A ranking (rows best first, with their scores or None) as one ranking per language, each with its
        scores over its own best: the embedder and the keywords favour the question's own language (an
        English question's untranslated words match English text only, and its vector stands nearer English
        vectors), so the best Japanese article for an English question ranks behind English ones that answer
        less. Ranked within its language, each language's best passage leads; the other rankings (the
        surface, the dates, the names) tell them apart."""
        ja = self._art_ja[self._chunk_art[rows]]
        return [(weight, rows[sel], _relative(scores[sel]) if scores is not None else None)
                for sel in (ja, ~ja) if sel.any()]

    def _topical(self, cands: np.ndarray, ranks: list[tuple[float, np.ndarray, np.ndarray | None]],
                 plan: QueryPlan, qv: np.ndarray | None) -> np.ndarray:
        """How well each candidate matches the question's topic, by the configured fusion."""
        cfg = self.config
        if cfg.fusion == "score" and cfg.mode == "hybrid":
            dense = self.dense.dot(cands, qv) if qv is not None else None
            keyword = self.bm25.score_rows(plan.concepts, cands)[0]
            return fusion.relative_scores(dense, keyword, cfg.w_dense, cfg.w_keyword)
        margins = [m if cfg.fusion == "margin" else None for _, _, m in ranks]
        return fusion.rrf([(w, r) for w, r, _ in ranks], cands, cfg.rrf_k, margins)

    def _names_first(self, picked: list[tuple[int, float]], plan: QueryPlan) -> list[tuple[int, float]]:
        """The best articles' scores lowered by the share of the question's names they do not hold (see
        :mod:`.names`), and ordered again."""
        concepts = name_concepts(plan, self.bm25)
        if not concepts:
            return picked
        cfg = self.config
        head = picked[: cfg.name_depth]
        out = []
        for row, score in head:
            rows = np.asarray(self._art_rows[int(self._chunk_art[row])], np.int64)
            gone = missing_share(concepts, self.bm25, rows, is_japanese(self.chunks[row].text))
            out.append((row, score * (1.0 - cfg.name_penalty * gone)))
        out.sort(key=lambda x: -x[1])
        return out + picked[cfg.name_depth:]

    def _with_surface(self, cands: np.ndarray, topical: np.ndarray, question: str) -> np.ndarray:
        """``topical`` with the surface ranking of its best candidates added (see :mod:`.surface`)."""
        cfg = self.config
        top = np.argsort(-topical, kind="stable")[: cfg.surface_depth]
        grams = question_bigrams(question)
        if len(top) < 2 or not grams:
            return topical
        texts = [self.articles[(c := self.chunks[int(cands[i])]).article_id].title + "\n" + c.text for i in top]
        scores = bigram_scores(grams, texts)
        order = np.argsort(-scores, kind="stable")
        keep = order[scores[order] > 0]
        if not len(keep):
            return topical
        return topical + fusion.rrf([(cfg.surface_weight, cands[top[keep]])], cands, cfg.rrf_k,
                                    [scores[keep] / scores[keep[0]]])

    def _answer_row(self, row: int, score: float, fin: dict[int, float], plan: QueryPlan) -> int:
        rows = self._art_rows[int(self._chunk_art[row])]
        if len(rows) == 1 or score <= 0:
            return row
        return best_answer_row(rows, [self.chunks[r].text for r in rows], [fin.get(r, 0.0) / score for r in rows],
                               plan.highlight_terms, plan.answer_types)

    def _term_weights(self, plan: QueryPlan) -> list[tuple[tuple[str, ...], float]]:
        """The question's terms (the spellings of each) with their weight: the concept's weight times its
        rarity in the corpus (a word the corpus never uses weighs the most)."""
        return [(spellings, c.weight * max(self.bm25.concept_rarity(c), 1e-3)) for spellings, c in plan.term_groups]

    def _renderings(self, art: Article) -> list[tuple[int, int, str]]:
        """The article's sentences in English (start, end, text), when it is not English itself."""
        sentences = self.english.get(art).sentences
        return [(x.start, x.end, x.en) for x in sentences if x.en and x.en != art.body[x.start:x.end]]

    def _window(self, row: int, plan: QueryPlan, weights: list[tuple[tuple[str, ...], float]]) -> Window:
        """The sentences of ``row``'s article that answer (anywhere in it, or in this chunk)."""
        chunk = self.chunks[row]
        art = self.articles[chunk.article_id]
        cfg = self.config
        pieces = [(0, len(art.body))] if cfg.passage_across_chunks else [(chunk.start, chunk.end)]
        renderings = self._renderings(art) if plan.latin else ()
        title = f"{art.title} {self.english.get(art).title_en}" if plan.latin else art.title
        window = answer_window(art.body, pieces, (chunk.start, chunk.end), weights, plan.answer_types,
                               cfg.passage_chars, cfg.passage_sentences, renderings, title)
        named = {c.variants for c in name_concepts(plan, self.bm25)}
        names = [spellings for spellings, c in plan.term_groups if c.variants in named]
        return window._replace(aside=names_aside(art.body, (window.start, window.end), names, title, renderings))

    def _hit(self, row: int, score: float, plan: QueryPlan, *, nearest_only: bool, window: Window | None = None,
             event: EventRow | None = None) -> Hit:
        chunk = self.chunks[row]
        art = self.articles[chunk.article_id]
        cfg = self.config
        s, e = chunk.start, chunk.end
        if event is not None:  # the event's sentence (and the one naming whom it leaves out)
            s, e = event.start, event.end
        elif window is not None:  # the sentences that answer, anywhere in the article (or in this chunk)
            s, e = window.start, window.end
            rows = self._art_rows[int(self._chunk_art[row])]
            chunk = self.chunks[next((r for r in rows if self.chunks[r].start <= s < self.chunks[r].end), row)]
        cs, ce = context_window(art.body, s, e, max(cfg.context_chars, e - s))
        text = art.body[s:e]
        title_en, answer_en = self.english.render(art, text, plan.answer_types, plan.highlight_terms)
        if event is not None and event.event.summary_en:  # the event's own row, built from the article
            answer_en = event_answer_line(event.event)
        return Hit(
            chunk_id=chunk.chunk_id, article_id=art.id, url=art.url, title=art.title,
            published=art.published, section=art.section, passage=text, score=score,
            highlights=highlight_spans(text, plan.highlight_terms), alt_urls=art.alt_urls, nearest_only=nearest_only,
            context=art.body[cs:ce], context_offset=s - cs,
            title_en=title_en, answer_en=answer_en, event=event.event if event is not None else None,
        )


def _relative(scores: np.ndarray) -> np.ndarray | None:
    """Scores over the best one (None when there is no positive best)."""
    return scores / scores[0] if len(scores) and scores[0] > 0 else None


def _ts(d: datetime) -> float:
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()

"""Hybrid search: dense (FAISS vectors) + keyword (BM25 over Japanese-aware tokens with glossary
expansion), fused by reciprocal rank, boosted by date agreement, one hit per article, with the best
matching span of each passage, highlights and a calibrated "confident" flag.

Per query the work is proportional to the candidates, not to the corpus: the dense candidates come from
the FAISS index (exact for ``flat``/``sqfp16``, approximate for ``ivf``/``hnsw``), BM25 and date scores
are computed on their posting lists only, filters apply to candidate rows, and the confidence z-score uses
a fixed random sample of the corpus' similarities. Python loops only touch the few hundred candidates.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from ..embedding.backends import Embedder
from ..models import Answer, Article, Chunk, Hit, Query
from ..store.generation import Generation
from ..store.keyword import BM25Index, QueryConcept, top_rows
from ..text.dates.article import find_dates
from ..text.dates.question import QueryDates
from ..text.glossary import Concept, Glossary, default_glossary, romaji_concepts
from ..text.tokenize import READING_MARK, KeywordTokenizer
from .dates import DateIndex
from .passages import answer_type_match, answer_types, answer_window, highlight_spans

log = logging.getLogger(__name__)

RRF_K = 60
CONFIDENCE_SAMPLE = 8192  # chunks whose similarities estimate the corpus distribution (all, if fewer)
GATHER_MAX = 8192  # up to this many rows, a restricted dense search scores the rows' vectors directly

# Japanese question words and light verbs carry no topic; dropped from the keyword query only.
_JA_QUERY_STOP = frozenset(
    ["誰", "何", "なに", "なん", "いつ", "どこ", "どの", "どれ", "どう", "どんな", "どちら", "いくつ", "いくら", "する", "ある", "いる", "なる", "れる", "られる", "こと", "もの", "よう", "ため", "その", "この", "これ", "それ", "あの", "何人", "何回", "何隻", "何機", "何名", "何年", "何月", "何日", "何時", "いか", "同", "ら", "行う", "行く", "年", "月", "日", "など"]
)
_LATIN_Q = re.compile(r"[A-Za-z]")
_ORDINAL = re.compile(r"(?<![0-9])(\d{1,3})(st|nd|rd|th)\b", re.I)


@dataclass(frozen=True)
class SearchConfig:
    """Fusion settings. ``mode`` selects the full hybrid or one of the single-signal baselines."""

    mode: str = "hybrid"  # hybrid | dense | bm25
    depth: int = 200  # candidates taken from each ranking
    rrf_k: int = RRF_K
    w_dense: float = 1.0
    w_keyword: float = 1.0
    date_boost: float = 1.5  # final = topical * (1 + date_boost * date agreement)
    glossary: bool = True
    expand_dense: bool = True  # add the Japanese spellings of glossary terms to an English dense query
    passage_chars: int = 360  # the passage: the best span of sentences of at most this size in the best
    # chunk or a neighbour (0: the chunk itself)
    passage_across_chunks: bool = True  # let the span join the best chunk and a neighbour: the passage
    # is a span of the article body around the hit's chunk (answers often sit just after the lead)
    # confidence: a hit is an answer when the question's dates agree with it and its topical evidence
    # is strong relative to the rest of the corpus (see _confidence)
    min_date_agreement: float = 0.95  # the hit's date lies inside the asked period
    min_dense_z: float = 2.5
    min_keyword_share: float = 0.5


@dataclass
class QueryPlan:
    question: str
    concepts: list[QueryConcept]
    dense_text: str
    dates: QueryDates
    highlight_terms: list[str]
    answer_types: frozenset[str] = frozenset()


class Searcher:
    """Answers questions from one loaded generation. Thread-safe for concurrent ``search`` calls."""

    def __init__(
        self,
        gen: Generation,
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
        rows = gen.chunk_rows()
        self.chunks: list[Chunk] = [r.chunk for r in rows]
        self.chunk_article = [c.article_id for c in self.chunks]
        art_ids = list(self.articles)
        art_pos = {a: i for i, a in enumerate(art_ids)}
        self._art_ids = art_ids
        self._chunk_art = np.asarray([art_pos[a] for a in self.chunk_article], np.int64)
        self._art_pub = np.asarray([self.articles[a].published.timestamp() for a in art_ids], np.float64)
        self._art_section = np.asarray([self.articles[a].section for a in art_ids], dtype=object)
        self._vectors: np.ndarray | None = None  # float32 rows, a view of a flat index (no copy)
        self._vectors16: np.ndarray | None = None  # float16 rows, a view of an sqfp16 index
        self._attach_vectors()
        self._sample = self._sample_vectors()
        self._threads = threading.local()
        self.bm25 = self._keyword_index()
        self._title_dates: dict[int, tuple] = {
            i: tuple(m.span for m in find_dates(self.articles[a].title, self.articles[a].published))
            for i, a in enumerate(art_ids)
        }  # article position -> DateSpans of its headline
        self.dates = DateIndex([c.dates for c in self.chunks], self._chunk_art, len(art_ids),
                               title_dates=[self._title_dates[i] for i in range(len(art_ids))])
        self._art_rows: list[list[int]] = [[] for _ in art_ids]
        for row, a in enumerate(self._chunk_art):
            self._art_rows[int(a)].append(row)
        self._lock = threading.Lock()

    def _keyword_index(self) -> BM25Index:
        """The generation's persisted keyword index when it matches this tokenizer, else built now."""
        path = Path(self.gen.path) / KEYWORD_FILE
        if path.is_file():
            try:
                idx = BM25Index.from_bytes(path.read_bytes())
                if idx.tokenizer == self.tokenizer.name and idx.n_docs == len(self.chunks):
                    return idx
                log.info("keyword index in %s is for another tokenizer; rebuilding it", path)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("cannot read %s (%s); rebuilding the keyword index", path, exc)
        return build_keyword_index(self.articles, self.chunks, self.tokenizer)

    @classmethod
    def load(cls, index_dir: Path, embedder: Embedder, **kwargs) -> Searcher:
        gen = Generation.open(Path(index_dir), model_id=embedder.model_id, dim=None)
        return cls(gen, embedder, **kwargs)

    @property
    def n_chunks(self) -> int:
        return len(self.chunks)

    def _attach_vectors(self) -> None:
        """Direct views of the stored vectors where the index type allows it (flat: float32, sqfp16:
        float16), so that scoring a few rows needs no FAISS call; IVF gets a direct map for reconstruct."""
        import faiss

        index = self.gen.faiss
        n, d = index.ntotal, index.d
        if n == 0:
            return
        if isinstance(index, faiss.IndexFlat):
            self._vectors = faiss.rev_swig_ptr(index.get_xb(), n * d).reshape(n, d)
        elif isinstance(index, faiss.IndexScalarQuantizer) and index.sq.qtype == faiss.ScalarQuantizer.QT_fp16:
            raw = faiss.rev_swig_ptr(index.codes.data(), n * d * 2)
            self._vectors16 = raw.view(np.float16).reshape(n, d)
        else:
            ivf = faiss.try_extract_index_ivf(index)
            if ivf is not None:
                ivf.make_direct_map()
                nprobe = _nprobe(self.gen.manifest.index_type)
                if nprobe:
                    ivf.nprobe = min(nprobe, ivf.nlist)

    def _row_vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of ``rows`` as a float32 matrix."""
        if self._vectors is not None:
            return self._vectors[rows]
        if self._vectors16 is not None:
            return self._vectors16[rows].astype(np.float32)
        if not len(rows):
            return np.zeros((0, self.gen.faiss.d), np.float32)
        return self.gen.faiss.reconstruct_batch(np.ascontiguousarray(rows, np.int64))

    def _sample_vectors(self) -> np.ndarray:
        """Vectors of a fixed random sample of chunks (all chunks when there are few), for the corpus
        similarity distribution of the confidence z-score."""
        n = self.gen.faiss.ntotal
        if n <= CONFIDENCE_SAMPLE:
            rows = np.arange(n)
        else:
            rows = np.sort(np.random.default_rng(0).choice(n, CONFIDENCE_SAMPLE, replace=False))
        return np.ascontiguousarray(self._row_vectors(rows), np.float32)

    def _dot(self, rows: np.ndarray, qv: np.ndarray) -> np.ndarray:
        """Similarity of ``rows`` to the query (no BLAS: its worker threads would fight the encoder's)."""
        return np.einsum("ij,j->i", self._row_vectors(rows), qv)

    def _faiss_search(self, qv: np.ndarray, k: int, allowed_rows: np.ndarray | None = None) -> np.ndarray:
        """Rows of the top ``k`` by the FAISS index, best first, optionally among ``allowed_rows``."""
        import faiss

        if not getattr(self._threads, "single", False):  # one query: OpenMP threads only add contention
            faiss.omp_set_num_threads(1)  # per calling thread (an OpenMP ICV), not process-wide
            self._threads.single = True
        index = self.gen.faiss
        params = sel = packed = None
        if allowed_rows is not None:
            bits = np.zeros(index.ntotal, bool)
            bits[allowed_rows] = True
            packed = np.packbits(bits, bitorder="little")  # kept alive (with sel) until the search is done
            sel = faiss.IDSelectorBitmap(index.ntotal, faiss.swig_ptr(packed))
            params = _search_params(index)
            params.sel = sel
        _, ids = index.search(qv[None, :], k, params=params)
        del sel, packed
        ids = ids[0]
        return ids[ids >= 0].astype(np.int64)

    def _dense_top(self, qv: np.ndarray, k: int, rows: np.ndarray | None = None) -> np.ndarray:
        """The ``k`` rows most similar to the query, best first, among ``rows`` (None: all chunks).
        Few rows are scored directly; many go through FAISS with a selector."""
        if rows is None:
            return self._faiss_search(qv, k)
        if len(rows) <= GATHER_MAX:
            return top_rows(rows, self._dot(rows, qv), k)[0]
        return self._faiss_search(qv, k, rows)

    # ------------------------------------------------------------------ query analysis

    def plan(self, question: str, today: date) -> QueryPlan:
        cfg = self.config
        qdates = QueryDates.parse(question, today)
        norm = unicodedata.normalize("NFKC", question)
        concepts: list[Concept] = []
        if cfg.glossary and cfg.mode == "hybrid":
            concepts = self.glossary.match(norm)
            concepts += romaji_concepts(norm, [(c.start, c.end) for c in concepts])
        out: list[QueryConcept] = []
        highlight: list[str] = []
        # the question's own words: tokens of glossary matches are left to their concepts, tokens of
        # date expressions count little (dates are scored by DateIndex)
        covered = {t for c in concepts for t in self.tokenizer.tokens(norm[c.start:c.end])}
        date_toks = {t for s, e in qdates.spans_in(norm) for t in self.tokenizer.tokens(norm[s:e])}
        toks = [t for t in self.tokenizer.tokens(norm) if t not in _JA_QUERY_STOP]
        i = 0
        while i < len(toks):
            t = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if t.startswith(READING_MARK):
                if nxt is not None and nxt not in covered and not nxt.startswith(READING_MARK):
                    out.append(QueryConcept(((nxt,), (t,)), 0.3 if nxt in date_toks else 1.0))
                    highlight.append(nxt)
                    i += 2
                    continue
                i += 1
                continue
            if t not in covered:
                out.append(QueryConcept(((t,),), 0.3 if t in date_toks else 1.0))
                highlight.append(t)
            i += 1
        for c in concepts:
            variants = tuple(v for sp in c.spellings if (v := tuple(self._spelling_tokens(sp))))
            if variants:
                out.append(QueryConcept(variants, c.weight))
            highlight.extend(s for s in c.spellings if not s.startswith(READING_MARK))
        if cfg.mode == "hybrid":
            for m in _ORDINAL.finditer(norm):  # "11th" ship of a class is its 11番艦; the 10th talks 第10回
                n = m.group(1)
                variants = [(f"{n}{m.group(2).lower()}",), *(tuple(self.tokenizer.tokens(v))
                                                            for v in (f"{n}番艦", f"第{n}"))]
                out.append(QueryConcept(tuple(v for v in variants if v), 1.0))
            for v in qdates.era_variants:
                toks = tuple(self.tokenizer.tokens(v))
                if toks:
                    out.append(QueryConcept((toks,), 0.3))
        dense_text = question
        if cfg.mode == "hybrid" and cfg.expand_dense and concepts:
            # the other language's names of the glossary terms, so that the dense query reaches articles
            # written in that language (English question -> 防衛省; Japanese question -> MOD)
            latin_q = len(_LATIN_Q.findall(question)) * 2 > len(question.replace(" ", ""))
            extra = [sp for c in concepts if c.source != "romaji" for sp in c.spellings[1:]
                     if bool(_LATIN_Q.search(sp)) != latin_q and not sp.startswith(READING_MARK)]
            extra = list(dict.fromkeys(extra))[:8]
            if extra:
                dense_text = f"{question} ({' '.join(extra)})"
        return QueryPlan(question, _merge_concepts(out), dense_text, qdates, list(dict.fromkeys(highlight)),
                         answer_types(norm))

    def _spelling_tokens(self, spelling: str) -> list[str]:
        if spelling.startswith(READING_MARK):
            return [spelling]
        toks = [t for t in self.tokenizer.tokens(spelling) if not t.startswith(READING_MARK)]
        if re.fullmatch(r"[ぁ-ゖァ-ヺー]+", spelling):  # kana: also its reading token (katakana)
            kata = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in spelling)
            toks = [*toks, READING_MARK + kata] if len(toks) != 1 else toks
        return toks

    # ------------------------------------------------------------------ scoring

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
        question = q.text  # validated when the Query was made
        cfg = self.config
        today = q.today or date.today()
        n = len(self.chunks)
        if n == 0:
            return Answer(question, False, [], 0, {"reason": "empty index"})
        plan = self.plan(question, today)
        ok_art = self._article_mask(q)
        depth = min(n, max(cfg.depth, (q.offset + q.k) * 10))

        def allowed(rows: np.ndarray) -> np.ndarray:
            return rows if ok_art is None else rows[ok_art[self._chunk_art[rows]]]

        qv = None
        if cfg.mode in ("hybrid", "dense"):
            qv = np.asarray(self.embedder.embed_query(plan.dense_text if cfg.mode == "hybrid" else question),
                            np.float32)
        date_rows, date_vals = (self.dates.score_sparse(plan.dates) if cfg.mode == "hybrid" and plan.dates
                                else (None, None))

        ranks: list[tuple[float, np.ndarray]] = []
        if qv is not None:
            if ok_art is None:
                ranks.append((cfg.w_dense, self._dense_top(qv, depth)))
            else:
                ranks.append((cfg.w_dense, self._dense_top(qv, depth, allowed(np.arange(n)))))
        if cfg.mode in ("hybrid", "bm25"):
            ok_rows = None if ok_art is None else ok_art[self._chunk_art]
            ranks.append((cfg.w_keyword, self.bm25.top(plan.concepts, depth, ok_rows)[0]))
        cand_lists = [r for _, r in ranks]
        if date_rows is not None and qv is not None:
            cand_lists.append(self._dense_top(qv, depth, allowed(date_rows)))
        cands = np.unique(np.concatenate(cand_lists)) if cand_lists else np.zeros(0, np.int64)
        if len(cands) == 0:
            return Answer(question, False, [], 0, {"reason": "no candidates"})
        topical = np.zeros(len(cands), np.float64)
        pos = {int(c): i for i, c in enumerate(cands)}
        for w, order in ranks:
            for r, row in enumerate(order):
                topical[pos[int(row)]] += w / (cfg.rrf_k + r + 1)
        final = topical.copy()
        if date_rows is not None:
            final *= 1.0 + cfg.date_boost * plan.dates.specificity * _lookup(date_rows, date_vals, cands)

        order = np.argsort(-final, kind="stable")
        per: dict[int, int] = {}
        picked: list[tuple[int, float]] = []
        for i in order:
            row = int(cands[i])
            if final[i] <= 0:
                break
            a = int(self._chunk_art[row])
            if per.get(a, 0) >= q.per_article:
                continue
            per[a] = per.get(a, 0) + 1
            picked.append((row, float(final[i])))
        info = self._confidence(plan, picked, qv)
        if q.per_article == 1:  # the article's answer passage: its best chunk for this kind of question
            shown = picked[: q.offset + q.k]
            fin = {int(c): float(f) for c, f in zip(cands, final, strict=True)}
            picked[: len(shown)] = [(self._answer_chunk(row, score, fin, plan), score) for row, score in shown]
        confident = bool(info["confident"])
        page = picked[q.offset : q.offset + q.k]
        hits = [self._hit(row, score, plan, nearest_only=not confident) for row, score in page]
        return Answer(question=question, confident=confident, hits=hits, total=len(picked), info=info)

    def _answer_chunk(self, row: int, score: float, fin: dict[int, float], plan: QueryPlan) -> int:
        """Among the chunks of ``row``'s article, the one that best answers: its fused score relative to
        the article's best, plus the share of the question's terms it contains, plus whether it holds
        the kind of thing asked for (a number for "how many", a name for "who", a date for "when"...)."""
        rows = self._art_rows[int(self._chunk_art[row])]
        if len(rows) == 1 or score <= 0:
            return row
        terms = [t for t in plan.highlight_terms if len(t) > 1]
        best, best_s = row, -1.0
        for r in rows:
            text = self.chunks[r].text
            rel = fin.get(r, 0.0) / score
            found = {text[a:b].lower() for a, b in highlight_spans(text, terms)}
            cover = len(found) / max(1, len(set(t.lower() for t in terms)))
            s = rel + 0.5 * cover + 0.5 * answer_type_match(plan.answer_types, text)
            if s > best_s:
                best, best_s = r, s
        return best

    # ------------------------------------------------------------------ confidence

    def _confidence(self, plan: QueryPlan, picked, qv: np.ndarray | None) -> dict:
        """Signals of the top hit, each on a scale that does not depend on the corpus or the model:

        - ``dense_z``: how far the top passage's similarity stands above the corpus' similarity
          distribution for this question (robust z-score: median and MAD over all chunks, or over a
          fixed random sample of ``CONFIDENCE_SAMPLE`` chunks in a larger corpus);
        - ``keyword_share``: the IDF-weighted share of the question's concepts the top passage matches;
        - ``date``: agreement of the top passage (or its article) with the question's dates (1 = inside).
        The hit is an answer when the dates agree (if the question has any) and the topical evidence is
        strong on either scale.
        """
        cfg = self.config
        info: dict = {"mode": cfg.mode}
        if not picked:
            info.update(confident=False, reason="no hits")
            return info
        row = picked[0][0]
        if cfg.mode != "hybrid":
            info.update(confident=True)
            return info
        sims = np.einsum("ij,j->i", self._sample, qv)
        med = float(np.median(sims))
        mad = float(np.median(np.abs(sims - med))) * 1.4826 + 1e-6
        top = float(self._dot(np.asarray([row]), qv)[0])
        z = (top - med) / mad
        ks = float(self.bm25.score_rows(plan.concepts, np.asarray([row]))[1][0])
        d = self._date_agreement(row, plan) if plan.dates else None
        topical_ok = z >= cfg.min_dense_z or ks >= cfg.min_keyword_share
        date_ok = d is None or d >= cfg.min_date_agreement
        info.update(dense_z=round(z, 3), dense=round(top, 4), keyword_share=round(ks, 3),
                    date=None if d is None else round(d, 3), confident=bool(topical_ok and date_ok),
                    dates=[(qd.span.first.isoformat(), qd.span.last.isoformat(), qd.year_explicit)
                           for qd in plan.dates.items])
        return info

    def _date_agreement(self, row: int, plan: QueryPlan) -> float:
        """How well the hit's article is about the question's dates: its headline's dates when the
        headline has any (the body also names release dates and background), else the chunk's own."""
        a = int(self._chunk_art[row])
        spans = self._title_dates.get(a)
        if not spans:
            spans = self.chunks[row].dates
        return max((qd.matches(sp) for qd in plan.dates.items for sp in spans), default=0.0)

    # ------------------------------------------------------------------ hits

    def _hit(self, row: int, score: float, plan: QueryPlan, *, nearest_only: bool) -> Hit:
        chunk = self.chunks[row]
        art = self.articles[chunk.article_id]
        text = chunk.text
        if self.config.passage_chars:  # the best span in this chunk or a neighbour (which then is the hit)
            rows = self._art_rows[int(self._chunk_art[row])]
            k = rows.index(row)
            near = rows[max(0, k - 1) : k + 2]
            pieces = [(self.chunks[r].start, self.chunks[r].end) for r in near]
            if self.config.passage_across_chunks:  # one region: the span may join two chunks
                pieces = [(pieces[0][0], pieces[-1][1])]
            s, e, i = answer_window(art.body, pieces, (chunk.start, chunk.end), plan.highlight_terms,
                                    plan.answer_types, self.config.passage_chars)
            if i >= 0 and not self.config.passage_across_chunks:
                chunk = self.chunks[near[i]]
            text = art.body[s:e]
        hl = highlight_spans(text, plan.highlight_terms)
        return Hit(
            chunk_id=chunk.chunk_id, article_id=art.id, url=art.url, title=art.title,
            published=art.published, section=art.section, passage=text, score=score, highlights=hl,
            alt_urls=art.alt_urls, nearest_only=nearest_only,
        )


KEYWORD_FILE = "keywords.npz"


def build_keyword_index(articles: dict[str, Article], chunks: list[Chunk],
                        tokenizer: KeywordTokenizer | None = None) -> BM25Index:
    """BM25 over each chunk's article title and text, in chunk (FAISS row) order."""
    tokenizer = tokenizer or KeywordTokenizer()
    return BM25Index.build(
        (tokenizer.tokens(articles[c.article_id].title + "\n" + c.text) for c in chunks), tokenizer=tokenizer.name
    )


def keyword_index_file(articles: list[Article], chunks: list[Chunk]) -> tuple[str, bytes]:
    """(file name, bytes) of the keyword index for ``NewGeneration.extra_files``, so that loading a
    generation does not tokenise the corpus again."""
    return KEYWORD_FILE, build_keyword_index({a.id: a for a in articles}, chunks).to_bytes()


def _ts(d: datetime) -> float:
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.timestamp()


def _lookup(rows: np.ndarray, values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``values`` at ``keys`` for sorted ``rows`` (0 where a key is not among the rows)."""
    out = np.zeros(len(keys), np.float64)
    if not len(rows):
        return out
    idx = np.minimum(np.searchsorted(rows, keys), len(rows) - 1)
    hit = rows[idx] == keys
    out[hit] = values[idx[hit]]
    return out


def _nprobe(index_type: str) -> int:
    """The nprobe of an ``ivfNLIST:NPROBE`` index type (0 when it names none)."""
    try:
        from ..store.generation import parse_index_type

        kind, p = parse_index_type(index_type)
    except ValueError:
        return 0
    return p.get("nprobe", 0) if kind == "ivf" else 0


def _search_params(index):
    """Search parameters of the index's kind (to carry a selector, keeping nprobe / efSearch)."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        p = faiss.SearchParametersIVF()
        p.nprobe = ivf.nprobe
        return p
    if isinstance(index, faiss.IndexHNSW):
        p = faiss.SearchParametersHNSW()
        p.efSearch = index.hnsw.efSearch
        return p
    return faiss.SearchParameters()


def _merge_concepts(concepts: list[QueryConcept]) -> list[QueryConcept]:
    """Drop repeated concepts (same spellings), keeping the highest weight."""
    best: dict[tuple, QueryConcept] = {}
    for c in concepts:
        key = tuple(sorted(c.variants))
        if key not in best or best[key].weight < c.weight:
            best[key] = c
    return list(best.values())

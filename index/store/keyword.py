"""A BM25 index as a sparse matrix, queried with weighted concepts (alternative spellings take the max).

``score(d) = sum_c w_c * max_{v in c} sum_{t in v} bm25(t, d)``: a concept is one thing the question names
(a word, or a glossary term with all its spellings); each spelling is a bag of tokens. A document holding only some
of a spelling's tokens gets partial credit, discounted by the square of the IDF-weighted share present
(so "Ground Self-Defense Force" counts little for "Air Self-Defense Force", where the rare word is missing,
while a Japanese compound split differently by the tokenizer still counts). Scores come out as numpy
vectors (vectorised, no Python loop over documents), for all documents (``scores``), for given ones
(``score_rows``), or as the exact top k (``top``), which skips most of the long posting lists of common
words (MaxScore-style upper bounds), so its work follows the rare words of the question rather than the corpus.
"""

from __future__ import annotations

import io
import json
import logging
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

log = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
_PRUNE_MIN_POSTINGS = 50_000  # below this, scoring every posting is as fast as skipping some
_SEED_POSTINGS = 20_000  # the documents of the rarest tokens, scored first for a threshold (see ``top``)


class _RowLookup:
    """The postings of query tokens among a sorted set of documents ``rows``, each token looked up once."""

    def __init__(self, index: BM25Index, rows: np.ndarray) -> None:
        self.index, self.rows = index, rows
        self._rows32 = rows.astype(np.int32)
        self._pos: np.ndarray | None = None
        self._seen: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}

    def gather(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(positions in ``rows`` of the documents in ``token``'s posting list, their weights)."""
        if token not in self._seen:
            self._seen[token] = self._gather(token)
        return self._seen[token]

    def _gather(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        c = self.index._column(token)
        if c is None:
            return None
        docs, vals = c
        if len(self.rows) * 12 < len(docs):  # few rows, a long list: binary search the rows in the list
            idx = np.minimum(np.searchsorted(docs, self._rows32), len(docs) - 1)
            hit = docs[idx] == self._rows32
            return np.flatnonzero(hit), vals[idx[hit]]
        if self._pos is None:  # else one pass over the list through a document -> position table
            self._pos = np.full(self.index.n_docs, -1, np.int32)
            self._pos[self.rows] = np.arange(len(self.rows), dtype=np.int32)
        pos = self._pos[docs]
        hit = np.flatnonzero(pos >= 0)  # (flatnonzero + take: several times faster than a boolean mask)
        return pos.take(hit), vals.take(hit)


@dataclass(frozen=True)
class QueryConcept:
    variants: tuple[tuple[str, ...], ...]  # each variant: a bag of tokens
    weight: float = 1.0
    # per variant, how much a match on it counts (empty: all 1): the question's own word counts fully, a
    # synonym in the same language less, so that a text using the question's word ranks first
    variant_weights: tuple[float, ...] = ()

    def variant_weight(self, i: int) -> float:
        return self.variant_weights[i] if i < len(self.variant_weights) else 1.0


class BM25Index:
    def __init__(self, vocab: dict[str, int], matrix: sparse.csc_matrix, idf: np.ndarray,
                 tokenizer: str = "") -> None:
        self.tokenizer = tokenizer  # the tokenizer the documents were tokenised with
        self.vocab = vocab
        self.matrix = matrix  # (n_docs, n_terms) BM25 term weights, CSC for fast column access
        self.idf = idf
        self.max_idf = float(np.log(1.0 + (matrix.shape[0] + 0.5) / 0.5))  # the IDF of an unseen token
        if not matrix.has_sorted_indices:
            matrix.sort_indices()
        self._col_len = np.diff(matrix.indptr)
        # the largest weight of each term (upper bounds for skipping documents in ``top``)
        self.col_max = np.zeros(matrix.shape[1], np.float64)
        nz = np.flatnonzero(self._col_len)
        if len(nz):
            self.col_max[nz] = np.maximum.reduceat(matrix.data, matrix.indptr[nz]).astype(np.float64)

    @property
    def n_docs(self) -> int:
        return self.matrix.shape[0]

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], k1: float = K1, b: float = B, *, tokenizer: str = "") -> BM25Index:
        """BM25 weights of ``docs`` (token lists), read once as a stream (see :class:`BM25Builder`)."""
        builder = BM25Builder(tokenizer)
        for toks in docs:
            builder.add(toks)
        return builder.finish(k1, b)

    def term_idf(self, token: str) -> float:
        j = self.vocab.get(token)
        return float(self.idf[j]) if j is not None else 0.0

    def _column(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        j = self.vocab.get(token)
        if j is None:
            return None
        m = self.matrix
        lo, hi = m.indptr[j], m.indptr[j + 1]
        return m.indices[lo:hi], m.data[lo:hi]

    def concept_scores(self, concept: QueryConcept) -> np.ndarray | None:
        """Per-document score of one concept (max over its spellings), or None when nothing matches."""
        rows = self._rows([concept])
        if not len(rows):
            return None
        out = np.zeros(self.n_docs, np.float32)
        s = self._concept_sparse(concept, rows, _RowLookup(self, rows))
        if s is None:
            return None
        out[rows] = s
        return out

    def _rows(self, concepts: Sequence[QueryConcept]) -> np.ndarray:
        """The sorted union of the posting lists of every token of the concepts."""
        return self._union({j for c in concepts for v in c.variants for t in v if (j := self.vocab.get(t)) is not None})

    def _spelling_idf(self, toks: Sequence[str]) -> tuple[dict[str, float], float]:
        """The IDF of each token of a spelling (an unseen token: the largest possible) and their sum: the
        weights of the partial-credit share."""
        idf = {t: self.term_idf(t) if t in self.vocab else self.max_idf for t in toks}
        return idf, sum(idf.values()) or 1.0

    def _concept_sparse(self, concept: QueryConcept, rows: np.ndarray, lookup: _RowLookup) -> np.ndarray | None:
        """``concept_scores`` at ``rows`` (sorted documents): the same float32 arithmetic per document."""
        best: np.ndarray | None = None
        weights: dict[tuple[str, ...], float] = {}
        for i, variant in enumerate(concept.variants):  # (a repeated spelling: its largest weight)
            weights[variant] = max(weights.get(variant, 0.0), concept.variant_weight(i))
        for variant, vw in weights.items():
            toks = list(dict.fromkeys(variant))
            cols = [(t, *g) for t in toks if (g := lookup.gather(t)) is not None]
            if not cols:
                continue
            acc = np.zeros(len(rows), np.float32)
            if len(toks) == 1:
                acc[cols[0][1]] = cols[0][2]
            else:  # partial credit: the squared IDF-weighted share of the spelling's tokens present
                idf, total = self._spelling_idf(toks)
                have = np.zeros(len(rows), np.float32)
                for t, pos, vals in cols:  # (np.add.at: unbuffered, faster than ``acc[pos] += vals`` here)
                    np.add.at(acc, pos, vals)
                    np.add.at(have, pos, np.float32(idf[t]))
                acc *= (have / total) ** 2
            if vw != 1.0:
                acc *= np.float32(vw)
            best = acc if best is None else np.maximum(best, acc, out=best)
        return best

    def score_rows(self, concepts: Sequence[QueryConcept], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(score, share) of the documents ``rows`` (sorted, distinct), exactly as ``scores`` gives them;
        the work is proportional to the rows and the posting lists, not to the corpus."""
        rows = np.asarray(rows, np.int64)
        lookup = _RowLookup(self, rows)
        total = np.zeros(len(rows), np.float32)
        covered = np.zeros(len(rows), np.float32)
        mass = 0.0
        for c in concepts:
            idf = max((sum(self.term_idf(t) for t in v) for v in c.variants), default=0.0)
            mass += c.weight * max(idf, 1e-3)
            if not len(rows):
                continue
            s = self._concept_sparse(c, rows, lookup)
            if s is None:
                continue
            total += c.weight * s
            covered += (s > 0) * np.float32(c.weight * max(idf, 1e-3))
        share = covered / mass if mass > 0 else covered
        return total, share

    def concept_idf(self, concept: QueryConcept) -> float:
        """How rare the concept is: the summed IDF of its rarest spelling the corpus uses; when it uses none,
        of its spellings with every token at the largest IDF (a word the corpus never uses is the strongest
        sign that it cannot answer)."""
        seen = [v for v in concept.variants if all(t in self.vocab for t in v)]
        return max((sum(self._spelling_idf(list(dict.fromkeys(v)))[0].values()) for v in seen or concept.variants),
                   default=0.0)

    def concept_rarity(self, concept: QueryConcept) -> float:
        """The IDF of the concept as one word, however spelt: from the documents that hold any of its
        spellings (each counted by its rarest token, an upper bound of the documents that hold it whole).
        Unlike ``concept_idf`` a long spelling (a full organisation name) does not make a common concept
        rare. An unseen concept: the largest IDF."""
        df = 0
        for v in dict.fromkeys(concept.variants):
            cols = [self.vocab.get(t) for t in dict.fromkeys(v)]
            if cols and all(j is not None for j in cols):
                df += int(min(self._col_len[j] for j in cols))
        if df == 0:
            return self.max_idf
        n = self.n_docs
        df = min(df, n)
        return float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))

    def concept_seen(self, concept: QueryConcept) -> bool:
        """Whether every token of one of the concept's spellings occurs in the corpus."""
        return any(all(t in self.vocab for t in v) for v in concept.variants)

    def concept_matches(self, concepts: Sequence[QueryConcept], rows: np.ndarray) -> np.ndarray:
        """(len(concepts), len(rows)) booleans: which concept matches (scores above 0 in) which row."""
        rows = np.asarray(rows, np.int64)
        out = np.zeros((len(concepts), len(rows)), bool)
        if not len(rows):
            return out
        lookup = _RowLookup(self, rows)
        for i, c in enumerate(concepts):
            s = self._concept_sparse(c, rows, lookup)
            if s is not None:
                out[i] = s > 0
        return out

    def concept_held(self, concepts: Sequence[QueryConcept], rows: np.ndarray) -> np.ndarray:
        """(len(concepts), len(rows)) booleans: which document holds one of the concept's spellings whole
        (every token of it), not only the partial credit a fragment earns in the scores ("大臣" is not
        "総理大臣")."""
        rows = np.asarray(rows, np.int64)
        out = np.zeros((len(concepts), len(rows)), bool)
        if not len(rows):
            return out
        lookup = _RowLookup(self, rows)
        for i, c in enumerate(concepts):
            for variant in dict.fromkeys(c.variants):
                have = np.ones(len(rows), bool)
                for t in dict.fromkeys(variant):
                    g = lookup.gather(t)
                    mark = np.zeros(len(rows), bool)
                    if g is not None:
                        mark[g[0]] = True
                    have &= mark
                    if not have.any():
                        break
                out[i] |= have
        return out

    def sparse_scores(self, concepts: Sequence[QueryConcept]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, score, share) for the documents in any posting list of the concepts (rows sorted); the
        other documents score 0. Work is proportional to the posting lists, not to the corpus."""
        rows = self._rows(concepts)
        score, share = self.score_rows(concepts, rows)
        return rows, score, share

    def top(self, concepts: Sequence[QueryConcept], k: int,
            allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best-scoring documents (score > 0, among ``allowed``, a boolean mask over documents,
        when given) and their scores, best first, ties by document: exactly the top of ``scores``.

        Skips most of the long posting lists of common words (MaxScore, per token): the exact scores of
        the documents of the rarest tokens give a threshold ``theta`` that the k-th best score reaches at
        least; a set of tokens whose greatest possible joint score (their largest weights, with the
        partial-credit discount of the spellings they belong to) stays under ``theta`` cannot lift a
        document holding only them into the k best, so their lists are only probed for the documents
        found in the other lists."""
        bounds = _Bounds(self, concepts)
        theta = 0.0
        skipped: set[int] = set()
        if bounds.cost > _PRUNE_MIN_POSTINGS and len(bounds.tokens) > 1:
            # a first threshold: the exact k-th best among the documents of the rarest tokens
            seed: list[int] = []
            seed_cost = 0
            for j in sorted(bounds.tokens, key=lambda j: int(self._col_len[j])):
                if seed and seed_cost + self._col_len[j] > _SEED_POSTINGS:
                    break
                seed.append(j)
                seed_cost += int(self._col_len[j])
            rows = self._allowed(self._union(seed), allowed)
            if len(rows) >= k:
                score, _ = self.score_rows(concepts, rows)
                theta = float(np.partition(score, len(score) - k)[len(score) - k])
            if theta > 0:  # the longest lists first, while the bound stays under theta
                for j in sorted(bounds.tokens, key=lambda j: -int(self._col_len[j])):
                    if bounds.upper(skipped | {j}) * (1 + 1e-4) + 1e-6 < theta:  # (margin: float32 sums)
                        skipped.add(j)
        # (documents only in lists of concepts weighing 0 or less score 0 or less: left out with them)
        rows = self._allowed(self._union(bounds.tokens - skipped), allowed)
        score, _ = self.score_rows(concepts, rows)
        keep = score >= theta if theta > 0 else score > 0  # (the k-th best scores theta at least)
        return top_rows(rows[keep], score[keep], k)

    def _union(self, cols: Iterable[int]) -> np.ndarray:
        """The sorted union of the posting lists of term columns ``cols``."""
        m = self.matrix
        mark = np.zeros(self.n_docs, bool)
        for j in cols:
            mark[m.indices[m.indptr[j] : m.indptr[j + 1]]] = True
        return np.flatnonzero(mark)

    @staticmethod
    def _allowed(rows: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        return rows if allowed is None else rows[allowed[rows]]

    def scores(self, concepts: Sequence[QueryConcept]) -> tuple[np.ndarray, np.ndarray]:
        """(score per document, share of the concepts' weight matched per document).

        The matched share weighs each concept by its weight times its best spelling's IDF, so that a
        passage matching the rare words of the question scores a high share.
        """
        rows, kw, share = self.sparse_scores(concepts)
        total = np.zeros(self.n_docs, np.float32)
        covered = np.zeros(self.n_docs, np.float32)
        total[rows] = kw
        covered[rows] = share
        return total, covered

    # -- persistence (no pickle): npz of arrays + JSON vocabulary

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()

    def save(self, fh) -> None:
        """Write the bytes of :meth:`to_bytes` to the binary file ``fh``, array by array."""
        m = self.matrix
        np.savez_compressed(
            fh, data=m.data, indices=m.indices, indptr=m.indptr, shape=np.asarray(m.shape, np.int64),
            idf=self.idf, tokenizer=np.frombuffer(self.tokenizer.encode(), np.uint8),
            vocab=np.frombuffer(json.dumps(self.vocab, ensure_ascii=False).encode(), np.uint8),
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> BM25Index:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        mat = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(int(x) for x in z["shape"]))
        vocab = json.loads(z["vocab"].tobytes().decode())
        return cls(vocab, mat, z["idf"], z["tokenizer"].tobytes().decode())


class BM25Builder:
    """Documents added one at a time (in row order), then :meth:`finish`: term counts go straight into
    compact arrays (about 8 bytes per distinct term of a document), so a million chunks can be indexed
    without holding their texts or token lists."""

    def __init__(self, tokenizer: str = "") -> None:
        self.tokenizer = tokenizer
        self.vocab: dict[str, int] = {}
        self._indptr = array("q", [0])
        self._cols = array("i")
        self._counts = array("f")
        self._lengths = array("f")

    def __len__(self) -> int:
        return len(self._lengths)

    def add(self, toks: Sequence[str]) -> None:
        for t, k in Counter(toks).items():
            self._cols.append(self.vocab.setdefault(t, len(self.vocab)))
            self._counts.append(k)
        self._indptr.append(len(self._cols))
        self._lengths.append(len(toks))

    def finish(self, k1: float = K1, b: float = B) -> BM25Index:
        vocab, n = self.vocab, len(self._lengths)
        tf = sparse.csr_matrix(
            (np.frombuffer(self._counts, np.float32), np.frombuffer(self._cols, np.int32),
             np.frombuffer(self._indptr, np.int64)),
            shape=(n, max(len(vocab), 1)),
        )
        dl = np.frombuffer(self._lengths, np.float32)
        avgdl = float(dl.mean()) if n else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1.0 - b + b * dl / max(avgdl, 1e-6))
        tf = tf.tocoo()
        vals = tf.data * (k1 + 1.0) / (tf.data + norm[tf.row]) * idf[tf.col]
        mat = sparse.csc_matrix((vals.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
        return BM25Index(vocab, mat, idf, self.tokenizer)


def top_rows(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``rows`` of the k largest scores and those scores, best first (ties: lower row first)."""
    if len(rows) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        kth = scores[part].min()  # keep every row tied with the k-th, then cut after ordering the ties
        part = np.flatnonzero(scores >= kth)
        rows, scores = rows[part], scores[part]
    order = np.lexsort((rows, -scores))[:k]
    return rows[order].astype(np.int64), scores[order]


class _Bounds:
    """Upper bounds of the scores of documents that hold only some of a query's tokens."""

    def __init__(self, index: BM25Index, concepts: Sequence[QueryConcept]) -> None:
        # per concept (weight > 0): its spellings as [(column or None, idf, largest weight)], total idf
        self.concepts: list[tuple[float, list[tuple[list[tuple[int | None, float, float]], float]]]] = []
        self.tokens: set[int] = set()
        for c in concepts:
            if c.weight <= 0:
                continue
            spellings = []
            for v in c.variants:
                idf, total = index._spelling_idf(list(dict.fromkeys(v)))
                parts = [(j, w, float(index.col_max[j]) if j is not None else 0.0)
                         for t, w in idf.items() for j in [index.vocab.get(t)]]
                spellings.append((parts, total))
                self.tokens.update(p[0] for p in parts if p[0] is not None)
            self.concepts.append((c.weight, spellings))
        self.cost = int(sum(int(index._col_len[j]) for j in self.tokens))

    def upper(self, held: set[int]) -> float:
        """The greatest score of a document whose query tokens are all in ``held``."""
        out = 0.0
        for weight, spellings in self.concepts:
            best = 0.0
            for parts, total in spellings:
                have = [p for p in parts if p[0] in held]
                if not have:
                    continue
                top = sum(p[2] for p in have)
                if len(parts) > 1:  # partial credit
                    top *= (sum(p[1] for p in have) / total) ** 2
                best = max(best, top)
            out += weight * best
        return out

"""A BM25 index as a sparse matrix, queried with weighted concepts (alternative spellings take the max).

``score(d) = sum_c w_c * max_{v in c} sum_{t in v} bm25(t, d)``: a concept is one thing the question names
(a word, or a glossary term with all its spellings); each spelling is a bag of tokens. A document holding only some
of a spelling's tokens gets partial credit, discounted by the square of the IDF-weighted share present
(so "Ground Self-Defense Force" counts little for "Air Self-Defense Force", where the rare word is missing,
while a Japanese compound split differently by the tokenizer still counts). Scores for all
documents come out as one numpy vector (vectorised, no Python loop over documents).
"""

from __future__ import annotations

import io
import json
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class QueryConcept:
    variants: tuple[tuple[str, ...], ...]  # each variant: a bag of tokens
    weight: float = 1.0


class BM25Index:
    def __init__(self, vocab: dict[str, int], matrix: sparse.csc_matrix, idf: np.ndarray,
                 tokenizer: str = "") -> None:
        self.tokenizer = tokenizer  # the tokenizer the documents were tokenised with
        self.vocab = vocab
        self.matrix = matrix  # (n_docs, n_terms) BM25 term weights, CSC for fast column access
        self.idf = idf
        self.max_idf = float(np.log(1.0 + (matrix.shape[0] + 0.5) / 0.5))  # the IDF of an unseen token

    @property
    def n_docs(self) -> int:
        return self.matrix.shape[0]

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], k1: float = K1, b: float = B, *, tokenizer: str = "") -> BM25Index:
        """BM25 weights of ``docs`` (token lists), read once as a stream.

        Term counts go straight into compact arrays (about 8 bytes per distinct term of a document), so a
        million chunks can be indexed without holding their token lists.
        """
        vocab: dict[str, int] = {}
        indptr = array("q", [0])
        cols = array("i")
        counts = array("f")
        lengths = array("f")
        for toks in docs:
            for t, k in Counter(toks).items():
                cols.append(vocab.setdefault(t, len(vocab)))
                counts.append(k)
            indptr.append(len(cols))
            lengths.append(len(toks))
        n = len(lengths)
        tf = sparse.csr_matrix(
            (np.frombuffer(counts, np.float32), np.frombuffer(cols, np.int32), np.frombuffer(indptr, np.int64)),
            shape=(n, max(len(vocab), 1)),
        )
        dl = np.frombuffer(lengths, np.float32)
        avgdl = float(dl.mean()) if n else 1.0
        df = np.bincount(tf.indices, minlength=tf.shape[1]).astype(np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1.0 - b + b * dl / max(avgdl, 1e-6))
        tf = tf.tocoo()
        vals = tf.data * (k1 + 1.0) / (tf.data + norm[tf.row]) * idf[tf.col]
        mat = sparse.csc_matrix((vals.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
        return cls(vocab, mat, idf, tokenizer)

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
        rows, where = self._rows([concept])
        if not len(rows):
            return None
        out = np.zeros(self.n_docs, np.float32)
        s = self._concept_sparse(concept, rows, where)
        if s is None:
            return None
        out[rows] = s
        return out

    def _rows(self, concepts: Sequence[QueryConcept]) -> tuple[np.ndarray, np.ndarray]:
        """(sorted union of the posting lists of every token of the concepts, document -> position in
        that union; valid at the union's documents only)."""
        mark = np.zeros(self.n_docs, bool)
        for con in concepts:
            for v in con.variants:
                for t in v:
                    if (c := self._column(t)) is not None:
                        mark[c[0]] = True
        rows = np.flatnonzero(mark)
        where = np.empty(self.n_docs, np.int64)
        where[rows] = np.arange(len(rows))
        return rows, where

    def _concept_sparse(self, concept: QueryConcept, rows: np.ndarray, where: np.ndarray) -> np.ndarray | None:
        """``concept_scores`` restricted to ``rows`` (a superset of the concept's postings; ``where`` maps
        a document to its position in ``rows``): the same float32 arithmetic per document."""
        best: np.ndarray | None = None
        for variant in concept.variants:
            toks = list(dict.fromkeys(variant))
            cols = [(t, where[c[0]], c[1]) for t in toks if (c := self._column(t)) is not None]
            if not cols:
                continue
            acc = np.zeros(len(rows), np.float32)
            if len(toks) == 1:
                acc[cols[0][1]] = cols[0][2]
            else:  # partial credit: the squared IDF-weighted share of the spelling's tokens present
                idf = {t: self.term_idf(t) if t in self.vocab else self.max_idf for t in toks}
                total = sum(idf.values()) or 1.0
                have = np.zeros(len(rows), np.float32)
                for t, pos, vals in cols:
                    acc[pos] += vals
                    have[pos] += idf[t]
                acc *= (have / total) ** 2
            best = acc if best is None else np.maximum(best, acc)
        return best

    def sparse_scores(self, concepts: Sequence[QueryConcept]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, score, share) for the documents in any posting list of the concepts (rows sorted); the
        other documents score 0. Work is proportional to the posting lists, not to the corpus."""
        rows, where = self._rows(concepts)
        total = np.zeros(len(rows), np.float32)
        covered = np.zeros(len(rows), np.float32)
        mass = 0.0
        for c in concepts:
            idf = max((sum(self.term_idf(t) for t in v) for v in c.variants), default=0.0)
            mass += c.weight * max(idf, 1e-3)
            if not len(rows):
                continue
            s = self._concept_sparse(c, rows, where)
            if s is None:
                continue
            total += c.weight * s
            covered += (s > 0) * np.float32(c.weight * max(idf, 1e-3))
        share = covered / mass if mass > 0 else covered
        return rows, total, share

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
        m = self.matrix
        np.savez_compressed(
            buf, data=m.data, indices=m.indices, indptr=m.indptr, shape=np.asarray(m.shape, np.int64),
            idf=self.idf, tokenizer=np.frombuffer(self.tokenizer.encode(), np.uint8),
            vocab=np.frombuffer(json.dumps(self.vocab, ensure_ascii=False).encode(), np.uint8),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> BM25Index:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        mat = sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(int(x) for x in z["shape"]))
        vocab = json.loads(z["vocab"].tobytes().decode())
        return cls(vocab, mat, z["idf"], z["tokenizer"].tobytes().decode())

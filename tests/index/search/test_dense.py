"""The corpus' scale of similarity: where a question's best passage stands between unrelated and related text."""

from __future__ import annotations

import faiss
import numpy as np

from index.search.dense import DenseIndex, similarity_scale


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _dense(vectors: np.ndarray) -> DenseIndex:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return DenseIndex(index, "flat")


def test_neighbouring_chunks_set_the_related_end_and_random_pairs_the_unrelated_end():
    rng = np.random.default_rng(1)
    topics = _unit(rng.normal(size=(40, 32)))
    # 40 articles of 3 chunks each: each chunk its article's topic plus a little noise
    vectors = _unit(np.repeat(topics, 3, axis=0) + 0.05 * rng.normal(size=(120, 32)))
    art_rows = [[3 * a, 3 * a + 1, 3 * a + 2] for a in range(40)]
    lo, hi = similarity_scale(_dense(vectors), art_rows)
    assert -0.3 < lo < 0.3 < 0.7 < hi < 1.0  # random pairs near orthogonal, neighbours close
    assert similarity_scale(_dense(vectors), art_rows) == (lo, hi)  # seeded: the same scale every load


def test_a_corpus_without_neighbouring_chunks_has_no_scale():
    vectors = _unit(np.random.default_rng(2).normal(size=(10, 16)))
    assert similarity_scale(_dense(vectors), [[i] for i in range(10)]) is None

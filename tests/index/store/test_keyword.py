"""BM25 top-k with skipped posting lists (MaxScore) gives exactly the top of the full scores."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from index.store import keyword
from index.store.keyword import BM25Index, QueryConcept, _Bounds, top_rows

VOCAB = [f"t{i}" for i in range(12)]


def _corpus(seed: int, n_docs: int) -> list[list[str]]:
    """Documents whose tokens follow a Zipf-like law: t0 is nearly everywhere, t11 is rare."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, len(VOCAB) + 1) ** 1.3
    p /= p.sum()
    return [list(rng.choice(VOCAB, size=rng.integers(0, 12), p=p)) for _ in range(n_docs)]


tokens = st.sampled_from([*VOCAB, "unseen"])
concepts_st = st.lists(
    st.builds(
        QueryConcept,
        st.lists(st.lists(tokens, min_size=1, max_size=3).map(tuple), min_size=1, max_size=3).map(tuple),
        st.sampled_from([0.3, 0.6, 1.0, 2.0]),
        st.lists(st.sampled_from([0.5, 0.7, 1.0]), max_size=3).map(tuple),  # per-variant weights (synonyms)
    ),
    min_size=1, max_size=5,
)


def test_top_rows_orders_by_score_then_row():
    rows = np.array([10, 3, 7, 5, 9])
    scores = np.array([1.0, 2.0, 2.0, 0.5, 2.0], np.float32)
    assert list(top_rows(rows, scores, 2)[0]) == [3, 7]
    assert list(top_rows(rows, scores, 10)[0]) == [3, 7, 9, 10, 5]


def _expected_top(idx: BM25Index, concepts, k: int, allowed: np.ndarray | None):
    score, _ = idx.scores(concepts)
    ok = score > 0
    if allowed is not None:
        ok &= allowed
    rows = np.flatnonzero(ok)
    order = np.lexsort((rows, -score[rows]))[:k]
    return rows[order], score[rows][order]


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 10_000), n_docs=st.integers(1, 400), concepts=concepts_st, k=st.integers(1, 30),
       filtered=st.booleans())
def test_top_equals_the_top_of_the_full_scores(seed, n_docs, concepts, k, filtered):
    idx = BM25Index.build(_corpus(seed, n_docs))
    allowed = np.random.default_rng(seed + 1).random(n_docs) < 0.6 if filtered else None
    want_rows, want_scores = _expected_top(idx, concepts, k, allowed)
    # prune at every size (the production thresholds only prune large corpora)
    with mock.patch.object(keyword, "_PRUNE_MIN_POSTINGS", 0), mock.patch.object(keyword, "_SEED_POSTINGS", 5):
        rows, scores = idx.top(concepts, k, allowed)
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_array_equal(scores, want_scores)  # bit for bit: the same float32 arithmetic
    rows, scores = idx.top(concepts, k, allowed)  # unpruned at this size
    np.testing.assert_array_equal(rows, want_rows)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), n_docs=st.integers(1, 300), concepts=concepts_st)
def test_the_bound_holds_for_every_document(seed, n_docs, concepts):
    docs = _corpus(seed, n_docs)
    idx = BM25Index.build(docs)
    score, _ = idx.scores(concepts)
    bounds = _Bounds(idx, concepts)
    for d, toks in enumerate(docs):
        held = {idx.vocab[t] for t in toks} & bounds.tokens
        assert score[d] <= bounds.upper(held) * (1 + 1e-5) + 1e-6


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10_000), n_docs=st.integers(1, 300), concepts=concepts_st, data=st.data())
def test_score_rows_equals_the_full_scores_at_those_rows(seed, n_docs, concepts, data):
    idx = BM25Index.build(_corpus(seed, n_docs))
    rows = np.asarray(sorted(data.draw(st.sets(st.integers(0, n_docs - 1), max_size=n_docs))), np.int64)
    full_score, full_share = idx.scores(concepts)
    score, share = idx.score_rows(concepts, rows)
    np.testing.assert_array_equal(score, full_score[rows])
    np.testing.assert_array_equal(share, full_share[rows])


def test_common_words_lists_are_skipped_not_read_whole():
    # "the" is in every document, "rare" in a few: the k best hold "rare", and a document holding only
    # "the" cannot reach them, so the final candidates are the documents of "rare", not the corpus
    docs = [["the", "x"] for _ in range(3000)]
    for d in (5, 70, 900, 2999):
        docs[d] = ["the", "rare", "rare"]
    idx = BM25Index.build(docs)
    concepts = [QueryConcept((("the",),)), QueryConcept((("rare",),))]
    unions: list[int] = []
    real_union = idx._union
    with mock.patch.object(keyword, "_PRUNE_MIN_POSTINGS", 0), \
            mock.patch.object(idx, "_union", side_effect=lambda cols: unions.append(len(r := real_union(cols))) or r):
        rows, _ = idx.top(concepts, 3)
    assert list(rows) == [5, 70, 900]
    assert unions[-1] == 4  # the documents of "rare" only
    np.testing.assert_array_equal(rows, _expected_top(idx, concepts, 3, None)[0])


def _reference_score(idx: BM25Index, doc: list[str], d: int, concepts) -> float:
    """The scoring formula of the module docstring, written per document in plain Python."""
    m = idx.matrix.tocsr()
    weight = {t: float(m[d, idx.vocab[t]]) for t in set(doc)}
    out = 0.0
    for c in concepts:
        best = 0.0
        for i, v in enumerate(c.variants):
            toks = list(dict.fromkeys(v))
            s = sum(weight.get(t, 0.0) for t in toks)
            if len(toks) > 1:
                idf = [idx.term_idf(t) if t in idx.vocab else idx.max_idf for t in toks]
                s *= (sum(i for t, i in zip(toks, idf, strict=True) if t in weight) / sum(idf)) ** 2
            best = max(best, s * (c.variant_weights[i] if i < len(c.variant_weights) else 1.0))
        out += c.weight * best
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_docs=st.integers(1, 60), concepts=concepts_st)
def test_scores_follow_the_documented_formula(seed, n_docs, concepts):
    docs = _corpus(seed, n_docs)
    idx = BM25Index.build(docs)
    score, _ = idx.scores(concepts)
    want = [_reference_score(idx, doc, d, concepts) for d, doc in enumerate(docs)]
    np.testing.assert_allclose(score, want, rtol=1e-5, atol=1e-6)


def test_a_synonym_counts_less_than_the_questions_own_word():
    idx = BM25Index.build([["own", "x"], ["syn", "x"], ["x"], ["y"]])
    concept = QueryConcept((("own",), ("syn",)), 1.0, (1.0, 0.7))
    score, _ = idx.scores([concept])
    assert score[0] > score[1] > 0 == score[2]
    assert idx.concept_matches([concept], np.arange(4))[0].tolist() == [True, True, False, False]


def test_concept_rarity_is_that_of_the_thing_not_of_its_longest_spelling():
    docs = [["mod"] for _ in range(30)] + [["ministry", "of", "defense"], ["rare"], *[["z"]] * 8]
    idx = BM25Index.build(docs)
    common = QueryConcept((("mod",), ("ministry", "of", "defense")))
    rare = QueryConcept((("rare",),))
    # summed over a long spelling's tokens, the common concept would outweigh the rare word
    assert idx.concept_idf(common) > idx.concept_idf(rare)
    assert idx.concept_rarity(common) < idx.concept_rarity(rare)
    assert idx.concept_rarity(QueryConcept((("never",),))) == idx.max_idf


def test_a_concept_is_held_only_by_a_whole_spelling():
    idx = BM25Index.build([["総理", "大臣"], ["大臣"], ["首相"], []])
    pm = QueryConcept((("総理", "大臣"), ("首相",)))
    assert idx.concept_matches([pm], np.arange(4))[0].tolist() == [True, True, True, False]  # (partial credit)
    assert idx.concept_held([pm], np.arange(4))[0].tolist() == [True, False, True, False]

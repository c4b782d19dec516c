"""Index types (flat, sqfp16, ivf) and the searcher's candidate-only scoring paths."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import faiss
import numpy as np
import pytest

from index.embedding.fake import HashEmbedder
from index.ingest.indexer import Indexer
from index.models import Query
from index.search.searcher import Searcher
from index.sources.formats import parse_jsonl_file
from index.store.keyword import BM25Index, QueryConcept
from index.store.vectors import build_faiss, parse_index_type

SAMPLE = Path(__file__).resolve().parents[3] / "bot" / "data" / "sample" / "articles.jsonl"
QUESTIONS = [
    "護衛艦の進水式はいつ行われたか",
    "Which ship was launched at the Nagasaki shipyard?",
    "防衛大臣 会談 2025年",
    "陸上自衛隊 災害派遣",
    "F-35 配備",
]


def _unit(n: int, d: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("flat", ("flat", {})),
        ("sqfp16", ("sqfp16", {})),
        ("hnsw32", ("hnsw", {"m": 32})),
        ("ivf4096:512", ("ivf", {"nlist": 4096, "nprobe": 512})),
        ("ivf1024", ("ivf", {"nlist": 1024, "nprobe": 64})),
        ("ivf16:99", ("ivf", {"nlist": 16, "nprobe": 16})),
    ],
)
def test_parse_index_type(text, expected):
    assert parse_index_type(text) == expected


@pytest.mark.parametrize("text", ["ivf", "ivf0", "ivf8:0", "sq8", "flat2", "", "hnswx"])
def test_parse_index_type_rejects(text):
    with pytest.raises(ValueError, match="index type"):
        parse_index_type(text)


def test_sqfp16_finds_the_same_neighbours_as_flat():
    x = _unit(3000)
    flat, sq = build_faiss(x, 32, "flat"), build_faiss(x, 32, "sqfp16")
    assert isinstance(sq, faiss.IndexScalarQuantizer) and sq.ntotal == 3000
    q = _unit(20, seed=1)
    _, a = flat.search(q, 10)
    _, b = sq.search(q, 10)
    assert np.mean([len(set(a[i]) & set(b[i])) / 10 for i in range(20)]) >= 0.99


def test_ivf_is_trained_with_its_nprobe_and_tiny_corpora_fall_back_to_flat():
    x = _unit(2000)
    ivf = build_faiss(x, 32, "ivf16:8")
    assert isinstance(ivf, faiss.IndexIVFFlat) and ivf.nlist == 16 and ivf.nprobe == 8 and ivf.ntotal == 2000
    _, ids = ivf.search(x[:5], 1)
    assert list(ids[:, 0]) == [0, 1, 2, 3, 4]  # a stored vector finds itself
    small = build_faiss(x[:100], 32, "ivf16:8")  # fewer than ~39 training points per list
    assert isinstance(small, faiss.IndexFlatIP) and small.ntotal == 100


def test_sparse_bm25_scores_match_the_dense_definition():
    docs = [["a", "b"], ["b", "c", "c"], ["d"], ["a", "c"], [], ["b"]]
    idx = BM25Index.build(docs)
    concepts = [QueryConcept((("a",), ("b", "c")), 1.0), QueryConcept((("d", "zz"),), 0.3)]
    rows, kw, share = idx.sparse_scores(concepts)
    assert list(rows) == [0, 1, 2, 3, 5]
    full_kw, full_share = idx.scores(concepts)
    assert full_kw[4] == 0 and full_share[4] == 0
    # the dense definition, concept by concept
    expect = np.zeros(len(docs), np.float32)
    for c in concepts:
        expect += c.weight * idx.concept_scores(c)
    np.testing.assert_array_equal(full_kw, expect)
    np.testing.assert_array_equal(full_kw[rows], kw)
    np.testing.assert_array_equal(full_share[rows], share)


@pytest.fixture(scope="module")
def generations(tmp_path_factory):
    arts = parse_jsonl_file(SAMPLE).articles
    emb = HashEmbedder()
    out = {}
    for kind in ("flat", "sqfp16"):
        d = tmp_path_factory.mktemp(kind)
        Indexer(d, emb, index_type=kind).ingest(arts)
        out[kind] = d
    return emb, out


def _answers(searcher: Searcher) -> list[tuple]:
    out = []
    for q in QUESTIONS:
        for kw in ({}, {"since": datetime(2025, 1, 1)}, {"k": 3, "offset": 2}):
            a = searcher.search(Query(text=q, today=date(2025, 12, 1), **kw))
            out.append((a.confident, a.total, [h.chunk_id for h in a.hits]))
    return out


def test_sqfp16_generation_answers_like_flat(generations):
    emb, dirs = generations
    flat = Searcher.load(dirs["flat"], emb)
    sq = Searcher.load(dirs["sqfp16"], emb)
    assert flat.dense._vectors is not None and sq.dense._vectors is None and sq.dense._vectors16 is not None
    a, b = _answers(flat), _answers(sq)
    assert sum(x[2][:1] == y[2][:1] for x, y in zip(a, b, strict=True)) == len(a)  # same best hit
    assert sum(x == y for x, y in zip(a, b, strict=True)) >= 0.8 * len(a)


def test_restricted_dense_search_agrees_between_gather_and_faiss_selector(generations, monkeypatch):
    emb, dirs = generations
    s = Searcher.load(dirs["flat"], emb)
    qv = np.asarray(emb.embed_query(QUESTIONS[0]), np.float32)
    rows = np.arange(0, s.n_chunks, 3)
    gathered = s.dense.top(qv, 10, rows)
    monkeypatch.setattr("index.search.dense.GATHER_MAX", 0)
    selected = s.dense.top(qv, 10, rows)
    assert set(gathered) <= set(rows) and len(gathered) == 10
    assert list(gathered) == list(selected)


def test_ivf_generation_is_searched_with_its_nprobe(tmp_path):
    """A generation built as IVF (enough chunks not to fall back) answers like flat when nprobe = nlist."""
    arts = parse_jsonl_file(SAMPLE).articles  # ~90 chunks: 2 lists of >= 39 vectors each
    emb = HashEmbedder()
    Indexer(tmp_path / "flat", emb).ingest(arts)
    Indexer(tmp_path / "ivf", emb, index_type="ivf2:2").ingest(arts)
    flat = Searcher.load(tmp_path / "flat", emb)
    ivf = Searcher.load(tmp_path / "ivf", emb)
    index = faiss.extract_index_ivf(ivf.gen.faiss)
    assert index.nlist == 2 and index.nprobe == 2  # reapplied at load from the manifest's type
    assert _answers(ivf) == _answers(flat)  # all lists probed: exact search, the same answers

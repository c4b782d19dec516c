"""The searcher's settings: which signals, how deep, how they are fused, how big a passage is, and the
confidence thresholds."""

from __future__ import annotations

from dataclasses import dataclass

RRF_K = 60


@dataclass(frozen=True)
class SearchConfig:
    """Fusion settings. ``mode`` selects the full hybrid or one of the single-signal baselines."""

    mode: str = "hybrid"  # hybrid | dense | bm25
    depth: int = 200  # candidates taken from each ranking
    fusion: str = "margin"  # margin (reciprocal rank, the keyword side scaled by its scores over its best:
    # keeps its margins) | rrf (reciprocal rank) | score (relative score fusion)
    rrf_k: int = RRF_K
    # rank the dense and keyword candidates within each language (Japanese, other) before fusing: each
    # side favours the question's own language (see ``Searcher._by_language``)
    per_language: bool = True
    w_dense: float = 1.0
    w_keyword: float = 1.0
    # surface matching (Japanese questions): character bigrams over the best candidates, one more ranking
    # in the fusion with this weight (0: off); see index.search.surface
    surface_weight: float = 0.5
    surface_depth: int = 50
    # an article that does not hold a name of the question (a country, unit, person the corpus knows)
    # loses this share of its score per name missing, among the best ``name_depth`` (see index.search.names)
    name_penalty: float = 0.3
    name_depth: int = 30
    date_boost: float = 1.5  # final = topical * (1 + date_boost * date agreement)
    glossary: bool = True
    expand_dense: bool = True  # add the Japanese spellings of glossary terms to an English dense query
    passage_chars: int = 240  # the passage: the sentences that answer, at most this size (0: the chunk)
    passage_sentences: int = 2  # ... and at most this many sentences
    passage_across_chunks: bool = True  # the answering sentences may stand in any chunk of the article
    # (False: inside the hit's chunk)
    context_chars: int = 600  # the passage's surrounding text ("More", ``--context``)
    # confidence: a hit is an answer when the question's dates agree with it and its topical evidence
    # is strong relative to the rest of the corpus (see index.search.confidence)
    min_date_agreement: float = 0.95  # the hit's date lies inside the asked period
    # the IDF-weighted share of the question the article must match (chosen by ``benchmarks.calibrate``)
    min_cover_article: float = 0.2
    # the IDF-weighted share of the question made of words no article uses that a hit may leave unmatched
    # (chosen by ``benchmarks.calibrate``; 1.0: no such gate)
    max_unseen: float = 0.5
    # how near the best passage must stand on the corpus' scale of similarity (0: as near as two random
    # chunks are to each other, 1: as two neighbouring chunks; see confidence.dense_rel; chosen by
    # ``benchmarks.calibrate``; -1: no such gate)
    min_dense_rel: float = 0.0
    # the same for a question in a script the corpus barely writes (an English question over Japanese
    # articles stands farther from any of them: measured with benchmarks/crosslingual.py)
    min_dense_rel_other: float = -0.2
    # a logistic model of the topical evidence (index.search.confidence.FEATURES), fitted by
    # cross-validation on the development sets with ``python -m benchmarks.calibrate``
    answer_model_weights: tuple[float, ...] = (0.0, 2.35, 0.21, 0.598, 0.0, -1.241, 0.0, -0.997, 2.122,
                                                     0.047, -1.604, -1.519, -1.724, 1.247)
    answer_model_bias: float = -4.112
    min_answer_probability: float = 0.206
    # no topic here at all: no article among the best matches this share of the question (and the top hit
    # is no answer)
    off_topic_cover: float = 0.25

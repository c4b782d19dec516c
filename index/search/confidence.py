"""Whether the top hit answers the question: signals on scales that do not depend on the corpus or model.

- ``dense_z``: how far the top passage's similarity stands above the corpus' similarity distribution for
  this question (robust z-score: median and MAD over all chunks, or over a fixed random sample of
  chunks in a larger corpus);
- ``keyword_share``: the IDF-weighted share of the question's concepts the top passage matches;
- ``date``: agreement of the top passage (or its article's headline) with the question's dates (1 = inside).

The hit is an answer when the dates agree (if the question has any) and the topical evidence is strong on
either scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import DateSpan
from ..store.keyword import BM25Index
from .config import SearchConfig
from .dense import DenseIndex
from .plan import QueryPlan


class Confidence:
    def __init__(self, config: SearchConfig, dense: DenseIndex, bm25: BM25Index,
                 chunk_dates: Sequence[Sequence[DateSpan]], chunk_art: np.ndarray,
                 headline_dates: Sequence[Sequence[DateSpan]]) -> None:
        self.config = config
        self.dense = dense
        self.bm25 = bm25
        self.chunk_dates = chunk_dates
        self.chunk_art = chunk_art
        self.headline_dates = headline_dates

    def judge(self, plan: QueryPlan, picked: list[tuple[int, float]], qv: np.ndarray | None) -> dict:
        """The signals of the top hit and the verdict, as the answer's ``info``."""
        cfg = self.config
        info: dict = {"mode": cfg.mode}
        if not picked:
            info.update(confident=False, reason="no hits")
            return info
        row = picked[0][0]
        if cfg.mode != "hybrid":
            info.update(confident=True)
            return info
        z, top = self.dense_z(row, qv)
        ks = float(self.bm25.score_rows(plan.concepts, np.asarray([row]))[1][0])
        d = self.date_agreement(row, plan) if plan.dates else None
        topical_ok = z >= cfg.min_dense_z or ks >= cfg.min_keyword_share
        date_ok = d is None or d >= cfg.min_date_agreement
        info.update(dense_z=round(z, 3), dense=round(top, 4), keyword_share=round(ks, 3),
                    date=None if d is None else round(d, 3), confident=bool(topical_ok and date_ok),
                    dates=[(qd.span.first.isoformat(), qd.span.last.isoformat(), qd.year_explicit)
                           for qd in plan.dates.items])
        return info

    def dense_z(self, row: int, qv: np.ndarray) -> tuple[float, float]:
        """(robust z-score, similarity) of ``row`` against the sampled corpus similarities."""
        sims = np.einsum("ij,j->i", self.dense.sample, qv)
        med = float(np.median(sims))
        mad = float(np.median(np.abs(sims - med))) * 1.4826 + 1e-6
        top = float(self.dense.dot(np.asarray([row]), qv)[0])
        return (top - med) / mad, top

    def date_agreement(self, row: int, plan: QueryPlan) -> float:
        """How well the hit's article is about the question's dates: its headline's dates when the
        headline has any (the body also names release dates and background), else the chunk's own."""
        spans = self.headline_dates[int(self.chunk_art[row])] or self.chunk_dates[row]
        return max((qd.matches(sp) for qd in plan.dates.items for sp in spans), default=0.0)

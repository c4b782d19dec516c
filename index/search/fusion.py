"""Fusion of the rankings, the date boost, and the collapse to a number of hits per article. Pure numpy
over the few hundred candidates.

Two fusions: reciprocal-rank fusion (``rrf``: ranks only) and relative score fusion (``score``: each
side's scores rescaled over the candidates and added with weights), which keeps the margins that ranks
throw away: a passage that repeats the question's rare words far better than any other keeps its lead.
"""

from __future__ import annotations

import numpy as np


def rrf(ranks: list[tuple[float, np.ndarray]], cands: np.ndarray, rrf_k: int,
        margins: list[np.ndarray | None] | None = None) -> np.ndarray:
    """Weighted reciprocal-rank fusion: for each candidate row, the sum over rankings of
    ``weight / (rrf_k + rank)`` (rank from 1); ``cands`` are the sorted candidate rows. With ``margins``
    (per ranking, each row's score over the ranking's best, or None), each contribution is scaled by it,
    so that a ranking whose first result is far ahead keeps that lead."""
    topical = np.zeros(len(cands), np.float64)
    for i, (w, order) in enumerate(ranks):
        if not len(order):
            continue
        pos = np.searchsorted(cands, order)
        part = w / (rrf_k + np.arange(1, len(order) + 1, dtype=np.float64))
        if margins is not None and margins[i] is not None:
            part = part * margins[i]
        np.add.at(topical, pos, part)
    return topical


def relative_scores(dense: np.ndarray | None, keyword: np.ndarray | None, w_dense: float,
                    w_keyword: float) -> np.ndarray:
    """``w_dense * dense' + w_keyword * keyword'`` over the candidates, where ``dense'`` is the similarity
    rescaled to [0, 1] between the candidates' lowest and highest, and ``keyword'`` the BM25 score over
    the best candidate's (0 where nothing matches)."""
    out = None
    for w, s, lo in ((w_dense, dense, True), (w_keyword, keyword, False)):
        if s is None or not len(s):
            continue
        s = np.asarray(s, np.float64)
        base = float(s.min()) if lo else 0.0
        span = float(s.max()) - base
        part = w * ((s - base) / span if span > 0 else np.zeros_like(s))
        out = part if out is None else out + part
    return out if out is not None else np.zeros(0)


def date_boosted(topical: np.ndarray, cands: np.ndarray, date_rows: np.ndarray | None,
                 date_vals: np.ndarray | None, weight: float) -> np.ndarray:
    """``topical * (1 + weight * agreement)`` where ``agreement`` is each candidate's date score."""
    if date_rows is None:
        return topical.copy()
    return topical * (1.0 + weight * lookup(date_rows, date_vals, cands))


def collapse(cands: np.ndarray, final: np.ndarray, chunk_art: np.ndarray,
             per_article: int) -> list[tuple[int, float]]:
    """(row, score) best first, at most ``per_article`` rows of one article, positive scores only."""
    order = np.argsort(-final, kind="stable")
    per: dict[int, int] = {}
    picked: list[tuple[int, float]] = []
    for i in order:
        if final[i] <= 0:
            break
        row = int(cands[i])
        a = int(chunk_art[row])
        if per.get(a, 0) >= per_article:
            continue
        per[a] = per.get(a, 0) + 1
        picked.append((row, float(final[i])))
    return picked


def lookup(rows: np.ndarray, values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``values`` at ``keys`` for sorted ``rows`` (0 where a key is not among the rows)."""
    out = np.zeros(len(keys), np.float64)
    if not len(rows):
        return out
    idx = np.minimum(np.searchsorted(rows, keys), len(rows) - 1)
    hit = rows[idx] == keys
    out[hit] = values[idx[hit]]
    return out

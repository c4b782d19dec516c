"""Fusion of the rankings: reciprocal-rank fusion of the dense and keyword candidate lists, the date
boost, and the collapse to a number of hits per article. Pure numpy over the few hundred candidates."""

from __future__ import annotations

import numpy as np


def rrf(ranks: list[tuple[float, np.ndarray]], cands: np.ndarray, rrf_k: int) -> np.ndarray:
    """Weighted reciprocal-rank fusion: for each candidate row, the sum over rankings of
    ``weight / (rrf_k + rank)`` (rank from 1); ``cands`` are the sorted candidate rows."""
    topical = np.zeros(len(cands), np.float64)
    for w, order in ranks:
        if not len(order):
            continue
        pos = np.searchsorted(cands, order)
        np.add.at(topical, pos, w / (rrf_k + np.arange(1, len(order) + 1, dtype=np.float64)))
    return topical


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

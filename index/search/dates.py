"""The search stage's date scoring: the dates stored with each chunk (and each article's headline) scored
against a question's dates, vectorised over the corpus.

A chunk's agreement with the question is the best overlap score of its own dates (the formula of
:meth:`index.text.dates.QueryDate.matches`); a chunk also gets 80% of the best agreement of its article
(the article is about that day even where a passage does not repeat the date). A question date without a
year prefers the most recent year: the span ``parse_question_dates`` gives (the last such day on or before
today) scores in full, each year further back is discounted by ``year_decay``; and it matches only dates
that lie within ``YEARLESS_WINDOW`` days of their article's publication (a yearless date means a day near
"now": a text's mention of the same day in a distant year, or in a text whose publication date has no
meaning of its own, is not that day).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import DateSpan
from ..text.dates import QueryDates
from ..text.dates.periods import shift_years

FISCAL_YEAR = "fiscal_year"
ARTICLE_SHARE = 0.8
YEARS_BACK = 4
YEARLESS_WINDOW = 183  # days either side of the publication date


class DateIndex:
    """All (chunk, first, last) date entries, sorted by first day (ordinal numbers)."""

    def __init__(self, chunk_dates: Sequence[Sequence[DateSpan]], chunk_article: np.ndarray, n_articles: int,
                 *, title_dates: Sequence[Sequence[DateSpan]] | None = None, year_decay: float = 0.6,
                 article_days: np.ndarray | None = None) -> None:
        """``article_days``: each article's publication day (ordinal); without it yearless question dates
        match at any distance from publication."""
        chunk_days = article_days[chunk_article] if article_days is not None else None
        self.chunks = _Entries(chunk_dates, chunk_days)
        self.titles = _Entries(title_dates or [() for _ in range(n_articles)], article_days)
        self.has_title = np.zeros(n_articles, bool)
        if title_dates is not None:
            self.has_title[:] = [bool(t) for t in title_dates]
        self.n_chunks = len(chunk_dates)
        self.chunk_article = chunk_article
        self.n_articles = n_articles
        self.year_decay = year_decay
        self._by_article: tuple[np.ndarray, np.ndarray] | None = None  # chunk rows grouped by article

    def score(self, qdates: QueryDates) -> np.ndarray:
        """Agreement in [0, 1] of every chunk with the question's dates.

        An article whose headline carries dates is about those dates: its chunks get the headline's
        agreement (a chunk's own dates count half, so release dates and background mentions in the body
        do not make a report about July answer a question about August). Otherwise a chunk gets its own
        agreement, or 80% of the best agreement in its article.
        """
        rows, vals = self.score_sparse(qdates)
        out = np.zeros(self.n_chunks, np.float64)
        out[rows] = vals
        return out

    def score_sparse(self, qdates: QueryDates) -> tuple[np.ndarray, np.ndarray]:
        """(rows, agreement) of the chunks with a non-zero agreement (rows sorted); see :meth:`score`.
        Work is proportional to the matching date entries and their articles, not to the corpus."""
        own_rows, own_vals = self.chunks.score_sparse(qdates, self.year_decay)
        if not (self.n_articles and self.n_chunks):
            return own_rows, own_vals
        art_body = np.zeros(self.n_articles, np.float64)
        np.maximum.at(art_body, self.chunk_article[own_rows], own_vals)
        t_rows, t_vals = self.titles.score_sparse(qdates, self.year_decay)
        title = np.zeros(self.n_articles, np.float64)
        title[t_rows] = t_vals
        # unions as boolean masks: a pass over a bit per chunk is far cheaper than sorting/hashing the
        # hundreds of thousands of rows a month or year question matches in a large index
        art_mask = np.zeros(self.n_articles, bool)
        art_mask[t_rows[self.has_title[t_rows]]] = True
        body_arts = np.flatnonzero(art_body)
        art_mask[body_arts[~self.has_title[body_arts]]] = True
        row_mask = np.zeros(self.n_chunks, bool)
        row_mask[own_rows] = True
        row_mask[self._article_rows(np.flatnonzero(art_mask))] = True
        rows = np.flatnonzero(row_mask)
        own = np.zeros(len(rows), np.float64)
        own[np.searchsorted(rows, own_rows)] = own_vals
        art = self.chunk_article[rows]
        has = self.has_title[art]
        vals = np.where(has, np.maximum(title[art], 0.5 * own), np.maximum(own, ARTICLE_SHARE * art_body[art]))
        keep = vals > 0
        return rows[keep], vals[keep]

    def _article_rows(self, arts: np.ndarray) -> np.ndarray:
        """All chunk rows of the given articles."""
        if self._by_article is None:
            order = np.argsort(self.chunk_article, kind="stable")
            starts = np.searchsorted(self.chunk_article[order], np.arange(self.n_articles + 1))
            self._by_article = (order, starts)
        order, starts = self._by_article
        if not len(arts):
            return np.zeros(0, np.int64)
        lo, hi = starts[arts], starts[arts + 1]
        lens = hi - lo
        idx = np.repeat(lo - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(int(lens.sum()))
        return order[idx]


class _Entries:
    """(owner, first, last) date entries sorted by first day (ordinal numbers)."""

    def __init__(self, dates: Sequence[Sequence[DateSpan]], owner_days: np.ndarray | None = None) -> None:
        rows, firsts, lasts, fiscal = [], [], [], []
        self.names_fiscal = np.zeros(len(dates), bool)  # owners that name a fiscal year
        for i, spans in enumerate(dates):
            for s in spans:
                rows.append(i)
                firsts.append(s.first.toordinal())
                lasts.append(s.last.toordinal())
                fiscal.append(s.granularity == FISCAL_YEAR)
                self.names_fiscal[i] |= fiscal[-1]
        order = np.argsort(np.asarray(firsts, np.int64), kind="stable")
        self.row = np.asarray(rows, np.int64)[order]
        self.first = np.asarray(firsts, np.int64)[order]
        self.last = np.asarray(lasts, np.int64)[order]
        self.fiscal = np.asarray(fiscal, bool)[order]
        self.pub = None if owner_days is None else np.asarray(owner_days, np.int64)[self.row]  # owner's day
        self.max_len = int((self.last - self.first).max()) + 1 if len(self.first) else 1

    def score_sparse(self, qdates: QueryDates, year_decay: float) -> tuple[np.ndarray, np.ndarray]:
        """(owners, best score) of the owners with a positive score, owners sorted."""
        rs: list[np.ndarray] = []
        ss: list[np.ndarray] = []
        for qd in qdates.items:
            span = qd.span
            years = [0] if qd.year_explicit else range(0, -YEARS_BACK - 1, -1)
            for k in years:
                qf = shift_years(span.first, k).toordinal()
                ql = shift_years(span.last, k).toordinal()
                near = None if qd.year_explicit else YEARLESS_WINDOW
                fiscal = span.granularity == FISCAL_YEAR
                if (hit := self._score_span(qf, ql, year_decay ** (-k), near, fiscal)) is not None:
                    rs.append(hit[0])
                    ss.append(hit[1])
        if not rs:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        r, s = np.concatenate(rs), np.concatenate(ss)
        order = np.lexsort((-s, r))  # by owner, best score first
        r, s = r[order], s[order]
        first = np.ones(len(r), bool)
        first[1:] = r[1:] != r[:-1]
        r, s = r[first], s[first]
        keep = s > 0
        return r[keep], s[keep]

    def _score_span(self, qf: int, ql: int, factor: float, near: int | None = None,
                    fiscal: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
        """Scores of the entries overlapping [qf, ql]; with ``near``, only entries that start within that
        many days of their owner's publication day; with ``fiscal`` (a fiscal year asked), an owner that
        names fiscal years is matched on those alone (see :func:`fiscal_spans`)."""
        lo_i = int(np.searchsorted(self.first, qf - self.max_len, "left"))
        hi_i = int(np.searchsorted(self.first, ql, "right"))
        if hi_i <= lo_i:
            return None
        f, la, r = self.first[lo_i:hi_i], self.last[lo_i:hi_i], self.row[lo_i:hi_i]
        lo, hi = np.maximum(qf, f), np.minimum(ql, la)
        overlap = hi >= lo
        if near is not None and self.pub is not None:
            overlap &= np.abs(f - self.pub[lo_i:hi_i]) <= near
        if fiscal:
            overlap &= self.fiscal[lo_i:hi_i] | ~self.names_fiscal[r]
        if not overlap.any():
            return None
        f, la, r, lo, hi = f[overlap], la[overlap], r[overlap], lo[overlap], hi[overlap]
        qn = ql - qf + 1
        on = (la - f + 1).astype(np.float64)
        inside = (f >= qf) & (la <= ql)
        contains = (f <= qf) & (la >= ql)
        s = np.where(
            inside, 1.0,
            np.where(contains, np.clip(0.5 * (30.0 * qn / on) ** 0.2, 0.1, 0.9),
                     np.maximum(0.1, 0.8 * (hi - lo + 1) / on)),
        ) * factor
        return r, s


def fiscal_spans(asked: DateSpan, spans: Sequence[DateSpan]) -> Sequence[DateSpan]:
    """The spans of a text to match a question's period against: when a fiscal year is asked and the text
    names fiscal years, those alone. A budget request for FY2026 announced in August 2025 is not about
    FY2025, though its day falls in it: the fiscal year a text names is what it is about."""
    if asked.granularity != FISCAL_YEAR or not names_fiscal_year(spans):
        return spans
    return [s for s in spans if s.granularity == FISCAL_YEAR]


def names_fiscal_year(spans: Sequence[DateSpan]) -> bool:
    return any(s.granularity == FISCAL_YEAR for s in spans)

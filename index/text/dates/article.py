"""Dates in article text: :func:`find_dates` finds the date mentions of a passage and resolves them
against the article's publication date (``令和6(2024)年11月12日(火)``, ``11月12日``, ``同日``, ``翌13日``,
bare ``13日``, ``8月下旬``, ``令和7年度``, ranges such as ``8月26日から11月15日まで``, English
``May 26, 2025``...). The resolution rules are described in :mod:`.resolver`.

Offsets refer to the caller's original text: the text is normalised with a 1:1 character translation
(full-width digits, letters, brackets, tildes and dashes to ASCII), so lengths never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ...models import DateSpan
from .lexer import article_matches, lex
from .lexicon import CONNECTOR_RE, QUICK_RE, SENT_END_RE, normalise
from .periods import as_date, join_range
from .resolver import Resolved, Resolver

__all__ = ["DateMention", "find_dates"]


@dataclass(frozen=True)
class DateMention:
    """A date mentioned in a text: ``text[start:end]`` is the expression, ``span`` its resolved dates."""

    start: int
    end: int
    span: DateSpan


def find_dates(text: str, published: datetime | date, *, context: date | None = None) -> list[DateMention]:
    """Date mentions in ``text`` resolved against ``published``, in text order.

    ``context`` is the date the text continues from (e.g. the last day mentioned in the preceding
    chunk): ``同日``/``翌日``/``同月`` refer to it until the text mentions a date itself. The two ends of a
    range (``12月28日~1月5日``) make one mention with granularity ``range``.
    """
    norm = normalise(text)
    if not QUICK_RE.search(norm):
        return []
    rs = Resolver(as_date(published), context)
    out: list[DateMention] = []
    prev_res: Resolved | None = None
    prev_end = 0
    prev_mergeable = False
    for p in lex(norm, article_matches(norm)):
        gap = norm[prev_end : p.start]
        if SENT_END_RE.search(gap):
            rs.end_sentence()
        in_range = prev_mergeable and prev_res is not None and bool(CONNECTOR_RE.fullmatch(gap))
        res = rs.resolve(p, prev_res if in_range else None)
        if res is None:
            prev_mergeable = False
            continue
        if in_range and prev_res is not None:
            merged = join_range(prev_res.span, res.span)
            if merged is not None:
                last = out.pop()
                out.append(DateMention(last.start, p.end, merged))
                rs.update(res)
                prev_end, prev_mergeable = p.end, False
                continue
        out.append(DateMention(p.start, p.end, res.span))
        rs.update(res)
        prev_res, prev_end, prev_mergeable = res, p.end, True
    return out

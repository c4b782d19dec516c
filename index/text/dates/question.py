"""Dates in questions (English or Japanese): :func:`parse_question_dates` finds them, absolute or relative
to ``today`` ("last week", "先月", "November 12"), as :class:`QueryDate` objects whose
:meth:`QueryDate.matches` scores a passage's :class:`DateSpan`; :class:`QueryDates` holds them for a
search with the question's :func:`era_variants` (equivalent year spellings for keyword expansion).

A question is resolved like an article published today (see :mod:`.resolver`), except that a month or day
without a year is the most recent one on or before today, and the year is then not taken as stated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from ...models import DateSpan
from .lexer import Part, lex
from .lexicon import CONNECTOR_RE, ERA_VARIANT_RE, QUESTION_RE, normalise
from .periods import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_PARTS,
    add_months,
    era_names,
    era_year,
    fiscal_year_of,
    fiscal_year_span,
    join_range,
    make_date,
    month_span,
    shift_years,
    year_span,
)
from .resolver import Resolver

__all__ = ["QueryDate", "QueryDates", "era_variants", "parse_question_dates"]


def _span_days(s: DateSpan) -> int:
    return (s.last - s.first).days + 1


def _overlap_score(q: DateSpan, o: DateSpan) -> float:
    lo, hi = max(q.first, o.first), min(q.last, o.last)
    if hi < lo:
        return 0.0
    if q.first <= o.first and o.last <= q.last:
        return 1.0  # the passage's date lies inside the queried period
    qn, on = _span_days(q), _span_days(o)
    if o.first <= q.first and q.last <= o.last:  # the passage's period contains the queried one
        return max(0.1, min(0.9, 0.5 * (30.0 * qn / on) ** 0.2))
    return max(0.1, 0.8 * ((hi - lo).days + 1) / on)


@dataclass(frozen=True)
class QueryDate:
    """A date in a question. Without an explicit year, ``span`` is the most recent such date on/before
    ``today`` and :meth:`matches` ignores the year."""

    span: DateSpan
    year_explicit: bool
    start: int
    end: int
    vague: bool = False  # a day number alone ("27日"): the most recent such day is a guess, a hint to
    # ranking, not a period the answer must lie in

    def matches(self, other: DateSpan) -> float:
        """1.0 when ``other`` lies within the queried period, partial (0.1-0.9) for overlaps, else 0.0."""
        q = self.span
        if self.year_explicit:
            return _overlap_score(q, other)
        best = 0.0
        lo = other.first.year - q.last.year
        hi = other.last.year - q.first.year
        if hi - lo > 3:
            hi = lo + 3
        for k in range(lo, hi + 1):
            try:
                shifted = DateSpan(shift_years(q.first, k), shift_years(q.last, k), q.granularity)
            except (ValueError, OverflowError):  # beyond datetime's years
                continue
            best = max(best, _overlap_score(shifted, other))
            if best >= 1.0:
                break
        return best


# --- relative phrases -------------------------------------------------------------------------------


def _week(d: date) -> DateSpan:
    mon = d - timedelta(days=d.weekday())
    return DateSpan(mon, mon + timedelta(days=6), "range")


def _qrel_span(phrase: str, n: int, today: date) -> DateSpan | None:
    t = today
    if phrase in ("today", "tonight", "今日", "きょう"):
        return DateSpan(t, t, "day")
    if phrase in ("yesterday", "昨日", "きのう"):
        d = t - timedelta(days=1)
        return DateSpan(d, d, "day")
    if phrase in ("the day before yesterday", "一昨日", "おととい"):
        d = t - timedelta(days=2)
        return DateSpan(d, d, "day")
    if phrase in ("this week", "今週"):
        return _week(t)
    if phrase in ("last week", "先週"):
        return _week(t - timedelta(days=7))
    if phrase == "先々週":
        return _week(t - timedelta(days=14))
    if phrase == "past week":
        return DateSpan(t - timedelta(days=6), t, "range")
    if phrase == "this month":
        return month_span(t.year, t.month)
    if phrase == "last month":
        return month_span(*add_months(t.year, t.month, -1))
    if phrase == "past month":
        return DateSpan(t - timedelta(days=30), t, "range")
    if phrase == "this year":
        return year_span(t.year)
    if phrase == "last year":
        return year_span(t.year - 1)
    if phrase == "this fiscal year":
        return fiscal_year_span(fiscal_year_of(t))
    if phrase == "last fiscal year":
        return fiscal_year_span(fiscal_year_of(t) - 1)
    if phrase.endswith("days ago") or phrase.endswith("day ago"):
        d = t - timedelta(days=n)
        return DateSpan(d, d, "day")
    if "week" in phrase:  # n weeks ago
        return _week(t - timedelta(days=7 * n))
    if phrase.endswith("days"):  # past/last n days
        return DateSpan(t - timedelta(days=max(n - 1, 0)), t, "range")
    return None  # pragma: no cover


# --- resolution -------------------------------------------------------------------------------------


def _undated_month(p: Part, today: date, anchor: QueryDate | None) -> tuple[DateSpan, bool] | None:
    """A month (or a day of it) without a year: after the range's first end, or else the most recent one
    on or before ``today`` (then the year is not explicit)."""
    lo = p.d if p.has_d else (MONTH_PARTS[p.msuf][0] if p.msuf else 1)
    mo = p.m
    if anchor is not None:
        a = anchor.span
        year = a.last.year
        first = make_date(year, mo, lo)  # type: ignore[arg-type]
        if first is not None and first < a.first:
            year += 1
        explicit = anchor.year_explicit
    else:
        year = next((y for y in range(today.year, today.year - 5, -1)
                     if (c := make_date(y, mo, lo)) is not None and c <= today), None)  # type: ignore[arg-type]
        explicit = False
    if year is None:
        return None
    q = Part(p.start, p.end, "M", y=year, has_y=True, has_m=True, m=mo, msuf=p.msuf,
             has_d=p.has_d, d=p.d, d2=p.d2)
    res = Resolver(today, None).resolve(q, None)
    return (res.span, explicit) if res else None


def _bare_day(p: Part, today: date, anchor: QueryDate | None) -> tuple[DateSpan, bool] | None:
    """A day number alone: in the month of the range's first end, or else the most recent such day."""
    if anchor is not None:
        a = anchor.span.last
        d = make_date(a.year, a.month, p.d)  # type: ignore[arg-type]
        if d is None or d < anchor.span.first:
            d = make_date(*add_months(a.year, a.month, 1), p.d)  # type: ignore[arg-type, call-arg]
    else:
        d = None
        for k in range(0, -3, -1):
            c = make_date(*add_months(today.year, today.month, k), p.d)  # type: ignore[arg-type, call-arg]
            if c is not None and c <= today:
                d = c
                break
    return (DateSpan(d, d, "day"), anchor.year_explicit if anchor else True) if d else None


def _is_vague(p: Part, anchor: QueryDate | None) -> bool:
    """A day number alone, with no month before it in the question."""
    return not p.qrel and p.span is None and p.bare and not p.has_m and anchor is None


def _resolve_question_part(p: Part, today: date, anchor: QueryDate | None) -> tuple[DateSpan, bool] | None:
    """(span, year explicit) of one part; ``anchor`` is the first end when ``p`` ends a range."""
    if p.qrel:
        sp = _qrel_span(p.qrel, p.qn, today)
        return (sp, True) if sp else None
    if p.span is not None:
        return p.span, True
    if p.drel and p.drel != "today":
        return None  # 同日/翌日... need a text to refer to
    if p.yrel == "anchor" or p.mrel == "anchor":
        return None
    if not p.has_y and p.has_m and not p.mrel:
        return _undated_month(p, today, anchor)
    if p.bare and not p.has_m:
        return _bare_day(p, today, anchor)
    # the article resolver with publication = today
    res = Resolver(today, None).resolve(p, None)
    return (res.span, True) if res else None


def parse_question_dates(question: str, today: date) -> list[QueryDate]:
    """Dates in a question (English or Japanese), relative ones resolved against ``today``."""
    norm = normalise(question)
    out: list[QueryDate] = []
    prev_end = 0
    mergeable = False
    for p in lex(norm, QUESTION_RE.finditer(norm)):
        gap = norm[prev_end : p.start]
        in_range = mergeable and bool(out) and bool(CONNECTOR_RE.fullmatch(gap))
        r = _resolve_question_part(p, today, out[-1] if in_range else None)
        if r is None:
            mergeable = False
            continue
        span, explicit = r
        if in_range:
            merged = join_range(out[-1].span, span)
            if merged is not None:
                first = out.pop()
                out.append(QueryDate(merged, first.year_explicit, first.start, p.end))
                prev_end, mergeable = p.end, False
                continue
        out.append(QueryDate(span, explicit, p.start, p.end, _is_vague(p, None)))
        prev_end, mergeable = p.end, True
    return out


# --- era variants -----------------------------------------------------------------------------------


def era_variants(text: str) -> list[str]:
    """Equivalent spellings of the years in ``text``: ``令和7年`` -> ``2025年``, ``2025`` -> ``令和7年``,
    ``FY2024`` -> ``令和6年度``/``2024年度``, ``令和6年度`` -> ``2024年度``/``FY2024``.

    Spellings already present in the text are left out; order follows the text.
    """
    norm = normalise(text)
    out: list[str] = []
    for m in ERA_VARIANT_RE.finditer(norm):
        g = m.group
        if g("era"):
            y = era_year(g("era"), g("ey"))
            if y is None:
                continue
            cands = [f"{y}年度", f"FY{y}"] if g("efy") else [f"{y}年"]
        else:
            raw = g("wy") or g("fy") or g("fy2") or g("y")
            y = int(raw)
            if not MIN_YEAR <= y <= MAX_YEAR:
                continue
            if g("wfy"):
                cands = [f"{e}年度" for e in era_names(y)] + [f"FY{y}"]
            elif g("fy") or g("fy2"):
                cands = [f"{e}年度" for e in era_names(y)] + [f"{y}年度"]
            else:
                cands = [f"{e}年" for e in era_names(y)]
        for c in cands:
            if c not in out and c not in norm:
                out.append(c)
    return out


# --- the question's dates, for a search -------------------------------------------------------------


@dataclass
class QueryDates:
    """The dates of a question and the other spellings of its years."""

    items: list[QueryDate] = field(default_factory=list)
    era_variants: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, question: str, today: date) -> QueryDates:
        try:
            items = parse_question_dates(question, today)
        except (ValueError, OverflowError):  # pragma: no cover - a malformed date must not fail the search
            items = []
        return cls(items, era_variants(question))

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def specificity(self) -> float:
        """How strongly the question's dates should steer ranking: a day 1, a month 0.7, a quarter 0.5,
        a year 0.25 (a year is often part of a name: "Khaan Quest 2024", "FY2024 statistics")."""
        best = 0.0
        for q in self.items:
            days = (q.span.last - q.span.first).days + 1
            best = max(best, 1.0 if days <= 7 else 0.7 if days <= 31 else 0.5 if days <= 92 else 0.25)
        return best

    def spans_in(self, text: str) -> list[tuple[int, int]]:
        return sorted((q.start, q.end) for q in self.items)

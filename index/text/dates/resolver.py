"""Date parts -> :class:`DateSpan`: the resolution of a text's date expressions in reading order, against a
publication date and what the text said before (used for articles, and for questions with
publication = today).

Resolution rules (heuristics, see tests/index/text/dates/test_article.py for examples):

* A month/day without a year takes the year of a mention with a stated year earlier in the same sentence;
  otherwise it is the most recent such date not more than 31 days after publication.
* A bare ``13日`` takes the month of a mention with a stated month earlier in the same sentence, or earlier
  in the text when that month is the publication month or the one before (reports on recent events);
  otherwise it is the 13th of the publication month or of the month before, whichever is closer to
  publication. (An old background date, ``2022年12月に改定。…19日、発表した``, does not capture it.)
* A date written after a later anchor stays before it (``10日、…9日に``) unless the next month/year has
  already happened at publication and is closer to it (``11月28日に会談し、2日に…`` published 5 Dec).
* ``同日``/``翌日``/``前日``/``翌13日``/``同月``/``同年``/``前年`` refer to the previous mention in the
  text (or to ``context``, e.g. the last date of the preceding chunk, or else to the publication date).
* The second end of a range (``12月28日~1月5日``, ``28日から2日まで``) is rolled forward past the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ...models import DateSpan
from .lexer import Part
from .periods import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_PARTS,
    add_months,
    fiscal_year_of,
    make_date,
    month_span,
    year_part_span,
)

_INFER_AHEAD = timedelta(days=31)  # an undated mention may lie this far after publication


@dataclass(slots=True)
class Resolved:
    """A resolved part, with what it tells about the year and month later mentions refer to."""

    span: DateSpan
    year: int | None = None  # calendar year stated or used (None for fiscal years / complete spans)
    month: int | None = None
    day_level: bool = False  # the span ends on a specific day
    year_stated: bool = False
    month_stated: bool = False


def _complete(sp: DateSpan) -> Resolved:
    """A part that was resolved by the lexer (an ISO date, a fiscal year, a year range...)."""
    if sp.granularity == "day":
        return Resolved(sp, sp.last.year, sp.last.month, True, True, True)
    return Resolved(sp, year=None if sp.granularity == "fiscal_year" else sp.last.year, year_stated=True)


class Resolver:
    """Resolves the parts of one text in order; :meth:`update` with each result, :meth:`end_sentence`
    at each sentence end."""

    def __init__(self, pub: date, context: date | None) -> None:
        self.pub = pub
        self.last_day: date | None = context
        self.last_ym: tuple[int, int] | None = (context.year, context.month) if context else None
        self.last_y: int | None = context.year if context else None
        # the last mention in the current sentence that states a year / a month (its first day)
        self.sent_y_at: date | None = None
        self.sent_m_at: date | None = None
        self.text_m_at: date | None = None  # ... and in the whole text

    def end_sentence(self) -> None:
        self.sent_y_at = self.sent_m_at = None

    def update(self, res: Resolved) -> None:
        sp = res.span
        if res.day_level:
            self.last_day = sp.last
        if res.month is not None:
            self.last_ym = (sp.last.year, sp.last.month)
        if res.year is not None:
            self.last_y = sp.last.year
        if res.year_stated and res.year is not None and sp.first.year == sp.last.year:
            self.sent_y_at = sp.first
        if res.month_stated and res.month is not None:
            self.sent_m_at = self.text_m_at = sp.first if res.day_level else sp.first.replace(day=1)

    def resolve(self, p: Part, anchor: Resolved | None) -> Resolved | None:
        """Resolve one part; ``anchor`` is the first end when ``p`` is the second end of a range."""
        if p.span is not None:
            return _complete(p.span)
        year = self._year(p)
        if not p.has_m and not p.has_d:
            return self._year_only(p, year)
        if p.has_m:
            return self._with_month(p, year, anchor)
        return self._day_only(p, anchor)

    # --- years ---

    def _year(self, p: Part) -> int | None:
        """The calendar year the part states (directly or relative to publication / the last mention)."""
        if p.yrel == "pub":
            return self.pub.year + p.yoff
        if p.yrel == "anchor":
            return (self.last_y if self.last_y is not None else self.pub.year) + p.yoff
        return p.y

    def _year_only(self, p: Part, year: int | None) -> Resolved | None:
        if p.ysuf.startswith("度"):  # a fiscal year, or a part of one
            if p.yrel == "pub":
                fy = fiscal_year_of(self.pub) + p.yoff
            elif p.yrel == "anchor":
                fy = (fiscal_year_of(self.last_day) if self.last_day else fiscal_year_of(self.pub)) + p.yoff
            else:
                fy = year  # type: ignore[assignment]
            sp = year_part_span(fy, p.ysuf)
            return Resolved(sp) if sp else None
        if year is None:
            return None
        sp = year_part_span(year, p.ysuf)
        return Resolved(sp, year=year, year_stated=True) if sp else None

    def _infer_year(self, first_of: Callable[[int], date | None]) -> int | None:
        """The most recent year in which ``first_of(year)`` is not more than a month after publication."""
        limit = self.pub + _INFER_AHEAD
        for y in range(self.pub.year + 1, self.pub.year - 5, -1):
            d = first_of(y)
            if d is not None and d <= limit:
                return y
        return None

    def _rolls(self, same: date | None, nxt: date | None) -> bool:
        """Whether a date written before its anchor means the next month/year: only when that has
        already happened at publication and is closer to it."""
        if nxt is None or nxt > self.pub + timedelta(days=1):
            return False
        return same is None or abs((nxt - self.pub).days) < abs((same - self.pub).days)

    # --- months (and days with a month) ---

    def _with_month(self, p: Part, year: int | None, anchor: Resolved | None) -> Resolved | None:
        year_stated = year is not None
        if p.mrel:
            pub = self.pub
            base = (pub.year, pub.month) if p.mrel == "pub" or self.last_ym is None else self.last_ym
            y0, mo = add_months(base[0], base[1], p.moff)
            if year is None:
                year = y0
                year_stated = True
        else:
            mo = p.m  # type: ignore[assignment]
        lo = p.d if p.has_d else (MONTH_PARTS[p.msuf][0] if p.msuf else 1)
        if year is None:
            year = self._month_year(mo, lo, anchor)  # type: ignore[arg-type]
            if year is None:
                return None
        if p.has_d:
            return self._day_in_month(p, year, mo, year_stated)
        sp = month_span(year, mo, p.msuf)
        return Resolved(sp, year, mo, False, year_stated, True) if sp else None

    def _month_year(self, mo: int, lo: int, anchor: Resolved | None) -> int | None:
        """The year of an undated month (from its first day ``lo``): after the range's first end, in the
        year stated earlier in the sentence, or else inferred from publication."""
        if anchor is not None:
            year = anchor.span.last.year
            first = make_date(year, mo, lo)
            if first is not None and first < anchor.span.first:
                year += 1
            return year
        if self.sent_y_at is not None:
            a = self.sent_y_at
            year = a.year
            if mo < a.month and self._rolls(make_date(year, mo, lo), make_date(year + 1, mo, lo)):
                year += 1  # "2024年12月に出国し、1月中旬に到着"
            return year
        return self._infer_year(lambda y: make_date(y, mo, lo))

    @staticmethod
    def _day_in_month(p: Part, year: int, mo: int, year_stated: bool) -> Resolved | None:
        first = make_date(year, mo, p.d)  # type: ignore[arg-type]
        if first is None:
            return None
        if p.d2 is not None:  # "May 26-28"
            last = make_date(year, mo, p.d2)
            if last is None or last <= first:
                return None
            return Resolved(DateSpan(first, last, "range"), year, mo, True, year_stated, True)
        return Resolved(DateSpan(first, first, "day"), year, mo, True, year_stated, True)

    # --- days without a month ---

    def _day_only(self, p: Part, anchor: Resolved | None) -> Resolved | None:
        d = self._relative_day(p) if p.drel else self._bare_day(p.d, anchor)  # type: ignore[arg-type]
        if d is None or not MIN_YEAR <= d.year <= MAX_YEAR:
            return None
        return Resolved(DateSpan(d, d, "day"), d.year, d.month, True)

    def _relative_day(self, p: Part) -> date | None:
        """同日, 翌日, 前日, 本日, 翌13日, 同13日: relative to the last day mentioned."""
        pub = self.pub
        base_day = self.last_day if self.last_day is not None else pub
        if p.drel == "same":
            return base_day
        if p.drel == "next":
            return base_day + timedelta(days=1)
        if p.drel == "prev":
            return base_day - timedelta(days=1)
        if p.drel == "today":
            return pub
        if p.drel == "next_n":
            d = make_date(base_day.year, base_day.month, p.d)  # type: ignore[arg-type]
            if d is None or d <= base_day:
                d = make_date(*add_months(base_day.year, base_day.month, 1), p.d)  # type: ignore[arg-type, call-arg]
            return d
        # "same_n": that day of the last month mentioned
        y, mo = self.last_ym if self.last_ym is not None else (pub.year, pub.month)
        return make_date(y, mo, p.d)  # type: ignore[arg-type]

    def _bare_day(self, day: int, anchor: Resolved | None) -> date | None:
        """A day number alone (``13日``): see the module's rules."""
        if anchor is not None and anchor.month is not None:  # the second end of a range
            a = anchor.span.last
            d = make_date(a.year, a.month, day)
            if d is None or d < anchor.span.first:
                d = make_date(*add_months(a.year, a.month, 1), day)  # type: ignore[call-arg]
            return d
        a = self._month_anchor()
        if a is None:
            return self._bare_day_from_pub(day)
        d = make_date(a.year, a.month, day)
        if d is not None and d < a:  # "11月28日に会談し、2日に…" (but "10日、…9日に" stays)
            nxt = make_date(*add_months(a.year, a.month, 1), day)  # type: ignore[call-arg]
            if self._rolls(d, nxt):
                d = nxt
        return d if d is not None else self._bare_day_from_pub(day)

    def _month_anchor(self) -> date | None:
        """The explicit month a bare day belongs to: one named earlier in the same sentence, or earlier
        in the text if that is the publication month or the month before (a report on recent events)."""
        if self.sent_m_at is not None:
            return self.sent_m_at
        a = self.text_m_at
        if a is not None and 0 <= (self.pub.year - a.year) * 12 + self.pub.month - a.month <= 1:
            return a
        return None

    def _bare_day_from_pub(self, d: int) -> date | None:
        """The day ``d`` of the publication month or of the month before, whichever is closer."""
        pub = self.pub
        best: date | None = None
        for k in (0, -1):
            y, m = add_months(pub.year, pub.month, k)
            c = make_date(y, m, d)
            if c is not None and (best is None or abs((c - pub).days) < abs((best - pub).days)):
                best = c
        return best

"""Calendar arithmetic for dates found in text: era years, fiscal years (April to March), month ends, and
the :class:`DateSpan` of a year, fiscal year, month or part of one. Pure functions, stdlib only.

Every helper returns ``None`` for a date outside ``MIN_YEAR..MAX_YEAR`` (or an impossible day) instead of
raising, so callers can drop a mention that does not resolve.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from ...models import DateSpan

MIN_YEAR = 1950
MAX_YEAR = 2100

ERA_BASE = {"令和": 2018, "㋿": 2018, "平成": 1988, "㍻": 1988, "昭和": 1925, "㍼": 1925}
ERA_MAX = {2018: 99, 1988: 31, 1925: 64}  # era base year -> last year of the era

# parts of a month: suffix -> (first day, last day; clipped to the month's end)
MONTH_PARTS = {
    "上旬": (1, 10), "初旬": (1, 10), "初め": (1, 10), "はじめ": (1, 10),
    "中旬": (11, 20), "半ば": (11, 20), "中ごろ": (11, 20), "中頃": (11, 20),
    "下旬": (21, 31), "末": (21, 31), "前半": (1, 15), "後半": (16, 31),
}
# parts of a (fiscal) year: suffix -> (months after January / April, number of months)
YEAR_PARTS = {
    "": (0, 12), "末": (11, 1), "上半期": (0, 6), "前半": (0, 6), "下半期": (6, 6), "後半": (6, 6),
    "度": (0, 12), "度末": (11, 1), "度上半期": (0, 6), "度下半期": (6, 6),
    "度第1四半期": (0, 3), "度第2四半期": (3, 3), "度第3四半期": (6, 3), "度第4四半期": (9, 3),
}

_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_end(y: int, m: int) -> int:
    """The last day of month ``m`` of year ``y``."""
    return 29 if m == 2 and calendar.isleap(y) else _MONTH_DAYS[m]


def make_date(y: int, m: int, d: int) -> date | None:
    """The date, or ``None`` when it does not exist or lies outside the supported years."""
    if MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12 and 1 <= d <= month_end(y, m):
        return date(y, m, d)
    return None


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    """(year, month) ``k`` months after (or before, for negative ``k``) month ``m`` of year ``y``."""
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def fiscal_year_of(d: date) -> int:
    """The Japanese fiscal year (April to March) that ``d`` falls in."""
    return d.year if d.month >= 4 else d.year - 1


def valid_year(y: int) -> int | None:
    return y if MIN_YEAR <= y <= MAX_YEAR else None


def era_year(era: str, n: str) -> int | None:
    """The western year of era year ``n`` (digits or 元): ``era_year("令和", "6") == 2024``."""
    base = ERA_BASE[era]
    k = 1 if n == "元" else int(n)
    if not 1 <= k <= ERA_MAX[base]:
        return None
    y = base + k
    return y if MIN_YEAR <= y <= MAX_YEAR else None


def era_names(y: int) -> list[str]:
    """Japanese era spellings of a western year (two around an era change)."""
    out: list[str] = []
    for name, base in (("令和", 2018), ("平成", 1988), ("昭和", 1925)):
        k = y - base
        if 1 <= k <= ERA_MAX[base] and (name != "昭和" or y >= MIN_YEAR):
            out.append(f"{name}{'元' if k == 1 else k}")
    return out


def as_date(d: datetime | date) -> date:
    return d.date() if isinstance(d, datetime) else d


def shift_years(d: date, k: int) -> date:
    """``d`` moved by ``k`` years (29 February becomes the 28th in a common year)."""
    try:
        return d.replace(year=d.year + k)
    except ValueError:  # 29 February
        return d.replace(year=d.year + k, day=28)


def fiscal_year_span(fy: int) -> DateSpan | None:
    if not MIN_YEAR <= fy < MAX_YEAR:
        return None
    return DateSpan(date(fy, 4, 1), date(fy + 1, 3, 31), "fiscal_year")


def year_span(y: int) -> DateSpan | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    return DateSpan(date(y, 1, 1), date(y, 12, 31), "year")


def month_span(y: int, m: int, suf: str = "") -> DateSpan | None:
    """A month, or a part of it (``suf`` a key of :data:`MONTH_PARTS`, such as 下旬)."""
    if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12):
        return None
    end = month_end(y, m)
    if suf:
        lo, hi = MONTH_PARTS[suf]
        return DateSpan(date(y, m, lo), date(y, m, min(hi, end)), "range")
    return DateSpan(date(y, m, 1), date(y, m, end), "month")


def year_part_span(y: int, suf: str) -> DateSpan | None:
    """The span of year (or fiscal year, suffix 度...) ``y`` with a part suffix such as 末 or 上半期."""
    if suf == "代":
        if not MIN_YEAR <= y <= MAX_YEAR - 9:
            return None
        return DateSpan(date(y, 1, 1), date(y + 9, 12, 31), "range")
    fiscal = suf.startswith("度")
    if fiscal and suf == "度":
        return fiscal_year_span(y)
    if not fiscal and suf == "":
        return year_span(y)
    off, n = YEAR_PARTS[suf]
    y0, m0 = add_months(y, 4 if fiscal else 1, off)
    y1, m1 = add_months(y0, m0, n - 1)
    if y0 < MIN_YEAR or y1 > MAX_YEAR:
        return None
    return DateSpan(date(y0, m0, 1), date(y1, m1, month_end(y1, m1)), "range")


def join_range(a: DateSpan, b: DateSpan) -> DateSpan | None:
    """The range from ``a`` to ``b`` (the two ends of ``8月26日から11月15日まで``), if ``b`` does not
    start before ``a``."""
    if b.last < a.first or b.first < a.first:
        return None
    return DateSpan(a.first, b.last, "range")

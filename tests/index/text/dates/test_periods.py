"""Calendar arithmetic for dates in text: index.text.dates.periods."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.models import DateSpan
from index.text.dates.periods import (
    add_months,
    era_names,
    era_year,
    fiscal_year_of,
    join_range,
    make_date,
    month_end,
    month_span,
    shift_years,
    year_part_span,
)


def span(first: str, last: str, gran: str) -> DateSpan:
    return DateSpan(date.fromisoformat(first), date.fromisoformat(last), gran)


@given(st.integers(1950, 2100), st.integers(1, 12))
def test_month_end_agrees_with_the_calendar(y, m):
    assert month_end(y, m) == calendar.monthrange(y, m)[1]


@given(st.integers(1950, 2100), st.integers(1, 12), st.integers(-240, 240))
def test_add_months_moves_by_whole_months(y, m, k):
    y2, m2 = add_months(y, m, k)
    assert 1 <= m2 <= 12 and (y2 * 12 + m2) - (y * 12 + m) == k


def test_make_date_rejects_impossible_and_unsupported_days():
    assert make_date(2024, 2, 29) == date(2024, 2, 29)
    assert make_date(2025, 2, 29) is None
    assert make_date(1949, 12, 31) is None and make_date(2101, 1, 1) is None


@pytest.mark.parametrize(("d", "fy"), [(date(2025, 3, 31), 2024), (date(2025, 4, 1), 2025), (date(2025, 1, 5), 2024)])
def test_fiscal_year_starts_in_april(d, fy):
    assert fiscal_year_of(d) == fy


@pytest.mark.parametrize(
    ("y", "suf", "expected"),
    [
        (2024, "", span("2024-01-01", "2024-12-31", "year")),
        (2024, "度", span("2024-04-01", "2025-03-31", "fiscal_year")),
        (2024, "末", span("2024-12-01", "2024-12-31", "range")),
        (2024, "度末", span("2025-03-01", "2025-03-31", "range")),
        (2024, "下半期", span("2024-07-01", "2024-12-31", "range")),
        (2024, "度第4四半期", span("2025-01-01", "2025-03-31", "range")),
        (2020, "代", span("2020-01-01", "2029-12-31", "range")),
        (2095, "代", None),  # the decade runs past the supported years
    ],
)
def test_year_part_span(y, suf, expected):
    assert year_part_span(y, suf) == expected


def test_month_span_parts_are_clipped_to_the_month():
    assert month_span(2025, 2, "下旬") == span("2025-02-21", "2025-02-28", "range")
    assert month_span(2024, 2) == span("2024-02-01", "2024-02-29", "month")
    assert month_span(2024, 13) is None


@given(st.integers(1950, 2100))
def test_era_names_read_back_as_the_same_year(y):
    for name in era_names(y):
        era, n = name[:2], name[2:]
        assert era_year(era, n) == y


def test_era_years():
    assert era_year("令和", "元") == 2019 and era_year("平成", "31") == 2019 and era_year("昭和", "47") == 1972
    assert era_year("平成", "32") is None  # 平成 ended in its 31st year
    assert era_names(2019) == ["令和元", "平成31"]


def test_shift_years_moves_leap_day_to_the_28th():
    assert shift_years(date(2024, 2, 29), -1) == date(2023, 2, 28)
    assert shift_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_join_range_needs_the_second_end_after_the_first():
    a, b = span("2024-12-28", "2024-12-28", "day"), span("2025-01-05", "2025-01-05", "day")
    assert join_range(a, b) == span("2024-12-28", "2025-01-05", "range")
    assert join_range(b, a) is None

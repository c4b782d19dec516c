"""Dates in questions: index.text.dates.question (parse_question_dates, QueryDate.matches, era_variants)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from index.models import DateSpan
from index.text.dates import QueryDate, era_variants, parse_question_dates


def D(s: str) -> date:
    return date.fromisoformat(s)


# --- questions --------------------------------------------------------------------------------------

TODAY = date(2025, 7, 3)  # a Thursday


@pytest.mark.parametrize(
    ("question", "expr", "first", "last", "explicit"),
    [
        ("Who visited MOD on July 4?", "July 4", "2024-07-04", "2024-07-04", False),
        ("What happened on July 2?", "July 2", "2025-07-02", "2025-07-02", False),
        ("what happened July 4th", "July 4th", "2024-07-04", "2024-07-04", False),
        ("the 4th of July", "4th of July", "2024-07-04", "2024-07-04", False),
        ("on 4 July 2025", "4 July 2025", "2025-07-04", "2025-07-04", True),
        ("on November 12, 2024", "November 12, 2024", "2024-11-12", "2024-11-12", True),
        ("exercises in October 2025", "October 2025", "2025-10-01", "2025-10-31", True),
        ("in February 2025", "February 2025", "2025-02-01", "2025-02-28", True),
        ("what happened in march", "march", "2025-03-01", "2025-03-31", False),
        ("7月4日に来日したのは", "7月4日", "2024-07-04", "2024-07-04", False),
        ("令和7年10月の", "令和7年10月", "2025-10-01", "2025-10-31", True),
        ("令和6年11月19日に表敬した", "令和6年11月19日", "2024-11-19", "2024-11-19", True),
        ("2024年7月下旬に始まった", "2024年7月下旬", "2024-07-21", "2024-07-31", True),
        ("what happened last week", "last week", "2025-06-23", "2025-06-29", True),
        ("this week", "this week", "2025-06-30", "2025-07-06", True),
        ("yesterday", "yesterday", "2025-07-02", "2025-07-02", True),
        ("Today", "Today", "2025-07-03", "2025-07-03", True),
        ("last month", "last month", "2025-06-01", "2025-06-30", True),
        ("last year", "last year", "2024-01-01", "2024-12-31", True),
        ("FY2024 scrambles", "FY2024", "2024-04-01", "2025-03-31", True),
        ("in fiscal 2024", "fiscal 2024", "2024-04-01", "2025-03-31", True),
        ("令和6年度の緊急発進", "令和6年度", "2024-04-01", "2025-03-31", True),
        ("frigates launched in 2024?", "2024", "2024-01-01", "2024-12-31", True),
        ("the 2024 symposium", "2024", "2024-01-01", "2024-12-31", True),
        ("2025年の演習", "2025年", "2025-01-01", "2025-12-31", True),
        ("昨日の発表", "昨日", "2025-07-02", "2025-07-02", True),
        ("先週の訓練", "先週", "2025-06-23", "2025-06-29", True),
        ("先月の活動状況", "先月", "2025-06-01", "2025-06-30", True),
        ("今年度の予算", "今年度", "2025-04-01", "2026-03-31", True),
        ("12日に何があった", "12日", "2025-06-12", "2025-06-12", True),
        ("in the past 3 days", "past 3 days", "2025-07-01", "2025-07-03", True),
        ("2 days ago", "2 days ago", "2025-07-01", "2025-07-01", True),
        ("令和7年4月から6月までの緊急発進", "令和7年4月から6月", "2025-04-01", "2025-06-30", True),
        ("令和7年度第1四半期に", "令和7年度第1四半期", "2025-04-01", "2025-06-30", True),
    ],
)
def test_question_dates(question, expr, first, last, explicit):
    qds = parse_question_dates(question, TODAY)
    assert len(qds) == 1, qds
    q = qds[0]
    got = (question[q.start : q.end], q.span.first.isoformat(), q.span.last.isoformat(), q.year_explicit)
    assert got == (expr, first, last, explicit)


@pytest.mark.parametrize(
    "question",
    [
        "Who is the Chief of Staff of the JASDF?",
        "How many F-35A did Japan order?",
        "Type 12 missile range",
        "What may happen next?",
        "第49次隊の派遣先は",
        "西暦何年度の末の予定か",
        "同日に何があった",  # refers to nothing in a question
    ],
)
def test_question_without_dates(question):
    assert parse_question_dates(question, TODAY) == []


def test_question_with_two_dates():
    qs = parse_question_dates("Compare July 2024 with FY2025", TODAY)
    assert [(q.span.first, q.span.granularity) for q in qs] == [
        (D("2024-07-01"), "month"),
        (D("2025-04-01"), "fiscal_year"),
    ]


def test_question_full_width():
    q = "令和７年１０月の"
    (qd,) = parse_question_dates(q, TODAY)
    assert q[qd.start : qd.end] == "令和７年１０月" and qd.span.first == D("2025-10-01")


# --- matching ---------------------------------------------------------------------------------------


def day(s: str) -> DateSpan:
    return DateSpan(D(s), D(s), "day")


def month(y: int, m: int) -> DateSpan:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return DateSpan(date(y, m, 1), nxt - timedelta(days=1), "month")


def qd(question: str) -> QueryDate:
    (q,) = parse_question_dates(question, TODAY)
    return q


@pytest.mark.parametrize(
    ("question", "other", "expected"),
    [
        ("on July 4", day("2025-07-04"), 1.0),  # year ignored: future date this year
        ("on July 4", day("2019-07-04"), 1.0),
        ("on July 4", day("2024-07-05"), 0.0),
        ("on July 4, 2024", day("2024-07-04"), 1.0),
        ("on July 4, 2024", day("2025-07-04"), 0.0),  # explicit year must match
        ("in July 2024", day("2024-07-19"), 1.0),  # a day inside the queried month
        ("in July 2024", day("2024-08-01"), 0.0),
        ("on July 4, 2024", month(2024, 7), 0.5),  # a month mention for a day query
        ("7月4日", month(2022, 7), 0.5),
        ("FY2024", day("2025-02-10"), 1.0),
        ("FY2024", day("2024-02-10"), 0.0),
        ("last week", day("2025-06-25"), 1.0),
        ("last week", day("2025-07-01"), 0.0),
        ("2024年7月下旬", day("2024-07-25"), 1.0),
        ("12月28日", DateSpan(D("2023-12-20"), D("2024-01-05"), "range"), 0.5),  # inside a 17-day span
    ],
)
def test_matches(question, other, expected):
    score = qd(question).matches(other)
    if expected in (0.0, 1.0):
        assert score == expected
    else:
        assert 0.3 <= score <= 0.7 and score != 1.0


def test_partial_scores_order_by_precision():
    q = qd("on November 12, 2024")
    exact = q.matches(day("2024-11-12"))
    week = q.matches(DateSpan(D("2024-11-10"), D("2024-11-16"), "range"))
    mon = q.matches(month(2024, 11))
    year = q.matches(DateSpan(D("2024-01-01"), D("2024-12-31"), "year"))
    assert exact == 1.0 > week > mon > year > 0.0


def test_partial_overlap_of_periods():
    q = qd("in 2024")
    fy = q.matches(DateSpan(D("2024-04-01"), D("2025-03-31"), "fiscal_year"))
    later = q.matches(DateSpan(D("2024-12-20"), D("2025-06-30"), "range"))
    assert 0.0 < later < fy < 1.0


def test_matches_without_year_handles_leap_day():
    q = qd("February 29")
    assert q.span.first == D("2024-02-29") and not q.year_explicit
    assert q.matches(day("2020-02-29")) == 1.0
    assert q.matches(day("2023-03-01")) == 0.0


# --- era variants -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和7年", ["2025年"]),
        ("2025", ["令和7年"]),
        ("2025年の演習", ["令和7年"]),
        ("FY2024", ["令和6年度", "2024年度"]),
        ("fiscal year 2026", ["令和8年度", "2026年度"]),
        ("令和6年度", ["2024年度", "FY2024"]),
        ("令和６年度", ["2024年度", "FY2024"]),
        ("2024年度", ["令和6年度", "FY2024"]),
        ("平成30年", ["2018年"]),
        ("令和元年", ["2019年"]),
        ("2019年", ["令和元年", "平成31年"]),
        ("令和6(2024)年", ["2024年"]),
        ("令和7年と2025年", []),  # both spellings already present
        ("2024年と2025年", ["令和6年", "令和7年"]),
        ("F-35 1000 units", []),
        ("2101", []),
        ("", []),
    ],
)
def test_era_variants(text, expected):
    assert era_variants(text) == expected


def test_a_day_number_alone_is_a_vague_hint_not_a_period():
    today = date(2025, 12, 1)
    (bare,) = parse_question_dates("第6師団が27日朝までに救助した住民は何名?", today)
    assert bare.vague and bare.span.first == date(2025, 11, 27)  # the most recent 27th: a guess
    (full,) = parse_question_dates("Who visited MOD on July 4?", today)
    assert not full.vague
    (rng,) = parse_question_dates("7月3日から5日まで何があった?", today)
    assert not rng.vague  # "5日" ends a range that names its month

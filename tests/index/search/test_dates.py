"""The search stage's date scoring: index.search.dates.DateIndex against the scalar QueryDate.matches."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.models import DateSpan
from index.search.dates import DateIndex, fiscal_spans
from index.text.dates import QueryDates

TODAY = date(2025, 7, 3)


def day(s: str) -> DateSpan:
    d = date.fromisoformat(s)
    return DateSpan(d, d, "day")


def index(chunk_dates, chunk_article, n_articles, **kw) -> DateIndex:
    return DateIndex(chunk_dates, np.asarray(chunk_article, np.int64), n_articles, **kw)


spans = st.one_of(
    st.builds(
        lambda d, n: DateSpan(d, d + timedelta(days=n), "day" if n == 0 else "range"),
        st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
        st.sampled_from([0, 0, 3, 9, 29, 90, 364]),
    ),
    st.builds(lambda y: DateSpan(date(y, 4, 1), date(y + 1, 3, 31), "fiscal_year"), st.integers(2020, 2026)),
)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["on November 12, 2024", "in July 2024", "FY2024", "2025年8月下旬", "令和6年",
                     "2024年12月28日から1月5日まで", "last week", "this month"]),
    st.lists(st.lists(spans, max_size=4), min_size=1, max_size=12),
)
def test_vectorised_score_is_the_best_scalar_match(question, chunk_dates):
    """One chunk per article and no headlines: a chunk's agreement is the best QueryDate.matches of its dates."""
    qdates = QueryDates.parse(question, TODAY)
    assert qdates and all(q.year_explicit for q in qdates.items)
    got = index(chunk_dates, range(len(chunk_dates)), len(chunk_dates)).score(qdates)
    want = [max((q.matches(s) for q in qdates.items for s in fiscal_spans(q.span, spans_)), default=0.0)
            for spans_ in chunk_dates]
    assert got.tolist() == pytest.approx(want, rel=1e-12, abs=0.0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(spans, max_size=3), min_size=1, max_size=12), st.integers(1, 4),
       st.sampled_from(["July 4", "in 2024", "8月"]))
def test_sparse_rows_are_the_non_zero_scores(chunk_dates, n_articles, question):
    qdates = QueryDates.parse(question, TODAY)
    arts = [i % n_articles for i in range(len(chunk_dates))]
    titles = [chunk_dates[0][:1]] + [()] * (n_articles - 1)
    ix = index(chunk_dates, arts, n_articles, title_dates=titles)
    full = ix.score(qdates)
    rows, vals = ix.score_sparse(qdates)
    assert rows.tolist() == np.flatnonzero(full).tolist()
    assert vals.tolist() == full[rows].tolist()


def test_a_question_without_a_year_prefers_recent_years():
    qdates = QueryDates.parse("What happened on July 4?", TODAY)  # the last July 4 before today: 2024
    chunk_dates = [[day("2024-07-04")], [day("2023-07-04")], [day("2022-07-04")], [day("2025-07-04")],
                   [day("2019-07-04")]]
    got = index(chunk_dates, range(5), 5).score(qdates)
    assert got.tolist() == pytest.approx([1.0, 0.6, 0.36, 0.0, 0.0])


def test_undated_chunks_share_their_articles_agreement():
    qdates = QueryDates.parse("on November 12, 2024", TODAY)
    chunk_dates = [[day("2024-11-12")], [], [day("2024-11-20")], []]
    got = index(chunk_dates, [0, 0, 0, 1], 2).score(qdates)
    assert got.tolist() == pytest.approx([1.0, 0.8, 0.8, 0.0])


def test_a_headline_date_outweighs_the_bodys_dates():
    qdates = QueryDates.parse("on November 12, 2024", TODAY)
    chunk_dates = [[day("2024-11-12")], [], [day("2024-11-12")], []]
    titles = [(day("2024-11-12"),), (day("2024-10-01"),)]  # article 1 reports on 1 October
    got = index(chunk_dates, [0, 0, 1, 1], 2, title_dates=titles).score(qdates)
    assert got.tolist() == pytest.approx([1.0, 1.0, 0.5, 0.0])


def test_no_question_dates_and_an_empty_index_score_nothing():
    ix = index([[day("2024-11-12")]], [0], 1)
    assert ix.score(QueryDates.parse("Who is the Chief of Staff?", TODAY)).tolist() == [0.0]
    empty = index([], [], 0)
    rows, vals = empty.score_sparse(QueryDates.parse("on November 12, 2024", TODAY))
    assert rows.tolist() == [] and vals.tolist() == []


def test_a_yearless_date_matches_only_near_the_articles_publication():
    # one chunk per article: the same day named by a text published that week and by one published years on
    days = np.asarray([date(2025, 7, 5).toordinal(), date(2031, 1, 10).toordinal()], np.int64)
    idx = index([(day("2025-07-04"),), (day("2025-07-04"),)], [0, 1], 2, article_days=days)
    rows, vals = idx.score_sparse(QueryDates.parse("7月4日に何があった?", date(2025, 12, 1)))
    assert rows.tolist() == [0] and vals[0] == pytest.approx(1.0)
    # with the year given, the date matches wherever it stands
    rows, _ = idx.score_sparse(QueryDates.parse("2025年7月4日に何があった?", date(2025, 12, 1)))
    assert rows.tolist() == [0, 1]
    # without publication days (no window), as before
    rows, _ = index([(day("2025-07-04"),), (day("2025-07-04"),)], [0, 1], 2).score_sparse(
        QueryDates.parse("7月4日に何があった?", date(2025, 12, 1)))
    assert rows.tolist() == [0, 1]


def test_a_fiscal_year_asked_is_matched_by_the_fiscal_years_a_headline_names():
    # a budget request for FY2026 announced on 29 August 2025 (a day of FY2025) is not about FY2025
    fy = lambda y: DateSpan(date(y, 4, 1), date(y + 1, 3, 31), "fiscal_year")  # noqa: E731
    titles = [(fy(2026), day("2025-08-29")), (fy(2025), day("2024-08-30")), (day("2025-08-29"),)]
    idx = index([(), (), ()], [0, 1, 2], 3, title_dates=titles)
    got = idx.score(QueryDates.parse("the FY2025 budget request", TODAY))
    assert got.tolist() == pytest.approx([0.0, 1.0, 1.0])  # a headline naming no fiscal year: its day counts
    assert fiscal_spans(fy(2025), titles[0]) == [fy(2026)]
    assert fiscal_spans(day("2025-08-29"), titles[0]) == titles[0]  # a day asked: every date counts

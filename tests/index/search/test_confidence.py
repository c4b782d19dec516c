"""Date agreement of the confidence: what an article is about, against the question's dates."""

from __future__ import annotations

from datetime import date

import numpy as np

from index.models import DateSpan
from index.search.confidence import Confidence
from index.search.config import SearchConfig
from index.text.dates.question import QueryDates


class _Plan:
    def __init__(self, question: str) -> None:
        self.dates = QueryDates.parse(question, date(2025, 12, 1))


def _confidence(published: date, chunk_dates: list[DateSpan]) -> Confidence:
    return Confidence(SearchConfig(), None, None, [chunk_dates], np.zeros(1, np.int64), [()], [[0]], ["text"],
                      np.asarray([published.toordinal()]))


FY2023 = DateSpan(date(2023, 4, 1), date(2024, 3, 31), "fiscal_year")


def test_a_year_asked_agrees_with_an_article_published_in_it():
    # the text names only an earlier fiscal year (a prototype of FY2023); the article is of November 2024
    c = _confidence(date(2024, 11, 14), [FY2023])
    assert c.date_agreement(0, _Plan("What did ATLA show at its 2024 symposium?")) == 1.0
    assert c.date_agreement(0, _Plan("What did ATLA show at its 2022 symposium?")) == 0.0


def test_a_month_asked_needs_the_text_to_be_about_it_not_the_publication():
    c = _confidence(date(2025, 7, 10), [DateSpan(date(2025, 6, 1), date(2025, 6, 30), "month")])  # a June report
    assert c.date_agreement(0, _Plan("What did the P-3C do in July 2025?")) < 0.95
    assert c.date_agreement(0, _Plan("What did the P-3C do in June 2025?")) == 1.0


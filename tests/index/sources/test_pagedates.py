"""Date lines of saved pages: the forms sites write, and the lines that only mention a date."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from index.sources.pagedates import date_line, year_context
from index.sources.records import JST

TODAY = date(2025, 11, 20)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2025-10-21 08:55", datetime(2025, 10, 21, 8, 55)),
        ("2025/10/21", datetime(2025, 10, 21)),
        ("2025.10.21", datetime(2025, 10, 21)),
        ("2025年10月21日", datetime(2025, 10, 21)),
        ("令和7年10月21日(火)", datetime(2025, 10, 21)),
        ("令和7(2025)年10月21日", datetime(2025, 10, 21)),
        ("(2025年10月21日)", datetime(2025, 10, 21)),
        ("2025年10月21日更新", datetime(2025, 10, 21)),
        ("公開日: 2025年10月21日", datetime(2025, 10, 21)),
        ("公開日：2025.10.21 14:30", datetime(2025, 10, 21, 14, 30)),
        ("日時 令和7年10月17日(金)11:00~11:25", datetime(2025, 10, 17, 11, 0)),
        ("October 21, 2025", datetime(2025, 10, 21)),
        ("21 Oct 2025", datetime(2025, 10, 21)),
        ("Published: Oct. 21, 2025 8:05 PM", datetime(2025, 10, 21, 20, 5)),
        ("１０/２１(火) ８:５５配信", datetime(2025, 10, 21, 8, 55)),
        ("山田太郎 2025年10月21日 午後3時05分", datetime(2025, 10, 21, 15, 5)),
        ("By Jane Doe | October 21, 2025", datetime(2025, 10, 21)),
        ("令和元年5月1日", datetime(2019, 5, 1)),
    ],
)
def test_date_lines(line, expected):
    found = date_line(line, year=None, today=TODAY)
    assert found is not None and found.when == expected.replace(tzinfo=JST)


@pytest.mark.parametrize(
    "line",
    [
        "人事発令 令和7年8月1日付け",  # a headline with a date in it
        "護衛艦「よしの」が進水 もがみ型12番艦(7月8日)",
        "防衛省は令和7年10月21日、次期戦闘機の計画を発表した。",
        "F-35A、10月21日に三沢へ",
        "The ministry said on October 21, 2025 that it would",
        "令和7年度予算", "2 日時", "本日", "21日(火)", "",
    ],
)
def test_lines_that_are_not_date_lines(line):
    assert date_line(line, year=None, today=TODAY) is None


def test_a_date_without_a_year_takes_it_from_context():
    assert date_line("10月21日", year=2023, today=TODAY).when.date() == date(2023, 10, 21)
    assert date_line("10月21日", year=None, today=TODAY).when.date() == date(2025, 10, 21)
    assert date_line("12月5日", year=None, today=TODAY).when.date() == date(2024, 12, 5)  # not in the future
    assert not date_line("10月21日", year=None, today=TODAY).explicit_year
    assert date_line("更新日: 2025.10.13", year=None, today=TODAY).updated
    assert year_context("https://n.example.jp/articles/2024/10/x", "", TODAY) == 2024
    assert year_context("https://n.example.jp/a/x", "防衛省は令和6年3月1日、発表した。", TODAY) == 2024
    assert year_context("https://n.example.jp/a/x", "年のない本文。", TODAY) is None

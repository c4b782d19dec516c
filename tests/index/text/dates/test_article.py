"""Dates in article text: index.text.dates.article.find_dates (and the lexer and resolver behind it)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.models import DateSpan
from index.text.dates import DateMention, find_dates

JST = timezone(timedelta(hours=9))
PUB = date(2024, 11, 14)


def D(s: str) -> date:
    return date.fromisoformat(s)


def found(text: str, pub: date | datetime = PUB, **kw) -> list[tuple[str, str, str, str]]:
    """(mention text, first, last, granularity) for each mention, checking offsets on the way."""
    out = []
    for m in find_dates(text, pub, **kw):
        assert 0 <= m.start < m.end <= len(text)
        sp = m.span
        out.append((text[m.start : m.end], sp.first.isoformat(), sp.last.isoformat(), sp.granularity))
    return out


def one(text: str, pub: date | datetime = PUB, **kw) -> tuple[str, str, str, str]:
    res = found(text, pub, **kw)
    assert len(res) == 1, res
    return res[0]


# --- single expressions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mention", "first", "last", "gran"),
    [
        ("政府は令和6(2024)年11月12日(火)、閣議決定した。", "令和6(2024)年11月12日(火)", "2024-11-12", "2024-11-12", "day"),
        ("令和6年11月12日に発表", "令和6年11月12日", "2024-11-12", "2024-11-12", "day"),
        ("令和6年(2024年)11月12日に", "令和6年(2024年)11月12日", "2024-11-12", "2024-11-12", "day"),
        ("2024(令和6)年11月12日に", "2024(令和6)年11月12日", "2024-11-12", "2024-11-12", "day"),
        ("2024年11月12日、防衛省は", "2024年11月12日", "2024-11-12", "2024-11-12", "day"),
        ("11月3日(日・祝)に観閲式", "11月3日(日・祝)", "2024-11-03", "2024-11-03", "day"),
        ("11月12日に", "11月12日", "2024-11-12", "2024-11-12", "day"),
        ("平成31年4月30日に", "平成31年4月30日", "2019-04-30", "2019-04-30", "day"),
        ("令和元年5月1日に改元", "令和元年5月1日", "2019-05-01", "2019-05-01", "day"),
        ("昭和47年5月15日、沖縄が", "昭和47年5月15日", "1972-05-15", "1972-05-15", "day"),
        ("令和6年8月に", "令和6年8月", "2024-08-01", "2024-08-31", "month"),
        ("2024年2月の", "2024年2月", "2024-02-01", "2024-02-29", "month"),
        ("8月下旬に", "8月下旬", "2024-08-21", "2024-08-31", "range"),
        ("9月上旬", "9月上旬", "2024-09-01", "2024-09-10", "range"),
        ("10月中旬から", "10月中旬", "2024-10-11", "2024-10-20", "range"),
        ("2025年2月末まで", "2025年2月末", "2025-02-21", "2025-02-28", "range"),
        ("令和7年度予算", "令和7年度", "2025-04-01", "2026-03-31", "fiscal_year"),
        ("2025年度の", "2025年度", "2025-04-01", "2026-03-31", "fiscal_year"),
        ("FY2025 budget", "FY2025", "2025-04-01", "2026-03-31", "fiscal_year"),
        ("in fiscal 2023,", "fiscal 2023", "2023-04-01", "2024-03-31", "fiscal_year"),
        ("令和6年度末までに", "令和6年度末", "2025-03-01", "2025-03-31", "range"),
        ("令和7年度第1四半期", "令和7年度第1四半期", "2025-04-01", "2025-06-30", "range"),
        ("2025年上半期", "2025年上半期", "2025-01-01", "2025-06-30", "range"),
        ("令和7年に", "令和7年", "2025-01-01", "2025-12-31", "year"),
        ("2025年は", "2025年", "2025-01-01", "2025-12-31", "year"),
        ("2030年代半ば", "2030年代", "2030-01-01", "2039-12-31", "range"),
        ("2023~27年度の計画", "2023~27年度", "2023-04-01", "2028-03-31", "range"),
        ("令和5～9年度", "令和5～9年度", "2023-04-01", "2028-03-31", "range"),
        ("2024/11/12 更新", "2024/11/12", "2024-11-12", "2024-11-12", "day"),
        ("昨年8月", "昨年8月", "2023-08-01", "2023-08-31", "month"),
        ("来年3月に", "来年3月", "2025-03-01", "2025-03-31", "month"),
        ("今年度の", "今年度", "2024-04-01", "2025-03-31", "fiscal_year"),
        ("先月30日に", "先月30日", "2024-10-30", "2024-10-30", "day"),
        ("本日、発表した", "本日", "2024-11-14", "2024-11-14", "day"),
        # English
        ("On May 26, 2025 (Monday), the", "May 26, 2025 (Monday)", "2025-05-26", "2025-05-26", "day"),
        ("They will return on June 9.", "June 9", "2024-06-09", "2024-06-09", "day"),
        ("signed on 9 June 2025 in", "9 June 2025", "2025-06-09", "2025-06-09", "day"),
        ("since August 2024,", "August 2024", "2024-08-01", "2024-08-31", "month"),
        ("deployed there in May 2017", "May 2017", "2017-05-01", "2017-05-31", "month"),
        ("held Sept. 3, 2024 at", "Sept. 3, 2024", "2024-09-03", "2024-09-03", "day"),
        ("drills on Nov. 12th", "Nov. 12th", "2024-11-12", "2024-11-12", "day"),
        ("from May 26-30, 2025", "May 26-30, 2025", "2025-05-26", "2025-05-30", "range"),
        ("from November 4 to 29, 2024 at", "November 4 to 29, 2024", "2024-11-04", "2024-11-29", "range"),
        ("to be completed by 2027.", "2027", "2027-01-01", "2027-12-31", "year"),
    ],
)
def test_single_expression(text, mention, first, last, gran):
    assert one(text) == (mention, first, last, gran)


@pytest.mark.parametrize(
    "text",
    [
        "第49次派遣海賊対処行動水上部隊",
        "もがみ型護衛艦の10番艦",
        "約3,000人が参加した",
        "隊員12名",
        "P-3C哨戒機",
        "鶏4万1,000羽を殺処分",
        "14回目の協議",
        "3日間の日程で",
        "約10日で完了",
        "最大5日",
        "1日あたり2回",
        "3カ月ぶりに",
        "12日以内に",
        "2000年間の",
        "前年比で2割増",
        "日本年金機構",
        "3.5月",
        "F-35A 42機",
        "Type 12 missiles, 1,000 units",
        "He may 12 times",
        "5 march 2024",  # English month names must be capitalised in articles
        "19日間にわたり",
        "令和99年",  # beyond 2100
        "1949年",
        "2月30日",
        "13月5日",
        "",
    ],
)
def test_not_dates(text):
    assert found(text) == []


def test_full_width_digits_keep_original_offsets():
    text = "防衛省は、令和６（２０２４）年１１月１２日（火）、発表した。翌１３日には"
    ms = find_dates(text, PUB)
    assert [text[m.start : m.end] for m in ms] == ["令和６（２０２４）年１１月１２日（火）", "翌１３日"]
    assert [m.span.first for m in ms] == [D("2024-11-12"), D("2024-11-13")]


def test_offsets_after_other_full_width_text():
    text = "ＡＢＣ（テスト）　〜　２０２５年３月３日〜５日"
    assert found(text) == [("２０２５年３月３日〜５日", "2025-03-03", "2025-03-05", "range")]


def test_published_datetime_with_timezone():
    pub = datetime(2024, 11, 14, 9, 30, tzinfo=JST)
    assert one("同日", pub) == ("同日", "2024-11-14", "2024-11-14", "day")


def test_mention_is_frozen_and_hashable():
    m = find_dates("11月12日", PUB)[0]
    assert isinstance(m, DateMention)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.start = 3  # type: ignore[misc]
    assert {m: 1}[DateMention(m.start, m.end, DateSpan(D("2024-11-12"), D("2024-11-12")))] == 1


# --- year inference ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pub", "expected"),
    [
        ("12月28日", "2025-01-05", "2024-12-28"),  # just before New Year
        ("1月10日", "2024-12-20", "2025-01-10"),  # upcoming, within ~a month
        ("1月10日", "2024-11-20", "2024-01-10"),  # too far ahead: last January
        ("12月20日", "2024-11-20", "2024-12-20"),
        ("11月14日", "2024-11-14", "2024-11-14"),
        ("2月29日", "2025-01-10", "2024-02-29"),  # the most recent 29 February
        ("June 9", "2025-06-10", "2025-06-09"),
        ("Dec 30", "2025-01-02", "2024-12-30"),
    ],
)
def test_year_inferred_from_publication(text, pub, expected):
    assert one(text, D(pub))[1] == expected


@pytest.mark.parametrize(
    ("text", "pub", "expected"),
    [
        ("12月", "2025-01-05", ("2024-12-01", "2024-12-31")),
        ("12月", "2024-11-20", ("2024-12-01", "2024-12-31")),
        ("8月下旬", "2025-01-05", ("2024-08-21", "2024-08-31")),
    ],
)
def test_month_year_inferred(text, pub, expected):
    assert one(text, D(pub))[1:3] == expected


@pytest.mark.parametrize(
    ("text", "pub", "expected"),
    [
        ("防衛省は12日、発表した。", "2024-11-14", "2024-11-12"),
        ("防衛省は30日、発表した。", "2024-12-02", "2024-11-30"),  # last month's 30th is closer
        ("防衛省は2日、発表した。", "2024-11-30", "2024-11-02"),
        ("防衛省は20日に発表する。", "2024-11-14", "2024-11-20"),  # later this month
        ("防衛省は31日、発表した。", "2024-11-02", "2024-10-31"),
    ],
)
def test_bare_day_against_publication(text, pub, expected):
    assert [f for _, f, _, _ in found(text, D(pub))] == [expected]


def test_explicit_year_carries_within_a_sentence():
    text = "2023年8月に導入し、11月に配備した。"
    assert [r[1] for r in found(text, D("2025-06-01"))] == ["2023-08-01", "2023-11-01"]


def test_explicit_year_rolls_forward_within_a_sentence():
    text = "2024年12月に日本を出国し、1月中旬に現地に到着した。"
    assert found(text, D("2025-03-10"))[1] == ("1月中旬", "2025-01-11", "2025-01-20", "range")


def test_explicit_year_does_not_carry_across_sentences():
    text = "政府は2022年12月に文書を改定した。防衛省は11月19日、発表した。"
    assert [r[1] for r in found(text, D("2025-11-20"))] == ["2022-12-01", "2025-11-19"]


def test_explicit_month_carries_to_bare_day_within_a_sentence():
    text = "海自は2024年8月26日から始まった演習を、29日に終えた。"
    assert [r[1] for r in found(text, D("2025-01-10"))] == ["2024-08-26", "2024-08-29"]


def test_earlier_day_after_announcement_stays_in_the_month():
    text = "統合幕僚監部は令和6(2024)年4月10日(水)、中国艦艇2隻が9日から10日にかけて海峡を通過したと発表した。9日午後に確認された。"
    assert [(m, f, last) for m, f, last, _ in found(text, D("2024-04-11"))] == [
        ("令和6(2024)年4月10日(水)", "2024-04-10", "2024-04-10"),
        ("9日から10日", "2024-04-09", "2024-04-10"),
        ("9日", "2024-04-09", "2024-04-09"),
    ]


@pytest.mark.parametrize(("pub", "expected"), [("2024-12-05", "2024-12-02"), ("2024-11-30", "2024-11-02")])
def test_earlier_day_rolls_to_next_month_only_if_past_and_closer(pub, expected):
    assert found("11月28日に会談し、2日に署名した。", D(pub))[1][1] == expected


def test_monthly_report_month_carries_across_sentences():
    text = "統幕は令和7年3月の活動状況を公表した。\n\n同月の飛行は15回だった。5日には不審船を確認した。"
    assert found(text, D("2025-04-09"))[-1] == ("5日", "2025-03-05", "2025-03-05", "day")


def test_bare_day_in_new_sentence_uses_publication():
    text = "政府は2022年12月に安保3文書を改定した。防衛省は19日、発表した。"
    assert [r[1] for r in found(text, D("2025-11-20"))] == ["2022-12-01", "2025-11-19"]


def test_relative_years():
    pub = D("2025-03-10")
    assert [r[1:] for r in found("昨年、今年、来年、一昨年", pub)] == [
        ("2024-01-01", "2024-12-31", "year"),
        ("2025-01-01", "2025-12-31", "year"),
        ("2026-01-01", "2026-12-31", "year"),
        ("2023-01-01", "2023-12-31", "year"),
    ]
    # fiscal years follow April: in March 2025 "this fiscal year" is FY2024
    assert [r[1] for r in found("今年度と昨年度と来年度", pub)] == ["2024-04-01", "2023-04-01", "2025-04-01"]


# --- chaining ---------------------------------------------------------------------------------------


def test_same_day_and_next_day_chain():
    text = "防衛大臣は令和6年11月12日に会談した。同日、翌日、前日にも。翌15日には視察した。"
    assert [(m, f) for m, f, _, _ in found(text)] == [
        ("令和6年11月12日", "2024-11-12"),
        ("同日", "2024-11-12"),
        ("翌日", "2024-11-13"),
        ("前日", "2024-11-12"),  # the day before the previous mention (翌日)
        ("翌15日", "2024-11-15"),
    ]


def test_next_numbered_day_crosses_month_end():
    text = "11月29日に到着し、翌2日に出発した。"
    assert [r[1] for r in found(text, D("2024-12-05"))] == ["2024-11-29", "2024-12-02"]


def test_same_day_without_previous_mention_is_publication_day():
    assert one("同日午後、記者会見した。", D("2024-11-14"))[1] == "2024-11-14"


def test_context_is_the_previous_mention():
    ctx = D("2024-11-01")
    assert one("同日、会見した。", PUB, context=ctx)[1] == "2024-11-01"
    assert one("翌日、会見した。", PUB, context=ctx)[1] == "2024-11-02"
    assert one("同月20日に", PUB, context=ctx)[1] == "2024-11-20"
    # once the text names a date, that wins over the context
    assert found("9月3日に出港。同日", PUB, context=ctx)[1][1] == "2024-09-03"


def test_same_month_and_year_refer_back():
    text = "2023年8月に合意した。同年11月には署名し、同月20日に発効した。"
    assert [r[1] for r in found(text, D("2025-01-10"))] == ["2023-08-01", "2023-11-01", "2023-11-20"]


def test_bare_days_after_a_dated_lead():
    text = "防衛省は13日、訓練を公表した。訓練は12、13両日に行われた。"
    assert [(m, f) for m, f, _, _ in found(text)] == [
        ("13日", "2024-11-13"),
        ("12", "2024-11-12"),
        ("13両日", "2024-11-13"),
    ]


# --- ranges -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pub", "expected"),
    [
        ("8月26日から11月15日まで", "2024-11-14", ("8月26日から11月15日", "2024-08-26", "2024-11-15")),
        ("11月3~7日", "2024-11-14", ("11月3~7日", "2024-11-03", "2024-11-07")),
        ("11月3日~7日", "2024-11-14", ("11月3日~7日", "2024-11-03", "2024-11-07")),
        ("12日から15日まで", "2024-11-14", ("12日から15日", "2024-11-12", "2024-11-15")),
        ("11月28日から12月2日まで", "2024-12-05", ("11月28日から12月2日", "2024-11-28", "2024-12-02")),
        ("28日から2日まで", "2024-12-05", ("28日から2日", "2024-11-28", "2024-12-02")),
        ("12月28日~1月5日", "2025-01-03", ("12月28日~1月5日", "2024-12-28", "2025-01-05")),
        ("令和6年11月~令和7年3月", "2025-01-10", ("令和6年11月~令和7年3月", "2024-11-01", "2025-03-31")),
        ("2024年11月から3月まで", "2025-01-10", ("2024年11月から3月", "2024-11-01", "2025-03-31")),
        ("from May 26 to June 9", "2025-06-20", ("May 26 to June 9", "2025-05-26", "2025-06-09")),
    ],
)
def test_ranges(text, pub, expected):
    m, first, last, gran = one(text, D(pub))
    assert (m, first, last) == expected and gran == "range"


def test_open_ended_until_is_a_day():
    assert one("9月25日まで", D("2024-09-01")) == ("9月25日", "2024-09-25", "2024-09-25", "day")


def test_dates_not_joined_across_words():
    text = "8月26日から始まり、11月15日まで続いた。"
    assert [r[0] for r in found(text)] == ["8月26日", "11月15日"]


# --- a realistic passage ----------------------------------------------------------------------------


def test_passage():
    text = (
        "防衛省は令和6(2024)年11月12日(火)、オーストラリア陸軍本部長が同日、木原防衛大臣を表敬したと発表した。"
        "\n\n本部長は翌13日に陸上自衛隊富士学校を訪れ、10式戦車の射撃を視察した。"
        "\n\n両国は令和5年度から実動訓練を重ねており、今年は8月下旬に約3,000人が参加した。"
        "The Chief of Army also visited Camp Fuji on November 13, 2024."
    )
    assert found(text, D("2024-11-14")) == [
        ("令和6(2024)年11月12日(火)", "2024-11-12", "2024-11-12", "day"),
        ("同日", "2024-11-12", "2024-11-12", "day"),
        ("翌13日", "2024-11-13", "2024-11-13", "day"),
        ("令和5年度", "2023-04-01", "2024-03-31", "fiscal_year"),
        ("今年", "2024-01-01", "2024-12-31", "year"),
        ("8月下旬", "2024-08-21", "2024-08-31", "range"),
        ("November 13, 2024", "2024-11-13", "2024-11-13", "day"),
    ]


# --- properties -------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789０１２３年月日度同翌前本令和平成()（）~〜、。 MayJuneFY,-")),
        max_size=60,
    ),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
)
def test_any_text_gives_ordered_valid_mentions(text, pub):
    ms = find_dates(text, pub)
    end = 0
    for m in ms:
        assert end <= m.start < m.end <= len(text)
        assert m.span.first <= m.span.last
        assert m.span.granularity in {"day", "month", "year", "fiscal_year", "range"}
        end = m.end


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)), st.booleans())
def test_written_dates_round_trip(d, full_width):
    text = f"{d.year}年{d.month}月{d.day}日"
    if full_width:
        text = text.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    assert find_dates("発表は" + text + "だった", date(2025, 1, 1)) == [
        DateMention(3, 3 + len(text), DateSpan(d, d, "day"))
    ]


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2019, 5, 1), max_value=date(2100, 12, 31)))
def test_reiwa_dates_round_trip(d):
    n = d.year - 2018
    text = f"令和{'元' if n == 1 else n}年{d.month}月{d.day}日"
    assert [m.span.first for m in find_dates(text, date(2025, 1, 1))] == [d]

"""Romanisation, figures and the names an article gives in English or with readings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from index.text.english.names import find_names
from index.text.english.numbers import find_quantities, format_number, parse_number
from index.text.english.romaji import hepburn, romanise_name


def test_hepburn_names_and_long_vowels():
    assert romanise_name("なかたに・げん") == "Nakatani Gen"
    assert romanise_name("おおかわら・しゅんすけ") == "Okawara Shunsuke"
    assert romanise_name("きりゅう・りょうすけ") == "Kiryu Ryosuke"
    assert romanise_name("ハチノヘ") == "Hachinohe"
    assert hepburn("いっしき") == "isshiki"
    assert hepburn("ほっかいどう") == "hokkaido"
    assert hepburn("マッチ") == "matchi"


@given(st.integers(min_value=0, max_value=10**9))
def test_figures_round_trip(n):
    text = format_number(n)
    if "million" in text or "billion" in text:
        value, unit = text.split()
        assert float(value) * {"million": 1e6, "billion": 1e9}[unit] == n
    else:
        assert parse_number(text) == n


def test_quantities_keep_the_article_figures():
    found = {q.english for q in find_quantities("鶏は約4万1,000羽、計6機を派遣し、同日午後8時ごろ、第43普通科連隊")}
    assert {"about 41,000 birds", "a total of 6 aircraft", "around 8 p.m.", "43rd"} <= found
    assert [q.english for q in find_quantities("約3分の2")] == ["about 2/3"]
    assert [q.english for q in find_quantities("12式地対艦誘導弾")] == ["Type 12"]
    assert find_quantities("1佐職人事") == []  # a figure glued to an unknown word is not a count


def test_names_from_readings_and_parenthesised_english():
    names = find_names(
        "中谷 元(なかたに・げん)防衛大臣を表敬した。アトゥル・カレ(Atul Khare)国連事務次長が来日した。"
        "エストニア国防軍司令官のヤーク・タムサール中将(Lieutenant General Jaak Tamsaar, Commander of the "
        "Estonian Defence Forces)が訪れた。日豪円滑化協定(RAA)の発効。システム(HIMARS)。"
    )
    assert names.terms["中谷"] == "Nakatani"
    assert names.terms["アトゥル・カレ"] == "Atul Khare"
    assert names.terms["カレ"] == "Khare"
    assert names.terms["タムサール中将"] == "Lieutenant General Tamsaar"
    assert names.terms["エストニア国防軍司令官"] == "Commander of the Estonian Defence Forces"
    assert names.terms["日豪円滑化協定"] == "RAA"
    persons = {p.en: p for p in names.persons}
    assert persons["Jaak Tamsaar"].rank_en == "Lieutenant General"
    assert "HIMARS" not in persons  # an abbreviation is not a person

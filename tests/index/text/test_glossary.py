"""The reviewed glossary: loading, matching, romanised Japanese."""

from __future__ import annotations

from datetime import date

import pytest

from index.text.glossary import Glossary, default_glossary, romaji_concepts, romaji_to_hiragana

REQUIRED = [
    ("MOD", "防衛省"), ("Ministry of Defense", "防衛省"), ("Defense Minister", "防衛大臣"),
    ("Defense Minister", "防衛相"), ("MOFA", "外務省"), ("JSDF", "自衛隊"), ("SDF", "自衛隊"),
    ("GSDF", "陸上自衛隊"), ("JGSDF", "陸自"), ("MSDF", "海上自衛隊"), ("JMSDF", "海自"),
    ("ASDF", "航空自衛隊"), ("JASDF", "空自"), ("ATLA", "防衛装備庁"), ("Joint Staff", "統合幕僚監部"),
    ("Joint Staff", "統幕"), ("PKO", "国連平和維持活動"),
]


@pytest.mark.parametrize(("en", "ja"), REQUIRED)
def test_required_aliases_both_ways(en, ja):
    g = default_glossary()
    from_en = [set(c.spellings) for c in g.match(f"What did the {en} announce?")]
    assert any(ja in s for s in from_en), (en, from_en)
    from_ja = [set(c.spellings) for c in g.match(f"{ja}は何を発表したか")]
    assert any(en in s for s in from_ja), (ja, from_ja)


def test_longest_match_wins_and_case_is_ignored():
    g = default_glossary()
    concepts = g.match("the jmsdf destroyer and the Vice Foreign Minister")
    words = [c.spellings[0] for c in concepts]
    assert "jmsdf" in words
    assert any("外務副大臣" in c.spellings for c in concepts)
    assert not any(c.spellings[0] == "foreign minister" for c in concepts)


def test_words_inside_other_words_do_not_match():
    g = default_glossary()
    assert not any("防衛省" in c.spellings for c in g.match("a modern model"))


def test_single_kanji_spellings_are_not_triggers():
    g = default_glossary()
    # 豪 (Australia) must not fire inside 豪雨 (heavy rain): only the heavy-rain term may match
    spellings = [set(c.spellings) for c in g.match("豪雨")]
    assert not any("Australia" in s for s in spellings)


def test_bad_glossary_is_refused(tmp_path):
    p = tmp_path / "g.toml"
    p.write_text('[[term]]\nkind = "other"\nen = ["x"]\n', "utf-8")
    with pytest.raises(ValueError):
        Glossary.load(p)
    p.write_text('[[term]]\nkind = "alias"\n', "utf-8")
    with pytest.raises(ValueError):
        Glossary.load(p)


def test_glossary_has_no_duplicate_terms():
    g = default_glossary()
    keys = [(t.kind, t.en, t.ja) for t in g.terms]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("word", "kana"), [
    ("takase", "たかせ"), ("nakatani", "なかたに"), ("shinkansen", "しんかんせん"), ("kyushu", "きゅしゅ"),
    ("hokkaido", "ほっかいど"), ("kanoya", "かのや"), ("ikazuchi", "いかずち"),
])
def test_romaji_to_hiragana(word, kana):
    assert romaji_to_hiragana(word) == kana


def test_romaji_long_vowels_are_tried_as_readings():
    (c,) = romaji_concepts("the Hokkaido camp", [])
    assert "~ホッカイドウ" in c.spellings


def test_romaji_rejects_english_words():
    assert romaji_to_hiragana("which") is None
    assert romaji_to_hiragana("strength") is None


def test_romaji_concepts_only_for_capitalised_words_and_carry_readings():
    concepts = romaji_concepts("Where was Takase launched near Otsuki city?", [])
    found = {c.spellings[0]: c for c in concepts}
    assert set(found) == {"takase", "otsuki"}
    assert "たかせ" in found["takase"].spellings
    assert "~オオツキ" in found["otsuki"].spellings  # 大月 is read オオツキ


def test_the_home_country_is_marked_and_names_nothing_an_article_must_hold():
    from index.search.config import SearchConfig
    from index.search.plan import Planner
    from index.text.tokenize import KeywordTokenizer

    g = default_glossary()
    assert {"japan", "japanese", "日本"} <= g.home_spellings
    assert "philippines" not in g.home_spellings
    planner = Planner(KeywordTokenizer(), g, SearchConfig())
    names = planner.plan("Which Japanese and Philippine ships sailed together?", date(2025, 7, 1)).names
    assert any("philippine" in n for n in names)
    assert not any("japanese" in n for n in names)

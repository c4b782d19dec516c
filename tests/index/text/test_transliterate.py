"""English names and the katakana that articles write them in, matched by their consonant skeletons."""

from __future__ import annotations

import pytest

from index.text.transliterate import KatakanaIndex, kana_skeletons, latin_skeleton, vowels_agree


@pytest.mark.parametrize(("english", "katakana"), [
    ("Resolute", "レゾリュート"), ("Dragon", "ドラゴン"), ("Orient", "オリエント"), ("Shield", "シールド"),
    ("Quest", "クエスト"), ("Talisman", "タリスマン"), ("Malabar", "マラバール"), ("Guardian", "ガーディアン"),
    ("Pacific", "パシフィック"), ("Vanguard", "ヴァンガード"), ("Northern", "ノーザン"), ("Freedom", "フリーダム"),
])
def test_an_english_name_meets_its_katakana(english, katakana):
    assert latin_skeleton(english) in kana_skeletons(katakana)


@pytest.mark.parametrize(("english", "katakana"), [
    ("Dragon", "ドローン"), ("Shield", "システム"), ("Orient", "オーストラリア"), ("Quest", "クッション"),
])
def test_other_words_do_not(english, katakana):
    assert latin_skeleton(english) not in kana_skeletons(katakana)


def test_too_few_consonants_say_too_little_to_match_on():
    assert latin_skeleton("Keen") == "" and latin_skeleton("Iron") == ""  # k-n, r-n: too many katakana words
    assert kana_skeletons("カーン") == set()
    assert latin_skeleton("F-35B") == "" and kana_skeletons("護衛艦") == set()


def test_the_index_finds_the_vocabulary_words_an_english_word_may_be():
    index = KatakanaIndex(["レゾリュート", "ドラゴン", "ドローン", "演習", "resolute"])
    assert index.spellings("Resolute") == ["レゾリュート"]
    assert index.spellings("dragon") == ["ドラゴン"]
    assert index.spellings("Sword") == []


@pytest.mark.parametrize(("english", "katakana"), [
    ("Resolute", "レゾリュート"), ("Dragon", "ドラゴン"), ("Orient", "オリエント"), ("Quest", "クエスト"),
    ("Talisman", "タリスマン"), ("Malabar", "マラバール"), ("Guardian", "ガーディアン"), ("Pacific", "パシフィック"),
    ("Vanguard", "ヴァンガード"), ("Freedom", "フリーダム"), ("Australia", "オーストラリア"), ("Kiviste", "キヴィステ"),
    ("Mongolia", "モンゴル"), ("Vietnam", "ベトナム"), ("Estonia", "エストニア"), ("Luzon", "ルソン"),
])
def test_the_vowels_of_a_transcription_agree(english, katakana):
    assert vowels_agree(english, katakana)


@pytest.mark.parametrize(("english", "katakana"), [
    ("Lithuania", "ルソン"), ("Louvre", "レベル"), ("Sabre", "ショベル"), ("Sapporo", "オスプレイ"),
])
def test_a_skeleton_match_with_other_vowels_is_another_word(english, katakana):
    assert latin_skeleton(english) in kana_skeletons(katakana)  # the consonants alone would take it
    assert not vowels_agree(english, katakana)


def test_the_index_keeps_only_the_words_whose_vowels_agree():
    index = KatakanaIndex(["ルソン", "レベル", "オスプレイ"])
    assert index.spellings("Luzon") == ["ルソン"] and index.spellings("Lithuania") == []
    assert index.spellings("Louvre") == [] and index.spellings("Sapporo") == []

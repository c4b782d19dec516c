"""Ordinals name one item of a series: the article must hold the same one."""

from __future__ import annotations

import pytest

from index.search.ordinals import editions_missing, ordinals_missing, question_editions, question_ordinals


@pytest.mark.parametrize(("question", "numbers"), [
    ("When was the 13th Mogami-class frigate launched?", (13,)),
    ("たいげい型潜水艦の7番艦が進水したのはいつ?", (7,)),
    ("第55次隊を率いる隊長は誰?", (55,)),
    ("第10回の会合はどこで開かれた?", (10,)),
    ("Who visited on the 13th?", ()),  # a day, not an item
    ("What happened on the 13th of July?", ()),
    ("年2回の会合はいつ?", ()),  # a frequency
])
def test_question_ordinals(question, numbers):
    assert question_ordinals(question) == numbers


def test_ordinals_outside_dates_only():
    q = "Who visited on July 13th?"
    assert question_ordinals(q, [(q.index("July"), len(q) - 1)]) == ()


def test_the_article_must_hold_the_same_item_in_any_ordinal_form():
    assert ordinals_missing((13,), "もがみ型12番艦「ゆら」は13日に進水した。") == (13,)
    assert ordinals_missing((12,), "もがみ型12番艦「ゆら」") == ()
    assert ordinals_missing((47,), "第47次派遣海賊対処行動水上部隊") == ()
    assert ordinals_missing((11,), "the 11th ship of the class") == ()
    assert ordinals_missing((1,), "the 11th ship of the class") == (1,)


@pytest.mark.parametrize(("question", "numbers"), [
    ("How many JASDF personnel went to Cope North 25?", (25,)),
    ("キーン・ソード23に自衛隊から参加した人数は?", (23,)),
    ("F-35Bはいつ着艦した?", ()),
    ("How many aircraft joined?", ()),
])
def test_editions_are_numbers_after_a_name(question, numbers):
    assert question_editions(question) == numbers


def test_an_edition_must_be_held_as_a_number_of_its_own():
    assert editions_missing((25,), "キーン・ソード23は25日に始まった。") == (25,)  # a day is no edition
    assert editions_missing((24,), "実動演習「レゾリュート・ドラゴン24」") == ()
    assert editions_missing((12,), "12式地対艦誘導弾") == ()

"""Surface matching of Japanese questions: character bigrams weighed among the candidates."""

from __future__ import annotations

import numpy as np

from index.search.surface import bigram_scores, question_bigrams


def test_bigrams_hold_a_japanese_character_and_no_break():
    grams = question_bigrams("コンゴ共和国の首都は? MOD")
    assert "コン" in grams and "和国" in grams and "首都" in grams
    assert not any(g.isascii() for g in grams)  # English words are the keyword side's to match
    assert not any("?" in g or " " in g for g in grams)
    assert question_bigrams("Who visited MOD on July 4?") == []


def test_a_bigram_every_candidate_holds_counts_for_nothing_a_rare_one_most():
    texts = ["コンゴ共和国の首都はブラザヴィル", "コンゴ民主共和国の首都はキンシャサ", "コンゴ川の流域"]
    scores = bigram_scores(question_bigrams("コンゴ共和国の首都"), texts)
    assert scores[0] > scores[1] > scores[2]
    common = bigram_scores(["コン"], texts)
    rare = bigram_scores(["川の"], texts)
    assert common[0] < rare[2]


def test_no_bigram_no_score():
    assert bigram_scores([], ["テキスト"]).tolist() == [0.0]
    assert np.all(bigram_scores(["該当"], ["何もない", "別の文"]) == 0)

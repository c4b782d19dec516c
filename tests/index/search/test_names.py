"""The names of a question that an article must hold."""

from __future__ import annotations

from datetime import date

import numpy as np

from index.search.config import SearchConfig
from index.search.names import is_japanese, missing_share, name_concepts, proper
from index.search.plan import Planner
from index.store.keyword import BM25Index, QueryConcept
from index.text.glossary import default_glossary
from index.text.tokenize import READING_MARK, KeywordTokenizer


def test_proper_names_are_readings_or_glossary_terms_in_both_languages():
    assert proper(QueryConcept((("otsuki",), (READING_MARK + "オオツキ",))))
    assert proper(QueryConcept((("philippine",), ("フィリピン",))))
    assert not proper(QueryConcept((("トップ",),)))  # a katakana loanword
    assert not proper(QueryConcept((("chief",),)))


def test_a_name_counts_against_an_article_in_a_script_that_can_spell_it():
    tok = KeywordTokenizer()
    docs = ["オーストラリア陸軍本部長が表敬した。", "ニュージーランド陸軍本部長が表敬した。", "The Chief of Army called."]
    idx = BM25Index.build([tok.tokens(d) for d in docs])
    plan = Planner(tok, default_glossary(), SearchConfig()).plan("Which Australian general called?", date(2025, 1, 1))
    names = name_concepts(plan, idx)
    assert names and any(proper(c) for c in names)
    assert missing_share(names, idx, np.asarray([0]), is_japanese(docs[0])) == 0.0
    assert missing_share(names, idx, np.asarray([1]), is_japanese(docs[1])) == 1.0
    assert missing_share(names, idx, np.asarray([2]), is_japanese(docs[2])) == 1.0  # "Australian" is spellable


def test_names_the_corpus_never_uses_are_left_to_the_confidence():
    tok = KeywordTokenizer()
    idx = BM25Index.build([tok.tokens("陸上自衛隊が訓練を行った。")])
    plan = Planner(tok, default_glossary(), SearchConfig()).plan("Did Zorvania join the drill?", date(2025, 1, 1))
    assert name_concepts(plan, idx) == []


def test_a_japanese_questions_kanji_name_reaches_the_english_that_romanises_it():
    tok = KeywordTokenizer()
    docs = ["Four GSDF officers will depart Narita Airport on June 9.", "南スーダンへの要員派遣を延長した。"]
    idx = BM25Index.build([tok.tokens(d) for d in docs])
    plan = Planner(tok, default_glossary(), SearchConfig()).plan("陸上自衛官4名はいつ成田空港を出発するか", date(2025, 1, 1))
    narita = next(c for c in plan.concepts if ("成田",) in c.variants)
    assert ("narita",) in narita.variants and (READING_MARK + "ナリタ",) in narita.variants  # the name's own reading
    assert missing_share([narita], idx, np.asarray([0]), is_japanese(docs[0])) == 0.0  # the English holds it
    # a katakana word is left to the glossary: ジブチ is Djibouti, not "jibuchi"
    plan = Planner(tok, default_glossary(), SearchConfig()).plan("ジブチの拠点はどこか", date(2025, 1, 1))
    assert not any(v == ("jibuchi",) for c in plan.concepts for v in c.variants)

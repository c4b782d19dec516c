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

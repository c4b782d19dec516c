"""The passage that answers: which sentences of an article, and what kind of answer a question asks for."""

from __future__ import annotations

from index.search.passages import answer_window, as_groups
from index.search.plan import SYNONYM_WEIGHT, synonym_weight
from index.text.tokenize import READING_MARK

BODY = ("防衛装備庁は11月12日、技術シンポジウムを開催した。"  # the lead: the words that found the article
        "研究者はマイクロ波技術の成果を紹介した。"
        "試験では小型ドローン10機の編隊が制御を失った。"
        "会場には多くの来場者が集まった。")


def _sentence(text: str) -> tuple[int, int]:
    start = BODY.index(text)
    return start, start + len(text)


def test_the_sentence_with_the_detail_asked_beats_the_lead_with_the_context():
    groups = [(("防衛装備庁",), 3.0), (("シンポジウム",), 2.0), (("ドローン",), 3.0), (("編隊",), 3.0)]
    s, e, *_ = answer_window(BODY, [(0, len(BODY))], (0, len(BODY)), groups, frozenset({"count"}), 240, 1)
    assert (s, e) == _sentence("試験では小型ドローン10機の編隊が制御を失った。")


def test_a_term_in_every_sentence_tells_none_apart():
    body = "演習Aを行った。演習Aで艦艇が参加した。演習Aの期間は5日間。"
    groups = [(("演習A",), 5.0), (("艦艇",), 1.0)]
    s, e, *_ = answer_window(body, [(0, len(body))], (0, len(body)), groups, frozenset(), 240, 1)
    assert body[s:e] == "演習Aで艦艇が参加した。"


def test_the_title_names_the_article_so_its_words_weigh_less_among_the_sentences():
    body = "外務省は書簡を交換した。供与するのはレーダーだ。"
    groups = [(("外務省",), 4.0), (("書簡",), 2.0), (("供与",), 5.0)]
    span = (0, len(body))
    untitled = answer_window(body, [span], span, groups, frozenset(), 240, 1)
    titled = answer_window(body, [span], span, groups, frozenset(), 240, 1, title="外務省、書簡交換")
    assert body[untitled[0]:untitled[1]] == "外務省は書簡を交換した。"
    assert body[titled[0]:titled[1]] == "供与するのはレーダーだ。"


def test_a_rare_single_kanji_word_weighs_a_sentence_though_it_is_not_highlighted():
    body = "陸自は隊員460人を派遣した。対象となった鶏は約4万1,000羽に上る。"
    groups = [(("陸自",), 1.0), (("鶏",), 5.0), (("羽",), 5.0)]
    s, e, *_ = answer_window(body, [(0, len(body))], (0, len(body)), groups, frozenset({"count"}), 240, 1)
    assert body[s:e] == "対象となった鶏は約4万1,000羽に上る。"


def test_the_neighbour_that_adds_evidence_joins_else_the_one_before():
    body = "艦Aが入港した。乗員は200名。天候は晴れだった。"
    span = (0, len(body))
    s, e, *_ = answer_window(body, [span], span, as_groups(["晴れ", "乗員"]), frozenset(), 240, 2)
    assert body[s:e] == "乗員は200名。天候は晴れだった。"
    s, e, *_ = answer_window(body, [span], span, as_groups(["乗員"]), frozenset(), 240, 2)
    assert body[s:e] == "艦Aが入港した。乗員は200名。"  # (the subject is often in the sentence before)
    s, e, *_ = answer_window(body, [span], span, as_groups(["乗員"]), frozenset(), 240, 1)
    assert body[s:e] == "乗員は200名。"
    s, e, *_ = answer_window(body, [span], span, as_groups(["乗員"]), frozenset(), 12, 2)
    assert body[s:e] == "乗員は200名。"  # the two do not fit


def test_synonyms_in_the_questions_script_count_less_translations_fully():
    assert synonym_weight("要員", "要員") == 1.0
    assert synonym_weight("要員", "隊員") == SYNONYM_WEIGHT < 1.0
    assert synonym_weight("要員", "personnel") == 1.0  # the only way into an English text
    assert synonym_weight("MOD", "Ministry of Defense") == SYNONYM_WEIGHT
    assert synonym_weight("MOD", "防衛省") == 1.0
    assert synonym_weight("中谷", READING_MARK + "ナカタニ") == 1.0

"""The passage that answers: which sentences of an article, and what kind of answer a question asks for."""

from __future__ import annotations

from index.search.passages import answer_window, as_groups, names_aside
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


def test_a_name_the_article_holds_only_aside_counts_against_it():
    body = ("山形県で記録的な大雨となり、陸自が孤立集落の救助にあたった。"
            "27日朝までに救助した住民は計約60名に上る。"
            "大雨は隣接する秋田県にも広がった。")
    title = "山形県の大雨 陸自が救助"
    answer = _span(body, "27日朝までに救助した住民は計約60名に上る。")
    assert names_aside(body, answer, [("秋田県",)], title) == 1.0  # only in a side remark
    assert names_aside(body, answer, [("山形県",)], title) == 0.0  # what the article is about (its title)
    assert names_aside(body, answer, [("岩手県",)], title) == 0.0  # not held at all: another feature's concern
    lead = _span(body, "大雨は隣接する秋田県にも広がった。")
    assert names_aside(body, lead, [("秋田県",), ("岩手県",)], title) == 0.0  # in the answer itself
    assert names_aside(body, answer, [], title) == 0.0


def test_a_name_in_the_english_of_a_sentence_is_held_there():
    body = "大雨は隣接する秋田県にも広がった。救助した住民は約60名。"
    first = _span(body, "大雨は隣接する秋田県にも広がった。")
    english = [(first[0], first[1], "The rain also spread to neighbouring Akita Prefecture.")]
    answer = _span(body, "救助した住民は約60名。")
    assert names_aside(body, answer, [("Akita",)], "", english) == 1.0
    assert names_aside(body, answer, [("Akita",)], "", ()) == 0.0  # the Japanese alone does not spell it


def _span(body: str, text: str) -> tuple[int, int]:
    start = body.index(text)
    return start, start + len(text)

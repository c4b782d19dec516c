"""/ask without Discord: options -> one Query, answers with emphasis, paging state, the reply model."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.errors import InvalidInputError
from bot.core.settings import SAMPLE_DIR
from bot.features.ask.logic import (
    NOT_FOUND,
    OFF_TOPIC,
    REPHRASE_TIPS,
    answer_reply,
    english_line,
    event_lines,
    has_english,
    is_gloss,
    strip_mention,
    title_beside,
)
from bot.features.ask.terminal import render_terminal
from bot.features.catalog import build_features
from index.embedding.fake import HashEmbedder
from index.errors import IndexMissingError, InvalidQueryError
from index.models import Answer, Hit
from index.service import IndexService, highlight_spans
from index.sources.config import default_sources

from ...conftest import NOW

KHARE = "https://defnews-sample.example.jp/articles/2025/07/un-operational-support-usg-khare-visit"


@pytest.fixture
def asker(features):
    return features.ask


def _day(hit: Hit) -> str:
    return hit.published.date().isoformat()


def test_parse_ask_options(asker, settings):
    p = asker.parse("  Who visited MOD on July 4?  ", since="7d", until="2025-07-24", section="国際協力", k=4)
    assert p.text == "Who visited MOD on July 4?"
    assert p.since == NOW - timedelta(days=7) and p.until.date().isoformat() == "2025-07-24"
    assert p.section == "国際協力" and p.k == 4
    assert asker.parse("q").k == settings.ask.results_per_page
    assert asker.stored_query(asker.log_query(p, user_id=1, origin="slash")) == p


@pytest.mark.parametrize(("kwargs", "error", "needle"), [
    ({"question": "x" * 301}, InvalidQueryError, "longer than 300"),
    ({"question": "   "}, InvalidQueryError, "empty"),
    ({"question": "q", "since": "later"}, InvalidInputError, "not understood"),
    ({"question": "q", "since": "2025-07-20", "until": "2025-07-10"}, InvalidInputError, "after"),
    ({"question": "q", "k": 11}, InvalidInputError, "between 1 and 10"),
])
def test_parse_ask_refusals(asker, kwargs, error, needle):
    with pytest.raises(error, match=needle):
        asker.parse(**kwargs)


def test_answer_finds_the_visit_and_emphasises_terms(asker):
    reply = asker.answer(asker.parse("Who visited MOD on July 4?", k=3))
    assert reply.items[0].url == KHARE
    assert reply.total >= len(reply.items) == 3
    assert any(item.highlights for item in reply.items)
    page2 = asker.answer(asker.parse("Who visited MOD on July 4?", k=3), offset=3)
    assert page2.offset == 3 and not {i.url for i in page2.items} & {i.url for i in reply.items}


def test_answer_filters_by_section_and_date(asker):
    reply = asker.answer(asker.parse("防衛大臣", section="人事", k=10))
    assert reply.items and {i.section for i in reply.items} == {"人事"}
    recent = asker.answer(asker.parse("防衛大臣", since="2025-07-20", k=10))
    assert recent.items and all(_day(i) >= "2025-07-20" for i in recent.items)
    with pytest.raises(InvalidInputError, match="no section 'nope'"):
        asker.answer(asker.parse("q", section="nope"))
    nothing = asker.answer(asker.parse("防衛大臣", since="2025-07-25", k=10))  # after the newest article
    assert not nothing.items and REPHRASE_TIPS in nothing.tips and "filters" in nothing.tips


def test_sections_are_listed_most_common_first(asker):
    sections = asker.service.sections()
    assert set(sections) == {"日本の防衛", "世界の防衛", "装備", "人事", "国際協力"}


def test_queries_are_logged_for_paging_and_feedback(asker, state):
    params = asker.parse("護衛艦の進水", since="30d", k=2)
    qid = asker.log_query(params, user_id=9, origin="slash")
    assert asker.stored_query(qid) == params
    assert state.counter("queries_served") == 1
    with pytest.raises(InvalidInputError, match="ask it again"):
        asker.stored_query(qid + 100)


def test_strip_mention():
    assert strip_mention("<@123> who visited MOD on July 4", 123) == "who visited MOD on July 4"
    assert strip_mention("hey <@!123>   what  about <@123>", 123) == "hey what about"
    assert strip_mention("<@123>", 123) == ""


def test_a_missing_index_is_a_clear_error(tmp_path, settings, clock):
    service = IndexService(tmp_path / "empty", HashEmbedder(256), default_sources(SAMPLE_DIR))
    asker = build_features(settings, service, None, clock=clock).ask
    with pytest.raises(IndexMissingError):
        asker.answer(asker.parse("q"))


# --------------------------------------------------------------------------- the reply model and emphasis


def _hit(passage: str, highlights=()) -> Hit:
    return Hit(chunk_id="a:0", article_id="a", url="https://example.jp/a", title="Title", section="装備",
               published=datetime(2025, 7, 4, 10, tzinfo=UTC), passage=passage, score=1.0, highlights=highlights)


def test_latin_terms_match_whole_words_case_insensitively():
    text = "The MOD said the model was modern; mod rules."
    spans = highlight_spans(text, ["mod"])
    assert [text[s:e] for s, e in spans] == ["MOD", "mod"]


def test_japanese_terms_match_inside_compounds_and_one_char_terms_are_ignored():
    text = "防衛省で防衛大臣を表敬した。"
    spans = highlight_spans(text, ["防衛", "表敬", "省", "で"])
    assert [text[s:e] for s, e in spans] == ["防衛", "防衛", "表敬"]


def test_overlapping_terms_give_non_overlapping_spans():
    text = "Ministry of Defense"
    spans = highlight_spans(text, ["ministry of", "of defense"])
    assert spans == ((0, len("Ministry of")),)  # the longer term wins where two overlap


def test_answer_reply_uses_terms_when_hits_have_no_highlights():
    answer = Answer("who visited MOD", True, [_hit("The visitor came to MOD on July 4.")], total=1)
    reply = answer_reply(answer, 0, ["visited", "mod"])
    (item,) = reply.items
    assert [item.passage[s:e] for s, e in item.highlights] == ["MOD"]
    # highlights from the searcher win over the fallback
    reply2 = answer_reply(Answer("q", True, [_hit("abc def", ((4, 7),))], total=1), 0, ["abc"])
    assert reply2.items[0].highlights == ((4, 7),)


def test_nothing_found_says_so_and_suggests_rephrasing():
    reply = answer_reply(Answer("zzz", False, [], total=0))
    assert not reply.items and not reply.confident
    assert "Nothing" in reply.notice and reply.tips == REPHRASE_TIPS


def test_not_confident_says_so_first_and_labels_the_nearest():
    reply = answer_reply(Answer("q", False, [_hit("abc def")], total=1, info={"off_topic": False}))
    assert reply.notice == NOT_FOUND and reply.items and not reply.confident
    text = render_terminal(reply)
    assert text.index("No article answers this. Nearest articles:") < text.index("1. ")


def test_off_topic_gets_what_the_bot_answers_instead_of_articles():
    reply = answer_reply(Answer("Tell me a joke", False, [_hit("abc def")], total=1, info={"off_topic": True}))
    assert reply.off_topic and not reply.items and reply.notice == OFF_TOPIC
    assert "defence news" in render_terminal(reply) and "who visited MOD on July 4" in OFF_TOPIC


def test_off_topic_and_nearest_on_the_sample_corpus(asker):
    for question in ("Tell me a joke", "明日の東京の天気は?", "What is the best pizza in Naples?"):
        reply = asker.answer(asker.parse(question))
        assert not reply.confident and reply.off_topic and not reply.items, question


def test_context_shows_the_passage_inside_its_sentences(asker):
    reply = asker.answer(asker.parse("Who visited MOD on July 4?", k=1))
    (item,) = reply.items
    assert item.context[item.context_offset:item.context_offset + len(item.passage)] == item.passage
    plain, wide = render_terminal(reply), render_terminal(reply, context=True)
    assert len(wide) > len(plain) and item.context.replace("\n", "\n   ")[:20] in wide


# --------------------------------------------------------------------------- English


def test_english_questions_lead_with_english_and_japanese_ones_do_not(asker):
    reply = asker.answer(asker.parse("who visited MOD on July 4", k=3))
    assert reply.english and reply.items[0].url == KHARE
    lead = english_line(reply.items[0])
    assert "Khare" in lead and "4 July" in lead  # the user's example, in English
    ja = asker.answer(asker.parse("7月4日に防衛省を訪れたのは誰?", k=3))
    assert not ja.english and ja.items[0].url == KHARE and has_english(ja)
    assert not asker.answer(asker.parse("P-3C 哨戒機")).english  # mostly Japanese


def test_answer_reply_english_follows_the_question_unless_told():
    hit = _hit("防衛省を訪れた。")
    assert answer_reply(Answer("who came", True, [hit], total=1)).english
    assert not answer_reply(Answer("誰が来た", True, [hit], total=1)).english
    assert answer_reply(Answer("誰が来た", True, [hit], total=1), english=True).english
    assert not answer_reply(Answer("who came", True, [hit], total=1), english=False).english


def test_english_line_and_title_beside():
    en = replace(_hit("The minister met him."), answer_en="The minister met him.", title_en="Title")
    assert english_line(en) == "" and title_beside(en) == ""  # an English article: nothing repeated
    ja = replace(_hit("大臣が会った。"), title="大臣会談", answer_en=" The minister\nmet him. ", title_en="Talks")
    assert english_line(ja) == "The minister met him." and title_beside(ja) == "Talks"
    assert english_line(_hit("大臣が会った。")) == ""  # no English rendering: nothing to lead with
    assert is_gloss("[gloss] minister · talks") and not is_gloss("The minister met him.")


def test_not_confident_and_off_topic_english_questions_keep_their_notices(asker):
    off = asker.answer(asker.parse("What is the best pizza in Naples?"))
    assert off.english and off.off_topic and not off.items and off.notice == OFF_TOPIC
    nearest = answer_reply(Answer("who launched the frigate", False, [replace(
        _hit("護衛艦が進水した。"), answer_en="The destroyer was launched.")], total=1))
    assert nearest.english and nearest.notice == NOT_FOUND
    text = render_terminal(nearest)
    assert text.index(NOT_FOUND) < text.index("1. The destroyer was launched.") < text.index("護衛艦が進水した。")


# --------------------------------------------------------------------------- event answers


def test_an_event_question_leads_with_the_event_and_its_evidence(asker):
    reply = asker.answer(asker.parse("who visited MOD on July 4", k=3))
    top = reply.items[0]
    assert reply.confident and top.url == KHARE and top.event is not None and top.event.type == "courtesy_call"
    assert event_lines(reply) == []  # one event: the answer itself says it
    text = render_terminal(reply)
    lead, quote = text.split("\n")[2:4]
    assert lead.startswith("1. ") and "Khare" in lead and "4 July 2025" in lead
    assert "防衛省" in quote and "表敬" in quote  # the Japanese sentence it comes from, right below
    assert "matching events" not in text


def test_several_matching_events_are_listed_one_line_each_before_the_evidence(asker):
    reply = asker.answer(asker.parse("who visited MOD in July 2025", k=5))
    events = [h.event for h in reply.items if h.event is not None]
    lines = event_lines(reply)
    assert len(lines) == len(events) >= 2
    assert all(line.startswith(e.date.isoformat()) and "\n" not in line for line, e in zip(lines, events, strict=True))
    assert any("Atul Khare" in line and "Courtesy call" in line for line in lines)
    assert any(line.endswith("Jaak Tamsaar, Nakatani Gen") for line in lines)  # the guest before the host
    text = render_terminal(reply)
    assert f"{len(lines)} matching events:" in text
    assert text.index("matching events:") < text.index("\n1. ")  # the list first, then each answer with its quote
    assert all(f"- {line}" in text for line in lines)
    ja = asker.answer(asker.parse("2025年7月に防衛省を訪れたのは誰?", k=5))
    ja_lines = event_lines(ja)
    assert len(ja_lines) >= 2 and any("アトゥル・カレ" in x for x in ja_lines)  # names as the article writes them
    assert "該当する出来事" in render_terminal(ja)


def test_a_question_no_event_answers_has_no_event_list(asker):
    reply = asker.answer(asker.parse("who visited MOD on July 5", k=3))
    assert all(h.event is None for h in reply.items) and event_lines(reply) == []

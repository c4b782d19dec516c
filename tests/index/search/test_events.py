"""Event questions matched against hand-written event rows: type, date, place and names (EN + JA)."""

from __future__ import annotations

from datetime import date

import pytest

from index.models import Event, EventActor
from index.search.config import SearchConfig
from index.search.events import (
    EventRow,
    EventRows,
    asked_types,
    evidence_span,
    match_events,
    row_text,
)
from index.search.plan import Planner
from index.text.glossary import default_glossary
from index.text.tokenize import KeywordTokenizer

TODAY = date(2025, 9, 1)
KHARE = EventActor("アトゥル・カレ", "Atul Khare", "UN Under-Secretary-General", "")
NAKATANI = EventActor("中谷 元", "Nakatani Gen", "Defense Minister", "Japan")
TAMSAAR = EventActor("ヤーク・タムサール", "Jaak Tamsaar", "Commander of the Estonian Defence Forces", "Estonia")


def row(aid: str, etype: str, day: date, sentence: str, summary: str, actors=(), place="", place_en="",
        end: date | None = None, title: str = "") -> EventRow:
    ev = Event(etype, day, end, tuple(actors), place, place_en, summary, f"https://example.jp/{aid}", title,
               f"{aid}:0")
    return EventRow(ev, aid, 0, len(sentence), row_text(ev, sentence))


ROWS = [
    row("khare", "courtesy_call", date(2025, 7, 4), "翌4日には東京・市ヶ谷の防衛省を訪れて中谷 元防衛大臣を表敬した。",
        "Atul Khare visited Ministry of Defense on 4 July 2025 and paid a courtesy call on Defense Minister Nakatani Gen.",
        (KHARE, NAKATANI), "防衛省", "Ministry of Defense"),
    row("khare", "visit", date(2025, 7, 3), "アトゥル・カレ国連事務次長が来日した。", "Atul Khare visited Japan.", (KHARE,)),
    row("thai", "courtesy_call", date(2024, 7, 4), "タイ海軍司令官が防衛省を訪れ、防衛大臣を表敬した。",
        "The Thai Navy commander visited Ministry of Defense and paid a courtesy call on Defense Minister.",
        (), "防衛省", "Ministry of Defense"),
    row("tamsaar", "courtesy_call", date(2025, 7, 10), "タムサール中将が防衛省を訪れ、中谷 元防衛大臣を表敬した。",
        "Lieutenant General Jaak Tamsaar paid a courtesy call on Defense Minister Nakatani Gen.",
        (TAMSAAR, NAKATANI), "防衛省", "Ministry of Defense"),
    row("tamsaar", "visit", date(2025, 7, 11), "タムサール中将は翌11日、朝霞駐屯地を訪れた。",
        "Lieutenant General Tamsaar visited Camp Asaka on 11 July 2025.", (TAMSAAR,), "朝霞駐屯地", "Camp Asaka"),
    row("chikugo", "launch", date(2025, 7, 2), "もがみ型護衛艦の12番艦の命名・進水式が長崎造船所で行われ、「ちくご」と名付けられた。",
        "12th ship Chikugo of Mogami-class destroyer is launched; Nagasaki (2 July 2025)"),
    row("yoshino", "launch", date(2024, 12, 10), "もがみ型護衛艦の11番艦の命名・進水式が開かれ、艦は「よしの」と命名された。",
        "Mogami-class destroyer 11th ship Yoshino, Tamano, launch (10 December 2024)"),
    row("chitose", "exercise", date(2025, 7, 9), "空自はドイツ空軍と千歳基地を拠点に共同訓練を実施した。",
        "ASDF conducted a joint exercise with the German Air Force at Chitose Base from 9 July to 12 July 2025.",
        (), "千歳基地", "Chitose Base", end=date(2025, 7, 12)),
]


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner(KeywordTokenizer(), default_glossary(), SearchConfig())


@pytest.fixture(scope="module")
def tokenize():
    return KeywordTokenizer().tokens


def ask(planner, tokenize, question: str, rows=ROWS):
    return match_events(planner.plan(question, TODAY), rows, tokenize)


def test_which_activity_a_question_asks_about():
    assert asked_types("who visited MOD on July 4") == {"visit"}
    assert asked_types("Who paid a courtesy call on the Defense Minister on 12 November?") >= {"courtesy_call"}
    assert asked_types("7月4日に防衛省を表敬したのは誰か") == {"courtesy_call"}
    assert asked_types("来日した国防副大臣と会談したのは誰？") == {"visit", "meeting"}
    assert asked_types("When was the Chikugo launched?") == {"launch"}
    assert asked_types("令和7年7月1日付けで自衛艦隊司令官に就任したのは誰か。") == {"appointment"}
    assert asked_types("Which exercises did the ASDF hold in July 2025?") == {"exercise"}
    assert asked_types("How many personnel took part in the exercise?") == frozenset()  # a count, not an event
    assert asked_types("Tell me about the visit") == frozenset()  # asks nothing an event row holds
    assert asked_types("What is the budget for FY2025?") == frozenset()


def test_who_visited_mod_on_july_4_is_the_courtesy_call_of_that_day(planner, tokenize):
    got = ask(planner, tokenize, "who visited MOD on July 4")
    assert [m.row.article_id for m in got] == ["khare", "thai"]  # the most recent July 4 first
    assert got[0].row.event.type == "courtesy_call" and got[0].date == 1.0
    assert got[1].date < 1.0  # a July 4 of another year still agrees, less


def test_the_same_in_japanese(planner, tokenize):
    got = ask(planner, tokenize, "令和7年7月4日に防衛省を訪れたのは誰?")
    assert [m.row.article_id for m in got] == ["khare"]
    assert ask(planner, tokenize, "7月4日に防衛省を表敬したのは誰か")[0].row.event.date == date(2025, 7, 4)


def test_a_month_lists_every_event_once_per_article(planner, tokenize):
    got = ask(planner, tokenize, "who visited MOD in July 2025")
    assert {m.row.article_id for m in got} == {"khare", "tamsaar"}
    tamsaar = next(m for m in got if m.row.article_id == "tamsaar")
    assert tamsaar.row.event.type == "courtesy_call"  # the visit to Camp Asaka is not at MOD


def test_the_place_asked_must_be_where_the_event_is(planner, tokenize):
    got = ask(planner, tokenize, "Who visited Camp Asaka on July 11, 2025?")
    assert [(m.row.article_id, m.row.event.type) for m in got] == [("tamsaar", "visit")]
    assert ask(planner, tokenize, "Who visited Chitose Base on July 11, 2025?") == []


def test_a_named_person_must_be_in_the_event(planner, tokenize):
    got = ask(planner, tokenize, "When did Tamsaar pay a courtesy call on the Defense Minister?")
    assert [m.row.article_id for m in got] == ["tamsaar"]
    assert ask(planner, tokenize, "When did Wisniewski pay a courtesy call on the Defense Minister?") == []


def test_a_date_without_event_gives_nothing(planner, tokenize):
    assert ask(planner, tokenize, "who visited MOD on July 5") == []
    assert ask(planner, tokenize, "7月5日に防衛省を訪れたのは誰?") == []


def test_types_must_be_compatible(planner, tokenize):
    assert ask(planner, tokenize, "What was launched on July 4, 2025?") == []
    got = ask(planner, tokenize, "When was the 11th Mogami-class frigate launched?")
    assert [m.row.article_id for m in got][:1] == ["yoshino"]


def test_a_day_inside_an_exercise_period_agrees(planner, tokenize):
    got = ask(planner, tokenize, "Which exercise was held at Chitose Base on July 10, 2025?")
    assert [m.row.article_id for m in got] == ["chitose"]
    assert 0 < got[0].date < 1.0  # the question's day lies inside the event's period


def test_no_date_and_no_name_is_no_event_question(planner, tokenize):
    assert ask(planner, tokenize, "who visited?") == []
    assert ask(planner, tokenize, "who visited MOD on July 4", rows=[]) == []


def test_other_words_of_the_question_must_mostly_be_in_the_event(planner, tokenize):
    # the launch is in the question, but what it asks (the river a ship's name comes from) is not in the row
    assert ask(planner, tokenize, "令和6年12月に進水した護衛艦の艦名の由来となった川はどこを流れているか。") == []


def test_evidence_is_the_sentence_whose_english_is_the_summary():
    body = "一文目。防衛省を訪れて表敬した。三文目。"
    ev = ROWS[0].event
    sents = [(0, 4, "First."), (4, 15, ev.summary_en), (15, 19, "Third.")]
    assert evidence_span(ev, (0, len(body)), sents, body) == (4, 15)
    other = [(0, 4, "First."), (4, 15, "something else"), (15, 19, "Third.")]
    assert evidence_span(ev, (0, len(body)), other, body) == (4, 15)  # the sentence naming the activity


def test_rows_are_built_once_and_grouped_by_article():
    calls = []

    def build():
        calls.append(1)
        return list(ROWS)

    rows = EventRows()
    assert [r.article_id for r in rows.of_articles(["tamsaar"], build)] == ["tamsaar", "tamsaar"]
    assert len(rows.rows(build)) == len(ROWS) and calls == [1]


def test_evidence_starts_at_the_sentence_naming_whom_the_event_sentence_leaves_out():
    body = "アトゥル・カレ国連事務次長が来日した。翌4日には防衛省を訪れて中谷 元防衛大臣を表敬した。\n\n別の段落。"
    ev = ROWS[0].event
    one, two = body.index("。") + 1, body.index("。\n") + 1
    sents = [(0, one, "Atul Khare visited Japan."), (one, two, ev.summary_en), (two + 2, len(body), "Another.")]
    assert evidence_span(ev, (0, len(body)), sents, body) == (0, two)
    alone = Event(ev.type, ev.date, None, (NAKATANI,), ev.place, ev.place_en, ev.summary_en, ev.url, "", ev.chunk_id)
    assert evidence_span(alone, (0, len(body)), sents, body) == (one, two)  # the sentence names everyone

"""An answer page in the terminal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.features.ask.logic import REPHRASE_TIPS, answer_reply
from bot.features.ask.terminal import emphasise, render_terminal
from index.models import Answer, Hit


def _hit(passage: str) -> Hit:
    return Hit(chunk_id="a:0", article_id="a", url="https://example.jp/a", title="Title", section="装備",
               published=datetime(2025, 7, 4, 10, tzinfo=UTC), passage=passage, score=1.0)


def test_nothing_found_in_the_terminal():
    text = render_terminal(answer_reply(Answer("zzz", False, [], total=0)))
    assert "Nothing in the indexed articles" in text and REPHRASE_TIPS in text


def test_terminal_rendering_marks_emphasis_and_paging():
    answer = Answer("mod", True, [_hit("MOD news")], total=4)
    text = render_terminal(answer_reply(answer, 0, ["mod"]))
    assert "«MOD» news" in text and "(the best 1 of 4 candidate articles)" in text
    assert emphasise("abcdef", ((4, 6), (0, 2), (1, 3)), "[", "]") == "[ab]cd[ef]"


JA = "翌4日には防衛省を訪れて中谷防衛大臣を表敬した。"
KHARE_EN = "Atul Khare paid a courtesy call on Defense Minister Nakatani Gen on 4 July 2025."


def _ja_hit() -> Hit:
    return replace(_hit(JA), title="カレ事務次長が中谷防衛大臣を表敬", title_en="Khare pays a courtesy call on Nakatani",
                   answer_en=KHARE_EN, section="国際協力")


def test_english_items_lead_with_the_answer_line_then_quote_title_date_and_link():
    answer = Answer("who visited MOD on July 4", True, [_ja_hit()], total=1)
    lines = render_terminal(answer_reply(answer, 0, ["防衛省"])).splitlines()
    assert lines[2:] == [
        f"1. {KHARE_EN}",
        "   翌4日には«防衛省»を訪れて中谷防衛大臣を表敬した。",
        "   カレ事務次長が中谷防衛大臣を表敬 — Khare pays a courtesy call on Nakatani",
        "   2025-07-04 · 国際協力 · https://example.jp/a",
    ]


def test_japanese_items_lead_with_the_japanese_and_english_on_request():
    answer = Answer("7月4日に防衛省を訪れたのは誰", True, [_ja_hit()], total=1)
    text = render_terminal(answer_reply(answer))
    assert "Atul Khare" not in text and "Khare pays" not in text
    assert text.splitlines()[2:4] == ["1. カレ事務次長が中谷防衛大臣を表敬",
                                      "   2025-07-04 · 国際協力 · https://example.jp/a"]
    english = render_terminal(answer_reply(answer, english=True))
    assert english.splitlines()[2] == f"1. {KHARE_EN}"


def test_english_articles_and_glosses_are_shown_as_they_are():
    en = replace(_hit("The MOD said so."), title="MOD statement", title_en="MOD statement",
                 answer_en="The MOD said so.")
    lines = render_terminal(answer_reply(Answer("what did the MOD say", True, [en], total=1))).splitlines()
    assert lines[2:] == ["1. The MOD said so.", "   MOD statement", "   2025-07-04 · 装備 · https://example.jp/a"]
    gloss = replace(_ja_hit(), answer_en="[gloss] Ministry of Defense · courtesy call")
    text = render_terminal(answer_reply(Answer("who visited", True, [gloss], total=1)))
    assert "1. [gloss] Ministry of Defense · courtesy call\n   翌4日" in text

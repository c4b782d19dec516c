"""An answer page in the terminal."""

from __future__ import annotations

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

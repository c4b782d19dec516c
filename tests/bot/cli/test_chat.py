"""`defnews chat`: the terminal bot."""

from __future__ import annotations

import io
import re

import pytest

from bot.cli.chat import ChatSession, chat_loop
from bot.features.catalog import build_features


@pytest.fixture
def session(settings, service, clock):
    return ChatSession(build_features(settings, service, None, clock=clock))


def test_chat_answers_pages_and_commands(session):
    first = session.handle("Who visited MOD on July 4?")
    assert first.startswith("Q: Who visited MOD on July 4?") and "1. " in first
    assert "un-operational-support-usg-khare-visit" in first
    more = session.handle("/more")
    assert "\n4. " in more and "\n1. " not in more
    assert "articles indexed" in session.handle("/sources")
    assert "queries served" in session.handle("/stats")
    digest = session.handle("/digest 2025-07-01 人事")
    assert digest.startswith("Defence news digest") and "== 人事" in digest and "== 装備" not in digest
    assert session.handle("/digest 7x").startswith("error: `since`")
    assert session.handle("x" * 400).startswith("error: the question is longer")
    assert session.handle("/help").startswith("Type a question")
    assert session.handle("   ") == ""
    assert session.handle("/quit") is None


def test_more_before_a_question(session):
    assert session.handle("/more") == "Ask a question first."


def test_chat_loop_reads_until_quit(session):
    out = io.StringIO()
    chat_loop(session, io.StringIO("護衛艦の進水\n/quit\nnever asked\n"), out)
    text = out.getvalue()
    assert text.startswith("Q: 護衛艦の進水") and "never asked" not in text


def test_english_questions_lead_with_english_and_english_shows_a_japanese_answer_in_english(session):
    first = session.handle("who visited MOD on July 4").splitlines()
    assert first[2].startswith("1. ") and "Khare" in first[2] and "4 July" in first[2]
    assert session.handle("/english").splitlines()[2] == first[2]
    ja = session.handle("7月4日に防衛省を訪れたのは誰?").splitlines()
    assert ja[2].startswith("1. 国連のカレ")
    english = session.handle("/english").splitlines()
    assert english[0] == ja[0] and "Khare" in english[2] and "4 July" in english[2]


def test_english_before_a_question(session):
    assert session.handle("/english") == "Ask a question first."


def test_events_in_chat(session):
    text = session.handle("/events 2025-07-01 2025-07-31 courtesy_call")
    assert re.match(r"\d+ events? \(2025-07-01 – 2025-07-31 · Courtesy call\):\n", text)
    assert "2025-07-04 · Courtesy call" in text and "Atul Khare" in text
    assert "Launch" not in text
    assert session.handle("/events 2025-07-01 2025-07-02 2025-07-03").startswith("error: use /events")
    assert session.handle("/events party").startswith("error: `since` 'party' is not understood")

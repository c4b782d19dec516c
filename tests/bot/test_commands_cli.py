"""`defnews chat` (the terminal bot) and the wiring of chat/run/sync into the CLI."""

from __future__ import annotations

import io

import pytest

from bot.cli import build_parser, main
from bot.commands import Core
from bot.commands_cli import ChatSession, chat_loop


@pytest.fixture
def session(settings, service, clock):
    return ChatSession(Core(settings, service, None, clock=clock))


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


def test_parser_has_the_bot_commands():
    parser = build_parser()
    assert parser.parse_args(["run"]).func.__name__ == "cmd_run"
    assert parser.parse_args(["sync", "--guild", "42"]).guild == 42
    assert parser.parse_args(["chat", "--color", "never"]).color == "never"


def test_run_without_token_is_one_line_and_non_zero(capsys, tmp_path):
    assert main(["run", "--index-dir", str(tmp_path / "idx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["defnews: error: DEFNEWS_DISCORD_TOKEN is not set: put the bot token in the environment or in .env"]
    assert not (tmp_path / "idx").exists()  # nothing was built before the token check

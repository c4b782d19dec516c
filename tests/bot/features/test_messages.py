"""Discord messages: within the limits, article markdown shown literally, no pings."""

from __future__ import annotations

import discord

from bot.features.ask.discord import answer_message
from bot.features.ask.logic import AnswerReply
from bot.features.messages import CONTENT_LIMIT, OutMessage, escape, limit_violations, link, text_message

HOSTILE = "@everyone <@&123> **bold** __u__ [x](y) `c` > q ~~s~~ | \\ \n"


def test_article_markdown_is_shown_literally():
    assert escape("**x** [a](b)") == "\\*\\*x\\*\\* \\[a\\](b)"
    out = link("Title ] with bracket", "https://e.jp/a", 200)
    assert out.startswith("[Title \\] with bracket](https://e.jp/a)")
    assert link("t", "javascript:alert(1)", 200) == "t"  # not http(s): no link


def test_messages_ping_nobody():
    msg = text_message(HOSTILE * 500)
    kw = msg.kwargs()
    am = kw["allowed_mentions"]
    assert not am.everyone and not am.roles and not am.users and not am.replied_user
    assert len(kw["content"]) <= CONTENT_LIMIT
    assert answer_message(AnswerReply(HOSTILE, True, (), 0)).kwargs()["allowed_mentions"].everyone is False


def test_limit_violations_detects_oversized_messages():
    big = discord.Embed(description="x" * 4000)
    assert limit_violations(OutMessage(embeds=[big, big])) != []  # 8000 > 6000 in one message
    assert limit_violations(OutMessage(content="x" * 2001)) != []
    assert limit_violations(OutMessage(embeds=[discord.Embed(description="x")] * 11)) != []
    assert limit_violations(OutMessage()) == ["empty message"]

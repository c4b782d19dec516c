"""The one error boundary: what the user is told, and what is logged."""

from __future__ import annotations

import logging

import discord

from bot.core.errors import APOLOGY, PermissionRefused
from bot.discord.boundary import report_interaction_error, user_message
from bot.features.messages import defer

from ..standins import Interaction, app_error

TOKEN = "MTIz.fake-token-value.abcdef"


async def test_unexpected_errors_are_logged_with_context_and_apologised_for(bot, caplog):
    inter = Interaction(bot, user_id=31)
    await defer(inter)
    with caplog.at_level(logging.ERROR, logger="bot.discord.boundary"):
        await report_interaction_error(inter, app_error(ZeroDivisionError("boom")))
    (edit,) = inter.edits  # the public "thinking…" message becomes the apology
    assert edit["content"] == APOLOGY and edit["embeds"] == [] and edit["view"] is None
    rec = caplog.records[-1]
    assert "user 31" in rec.getMessage() and "ask" in rec.getMessage() and rec.exc_info[0] is ZeroDivisionError


def test_user_messages_for_library_errors():
    assert user_message(app_error(PermissionRefused("Only maintainers can use this command."))) == (
        "Only maintainers can use this command.", False)
    assert user_message(discord.app_commands.NoPrivateMessage())[0] == "This command works only in a server."
    text, unexpected = user_message(app_error(RuntimeError(TOKEN)))
    assert unexpected and TOKEN not in text

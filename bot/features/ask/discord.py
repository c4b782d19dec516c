"""/ask on Discord: the slash command, the buttons under an answer and questions asked by mention.

``/ask`` defers first (Discord allows 3 s), then searches in a worker thread; refusals (bad options, unknown
section, cooldown, too many searches) come before the deferral and are private.
"""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio
import re
from typing import ClassVar

import discord
from discord import app_commands

from ..host import features_of
from ..messages import NO_MENTIONS, check, defer, reply_to, send_followup, text_message
from ..sections import section_choices
from .logic import MENTION_USAGE, AnswerReply, Asker, strip_mention
from .render import answer_message, sources_only_message


class AskButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"defnews:ask:(?P<action>more|src|up|down):(?P<qid>[0-9]{1,18}):(?P<offset>[0-9]{1,6})",
):
    """A button under an answer. State lives in the custom id (and the bot state), so it survives restarts."""

    LABELS: ClassVar[dict[str, tuple[str, str | None]]] = {
        "more": ("More results", None), "src": ("Sources only", None), "up": ("", "👍"), "down": ("", "👎"),
    }

    def __init__(self, action: str, qid: int, offset: int, *, disabled: bool = False) -> None:
        label, emoji = self.LABELS[action]
        style = discord.ButtonStyle.primary if action == "more" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label or None, emoji=emoji, style=style, disabled=disabled,
                custom_id=f"defnews:ask:{action}:{qid}:{offset}",
            )
        )
        self.action, self.qid, self.offset = action, qid, offset

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match):
        return cls(match["action"], int(match["qid"]), int(match["offset"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await on_button(interaction, self.action, self.qid, self.offset)
        except Exception as exc:
            await interaction.client.report_interaction_error(interaction, exc)


def ask_view(qid: int | None, reply: AnswerReply) -> discord.ui.View | None:
    if qid is None or not reply.items:
        return None
    view = discord.ui.View(timeout=None)
    shown = reply.offset + len(reply.items)
    view.add_item(AskButton("more", qid, shown, disabled=shown >= reply.total))
    view.add_item(AskButton("src", qid, reply.offset))
    view.add_item(AskButton("up", qid, reply.offset))
    view.add_item(AskButton("down", qid, reply.offset))
    return view


def build_commands() -> list[app_commands.Command]:
    @app_commands.command(name="ask", description="Ask a question about the indexed defence news")
    @app_commands.describe(
        question="Your question, e.g. 'Who visited MOD on July 4?'",
        since="Only articles published since: a duration (12h, 7d, 2w) or a date (2025-07-01)",
        until="Only articles published until: a date (2025-07-31) or a duration ago (7d)",
        section="Only articles of this section",
        k="Results per page",
    )
    async def ask(
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 4000],
        since: app_commands.Range[str, 1, 40] | None = None,
        until: app_commands.Range[str, 1, 40] | None = None,
        section: app_commands.Range[str, 1, 100] | None = None,
        k: app_commands.Range[int, 1, 10] | None = None,
    ) -> None:
        await handle_ask(interaction, question, since, until, section, k)

    @ask.autocomplete("section")
    async def ask_section(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await section_choices(interaction.client, current)

    return [ask]


async def handle_ask(interaction: discord.Interaction, question, since, until, section, k) -> None:
    asker: Asker = features_of(interaction.client).ask
    query = asker.parse(question, since=since, until=until, section=section, k=k)
    if query.section:  # refuse an unknown section privately, before the public "thinking…"
        await asyncio.to_thread(asker.check_section, query.section)
    with asker.gate:
        asker.admit(interaction.user.id)
        await defer(interaction)
        reply = await asyncio.to_thread(asker.answer, query, 0)
        qid = await asyncio.to_thread(asker.log_query, query, user_id=interaction.user.id, origin="slash")
    await send_followup(interaction, answer_message(reply), view=ask_view(qid, reply))


async def answer_mention(asker: Asker, message: discord.Message, bot_id: int) -> None:
    """Answer a message that mentions the bot (errors go to the caller's error boundary)."""
    question = strip_mention(message.content, bot_id)
    if not question:
        await reply_to(message, text_message(MENTION_USAGE))
        return
    query = asker.parse(question)
    with asker.gate:
        asker.admit(message.author.id)
        reply = await asyncio.to_thread(asker.answer, query, 0)
        qid = await asyncio.to_thread(asker.log_query, query, user_id=message.author.id, origin="mention")
    await reply_to(message, answer_message(reply), ask_view(qid, reply))


async def on_button(interaction: discord.Interaction, action: str, qid: int, offset: int) -> None:
    asker: Asker = features_of(interaction.client).ask
    if action in ("up", "down"):
        vote = 1 if action == "up" else -1
        ok = await asyncio.to_thread(asker.state.record_feedback, qid, interaction.user.id, vote, offset)
        text = ("Thanks — your feedback is recorded for the maintainers." if ok
                else "That answer is no longer known to me; the feedback was not recorded.")
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return
    query = await asyncio.to_thread(asker.stored_query, qid)
    with asker.gate:
        if action == "src":
            await interaction.response.defer(ephemeral=True, thinking=True)
            reply = await asyncio.to_thread(asker.answer, query, offset)
            await send_followup(interaction, sources_only_message(reply), ephemeral=True)
            return
        await interaction.response.defer()  # the message itself is edited
        reply = await asyncio.to_thread(asker.answer, query, offset)
        await asyncio.to_thread(asker.state.count_served, 1)
    msg = answer_message(reply)
    check(msg)
    await interaction.edit_original_response(embeds=msg.embeds, view=ask_view(qid, reply),
                                             allowed_mentions=NO_MENTIONS)

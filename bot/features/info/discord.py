"""/sources and /stats on Discord, and their embeds."""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio

import discord
from discord import app_commands

from ...core.permissions import Level
from ..host import features_of, requires
from ..messages import COLOR_INFO, DESCRIPTION_LIMIT, OutMessage, defer, escape_fit, send_followup, truncate
from .logic import Activity, SourcesReply, StatsReply


def build_commands() -> list[app_commands.Command]:
    @app_commands.command(name="sources", description="What is indexed: sources, article counts, newest article")
    async def sources(interaction: discord.Interaction) -> None:
        info = features_of(interaction.client).info
        await defer(interaction)
        reply = await asyncio.to_thread(info.sources_reply)
        await send_followup(interaction, sources_message(reply))

    @app_commands.command(name="stats", description="Index and bot statistics (maintainers)")
    @requires(Level.MAINTAINER)
    async def stats(interaction: discord.Interaction) -> None:
        info = features_of(interaction.client).info
        await defer(interaction, ephemeral=True)
        reply = await asyncio.to_thread(info.stats_reply)
        await send_followup(interaction, stats_message(reply), ephemeral=True)

    return [sources, stats]


def sources_message(reply: SourcesReply) -> OutMessage:
    head = f"{reply.articles} articles indexed" + (f", newest {reply.newest}" if reply.newest else "") + "."
    lines = [head, ""]
    for s in reply.sources:
        line = f"**{escape_fit(s.name, 100)}**: {s.articles} articles"
        if s.newest:
            line += f", newest {s.newest}"
        if not s.ok:
            line += f" — ⚠️ failing: {escape_fit(s.error, 300)}"
        lines.append(line)
    embed = discord.Embed(title="Indexed sources", description=truncate("\n".join(lines), DESCRIPTION_LIMIT),
                          colour=COLOR_INFO)
    return OutMessage(embeds=[embed])


def stats_message(reply: StatsReply) -> OutMessage:
    act = reply.activity or Activity()
    lines = [
        f"**Index**: {reply.articles} articles, {reply.chunks} chunks, {reply.index_bytes / 1e6:.1f} MB "
        f"(`{escape_fit(reply.generation, 80)}`)",
        f"**Model**: {escape_fit(reply.model, 200)} ({escape_fit(reply.index_type, 20)})",
        f"**Last reindex**: {escape_fit(reply.last_reindex, 60)}"
        + (" — a reindex is running now" if act.reindex_running else ""),
        f"**Newest article**: {(reply.newest_article or '')[:10] or '-'}",
        f"**Queries served**: {act.queries_served}",
        f"**Feedback**: 👍 {act.feedback_up} / 👎 {act.feedback_down}",
    ]
    if act.last_refresh:
        lines.append(f"**Last refresh by the bot**: {escape_fit(act.last_refresh, 400)}")
    for s in reply.failing:
        lines.append(f"⚠️ source **{escape_fit(s.name, 100)}** failing: {escape_fit(s.error, 300)}")
    embed = discord.Embed(title="defnews statistics", description=truncate("\n".join(lines), DESCRIPTION_LIMIT),
                          colour=COLOR_INFO)
    return OutMessage(embeds=[embed])

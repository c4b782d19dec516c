"""/sources and /stats: what is indexed (per source) and the index's and the bot's statistics, from
``IndexService.stats()``; rendered for Discord and for the terminal (``defnews stats``, chat)."""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from index.service import IndexService

from ..core.permissions import Level
from ..core.state import BotState
from .host import features_of, requires
from .messages import COLOR_INFO, DESCRIPTION_LIMIT, OutMessage, defer, escape_fit, send_followup, truncate

# --------------------------------------------------------------------------- reply models


@dataclass(frozen=True)
class SourceLine:
    name: str
    articles: int
    newest: str = ""  # YYYY-MM-DD of the newest indexed article, "" if none
    ok: bool = True
    error: str = ""  # the last error when the source is failing
    last_run: str = ""


@dataclass(frozen=True)
class SourcesReply:
    sources: tuple[SourceLine, ...]
    articles: int
    newest: str = ""

    @property
    def failing(self) -> tuple[SourceLine, ...]:
        return tuple(s for s in self.sources if not s.ok)


@dataclass(frozen=True)
class Activity:
    """What the bot itself has done (not in the index)."""

    queries_served: int = 0
    feedback_up: int = 0
    feedback_down: int = 0
    reindex_running: bool = False
    last_refresh: str = ""  # result line of the last background refresh / reindex by the bot


@dataclass(frozen=True)
class StatsReply:
    """``IndexService.stats()`` and, in the bot, its activity."""

    articles: int
    chunks: int
    model: str
    dimension: int
    index_type: str
    index_dir: str
    index_bytes: int
    generation: str
    last_reindex: str
    newest_article: str | None  # ISO time of the newest article
    sources: tuple[SourceLine, ...] = ()
    activity: Activity | None = None

    @classmethod
    def from_stats(cls, stats: dict, activity: Activity | None = None) -> "StatsReply":
        sources = tuple(
            SourceLine(x["name"], x["articles"], ok=x.get("ok", True), error=x.get("error", ""),
                       last_run=x.get("last_run", ""))
            for x in stats["sources"]
        )
        return cls(
            stats["articles"], stats["chunks"], stats["model"], stats["dimension"], stats["index_type"],
            stats["index_dir"], stats["index_bytes"], stats["generation"], str(stats["last_reindex"]),
            stats["newest_article"], sources, activity,
        )

    @property
    def failing(self) -> tuple[SourceLine, ...]:
        return tuple(s for s in self.sources if not s.ok)


class Info:
    """The logic of /sources and /stats (blocking: meant for a worker thread)."""

    def __init__(
        self, service: IndexService, state: BotState | None = None, *, tz: ZoneInfo,
        last_refresh: Callable[[], str] = lambda: "",
    ) -> None:
        self.service = service
        self.state = state
        self.tz = tz  # the newest articles' days, in this zone
        self.last_refresh = last_refresh

    def _day(self, when: datetime | None) -> str:
        return when.astimezone(self.tz).date().isoformat() if when else ""

    def sources_reply(self) -> SourcesReply:
        stats = self.service.stats()
        newest = self.service.newest_by_source()
        listed = {x["name"]: x for x in stats["sources"]}
        names = [s.name for s in self.service.sources.sources]
        names += sorted(set(listed) - set(names))
        lines = []
        for name in names:
            x = listed.get(name, {})
            lines.append(SourceLine(
                name=name, articles=x.get("articles", 0), newest=self._day(newest.get(name)),
                ok=x.get("ok", True), error=x.get("error", ""), last_run=x.get("last_run", ""),
            ))
        return SourcesReply(tuple(lines), stats["articles"], self._day(max(newest.values(), default=None)))

    def stats_reply(self) -> StatsReply:
        feedback = self.state.feedback_counts() if self.state else {"up": 0, "down": 0}
        activity = Activity(
            queries_served=self.state.counter("queries_served") if self.state else 0,
            feedback_up=feedback["up"], feedback_down=feedback["down"],
            reindex_running=self.service.reindex_running, last_refresh=self.last_refresh(),
        )
        return StatsReply.from_stats(self.service.stats(), activity)


# --------------------------------------------------------------------------- Discord


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


# --------------------------------------------------------------------------- terminal


def render_sources_terminal(reply: SourcesReply) -> str:
    lines = [f"{reply.articles} articles indexed" + (f", newest {reply.newest}" if reply.newest else "")]
    for s in reply.sources:
        line = f"  {s.name}: {s.articles} articles"
        if s.newest:
            line += f", newest {s.newest}"
        if not s.ok:
            line += f" — FAILING: {s.error}"
        lines.append(line)
    return "\n".join(lines)


def render_stats_terminal(reply: StatsReply) -> str:
    """As ``defnews stats`` prints them; with the bot's activity after them when there is some (chat)."""
    act = reply.activity
    lines = [
        f"articles:      {reply.articles}",
        f"chunks:        {reply.chunks}",
        f"model:         {reply.model} (dim {reply.dimension}, {reply.index_type})",
        f"index:         {reply.index_dir} ({reply.index_bytes / 1e6:.1f} MB, {reply.generation})",
        f"last reindex:  {reply.last_reindex}" + (" (a reindex is running)" if act and act.reindex_running else ""),
        f"newest article: {reply.newest_article}",
        "sources:",
    ]
    for s in reply.sources:
        lines.append(f"  {s.name}: {s.articles} articles" + ("" if s.ok else f"  FAILING: {s.error}"))
    if act is not None:
        lines += [f"queries served: {act.queries_served}",
                  f"feedback:       {act.feedback_up} up / {act.feedback_down} down"]
        if act.last_refresh:
            lines.append(f"last refresh:   {act.last_refresh}")
    return "\n".join(lines)

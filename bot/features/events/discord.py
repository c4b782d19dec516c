"""/events on Discord: the slash command, and events rendered as embed text (also for the digest's "Meetings
and visits"): as many as Discord's limits allow, the most recent kept when they do not all fit."""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio
from collections.abc import Sequence

import discord
from discord import app_commands

from index.models import EVENT_TYPES, Event

from ..host import features_of
from ..messages import (
    COLOR_INFO,
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    URL_LINK_MAX,
    OutMessage,
    defer,
    escape_fit,
    link,
    send_followup,
    text_message,
    truncate,
)
from .logic import EventsReply, actors_text, event_place, event_when, heading, type_label

EVENT_LIMIT = 700  # characters of one event's block
SOURCE_TITLE_CHARS = 60  # the article's title, as the link to it


def build_commands() -> list[app_commands.Command]:
    @app_commands.command(name="events", description="Meetings, visits, exercises, launches… reported in the news")
    @app_commands.describe(
        since="Events on or after: a date (2025-07-01) or a duration ago (7d, 2w)",
        until="Events on or before: a date (2025-07-31) or a duration ago (7d)",
        type="Only events of this type",
    )
    @app_commands.choices(type=[app_commands.Choice(name=type_label(t), value=t) for t in EVENT_TYPES])
    async def events(
        interaction: discord.Interaction,
        since: app_commands.Range[str, 1, 40] | None = None,
        until: app_commands.Range[str, 1, 40] | None = None,
        type: app_commands.Choice[str] | None = None,
    ) -> None:
        await handle_events(interaction, since, until, type.value if type else None)

    return [events]


async def handle_events(interaction: discord.Interaction, since, until, event_type) -> None:
    lister = features_of(interaction.client).events
    query = lister.parse(since, until, event_type)  # bad options: refused privately, before "thinking…"
    await defer(interaction)
    reply = await asyncio.to_thread(lister.list, query)
    await send_followup(interaction, events_message(reply))


def event_block(e: Event, limit: int = EVENT_LIMIT) -> str:
    """**date · type** · place, the actors in English, the English summary and a link to the article."""
    first = f"**{event_when(e)} · {type_label(e.type)}**"
    place = escape_fit(event_place(e), 100)
    first += f" · {place}" if place else ""
    source = link(truncate(" ".join(e.title.split()), SOURCE_TITLE_CHARS) or "article", e.url,
                  min(limit // 2, SOURCE_TITLE_CHARS + URL_LINK_MAX + 4))
    room = limit - len(first) - len(source) - 6
    actors = escape_fit(actors_text(e), min(300, room // 2)) if room > 20 else ""
    room -= len(actors)
    summary = escape_fit(" ".join(e.summary_en.split()), room) if room > 20 else ""
    lines = [first, actors, f"{summary} — {source}" if summary else source]
    block = "\n".join(x for x in lines if x)
    return block if len(block) <= limit else truncate(first, limit)


def fit_events(events: Sequence[Event], budget: int) -> tuple[str, int]:
    """The blocks of the most recent events that fit ``budget`` characters, oldest first; and how many."""
    blocks: list[str] = []
    used = 0
    for e in reversed(events):
        block = event_block(e)
        if used + len(block) + (2 if blocks else 0) > budget:
            break
        blocks.append(block)
        used += len(block) + (2 if len(blocks) > 1 else 0)
    return "\n\n".join(reversed(blocks)), len(blocks)


def events_message(reply: EventsReply) -> OutMessage:
    """The events as one embed; when they do not all fit, the most recent, and the footer says so."""
    if not reply.events:
        return text_message(heading(reply) + ". Try a longer period or another type.")
    description, shown = fit_events(reply.events, DESCRIPTION_LIMIT)
    total = len(reply.events)
    filters = reply.filters_text()
    embed = discord.Embed(title=truncate("Events" + (f": {filters}" if filters else ""), TITLE_LIMIT),
                          description=description, colour=COLOR_INFO)
    footer = (f"{total} event{'s' if total != 1 else ''}" if shown == total else
              f"The {shown} most recent of {total} events; narrow since, until or type to see the others")
    embed.set_footer(text=footer)
    return OutMessage(embeds=[embed])

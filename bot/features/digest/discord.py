"""/digest on Discord, the scheduled digest posted by the bot, and a digest rendered as messages (a heading,
the period's meetings and visits, then section embeds packed into as few messages as Discord's limits allow)."""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

import discord
from discord import app_commands

from ...core.errors import InvalidInputError, PermissionRefused, Refusal
from ...core.permissions import Level
from ...core.state import StateStore
from ..events.discord import fit_events
from ..host import features_of, requires, section_autocomplete
from ..messages import (
    COLOR_INFO,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    TITLE_CHARS,
    TITLE_LIMIT,
    URL_LINK_MAX,
    OutMessage,
    check,
    defer,
    escape_fit,
    link,
    send_followup,
    text_message,
    truncate,
)
from .logic import MEETINGS_TITLE, Digest, DigestEntry, DigestScheduler

log = logging.getLogger(__name__)


def build_commands() -> list[app_commands.Command]:
    @app_commands.command(name="digest", description="Post a digest of the articles published recently")
    @app_commands.describe(
        since="Period: a duration (12h, 7d, 2w) or a date (2025-07-01); default 7d",
        section="Only this section",
        channel="Channel to post to (default: this one)",
    )
    @app_commands.guild_only()
    @requires(Level.MODERATOR)
    async def digest(
        interaction: discord.Interaction,
        since: app_commands.Range[str, 1, 40] | None = None,
        section: app_commands.Range[str, 1, 100] | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        await handle_digest(interaction, since, section, channel)

    digest.autocomplete("section")(section_autocomplete)
    return [digest]


async def handle_digest(interaction: discord.Interaction, since, section, channel) -> None:
    digester = features_of(interaction.client).digest
    since_dt, until_dt = digester.period(since)
    target = channel or interaction.channel
    if target is None or not hasattr(target, "send"):
        raise InvalidInputError("Choose a text channel to post the digest to.")
    check_post_permissions(interaction, target)
    await defer(interaction, ephemeral=True)
    digest = await asyncio.to_thread(digester.digest, since_dt, until_dt, section)
    if digest.empty:
        await send_followup(interaction, text_message(digest.heading()), ephemeral=True)
        return
    await post_messages(target, digest_messages(digest))
    where = getattr(target, "mention", "the channel")
    await send_followup(
        interaction, text_message(f"Posted the digest of {digest.total} article(s) to {where}."), ephemeral=True
    )


def check_post_permissions(interaction: discord.Interaction, target) -> None:
    """Refuse early when the bot cannot post in ``target`` or the moderator may not."""
    if interaction.guild is None or not hasattr(target, "permissions_for"):
        return
    where = getattr(target, "mention", "that channel")
    try:
        me = interaction.guild.me
        mine = target.permissions_for(me) if me is not None else None
        theirs = target.permissions_for(interaction.user) if isinstance(interaction.user, discord.Member) else None
    except Exception as exc:  # incomplete cache: Discord itself will have the last word
        log.debug("cannot compute permissions in %s: %s", where, exc)
        return
    if mine is not None and not (mine.send_messages and mine.embed_links):
        raise Refusal(f"I can't post messages with embeds in {where}.")
    if theirs is not None and not theirs.send_messages:
        raise PermissionRefused(f"You can't post in {where}.")


async def post_messages(channel, messages: list[OutMessage]) -> None:
    for msg in messages:
        check(msg)
        try:
            await channel.send(**msg.kwargs())
        except discord.Forbidden as exc:
            where = getattr(channel, "mention", f"channel {getattr(channel, 'id', '?')}")
            raise Refusal(f"I am not allowed to post in {where}.") from exc


async def post_digest(client: discord.Client, channel_id: int, since: datetime, until: datetime) -> None:
    """The scheduled digest (also says so when nothing was published)."""
    digester = features_of(client).digest
    channel = client.get_channel(channel_id) or await client.fetch_channel(channel_id)
    digest = await asyncio.to_thread(digester.digest, since, until, None)
    await post_messages(channel, digest_messages(digest))
    log.info("posted the scheduled digest (%d articles) to channel %s", digest.total, channel_id)


def digest_scheduler(client: discord.Client, state: StateStore, clock) -> DigestScheduler | None:
    """The scheduler of the configured digest (None when no schedule is set)."""
    digester = features_of(client).digest
    schedule, channel_id = digester.schedule, digester.settings.digest_channel_id
    if schedule is None or not channel_id:
        return None

    async def load_last():
        return await asyncio.to_thread(state.digest_last, channel_id)

    async def save_last(when: datetime):
        await asyncio.to_thread(state.set_digest_last, channel_id, when)

    async def claim(expected: datetime | None, new: datetime) -> bool:
        return await asyncio.to_thread(state.claim_digest, channel_id, expected, new)

    async def post(since: datetime, until: datetime):
        await post_digest(client, channel_id, since, until)

    return DigestScheduler(schedule, load_last=load_last, save_last=save_last, post=post, claim=claim, clock=clock)


# --------------------------------------------------------------------------- rendering

ENTRY_LIMIT = 1200


def digest_entry_text(e: DigestEntry, limit: int = ENTRY_LIMIT, language: str = "en") -> str:
    """The linked title that leads (English or Japanese: ``language``) and the date, the other title in
    italics, the summary."""
    lead, other = e.titles(language)
    date = f" · {e.published}"
    head = link(lead, e.url, min(limit - len(date), TITLE_CHARS * 2 + URL_LINK_MAX), bold=True) + date
    inner = escape_fit(other, min(TITLE_CHARS, limit - len(head) - 4)) if other else ""
    beside = f"*{inner}*" if inner else ""
    room = limit - len(head) - len(beside) - 2
    summary = escape_fit(" ".join(e.summary.split()), room) if room > 10 else ""
    return "\n".join(x for x in (head, beside, summary) if x)


def _section_embeds(section: str, entries: Sequence[DigestEntry], language: str = "en") -> list[discord.Embed]:
    embeds: list[discord.Embed] = []
    budget = DESCRIPTION_LIMIT
    buf: list[str] = []

    def flush() -> None:
        name = escape_fit(section, TITLE_LIMIT - 20) + (" (continued)" if embeds else f" ({len(entries)})")
        embeds.append(discord.Embed(title=truncate(name, TITLE_LIMIT), description="\n\n".join(buf),
                                    colour=COLOR_INFO))

    for e in entries:
        text = digest_entry_text(e, language=language)
        extra = len(text) + (2 if buf else 0)
        if buf and sum(len(b) for b in buf) + 2 * (len(buf) - 1) + extra > budget:
            flush()
            buf = []
        buf.append(text)
    if buf:
        flush()
    return embeds


def meetings_embed(d: Digest) -> discord.Embed | None:
    """The period's meetings and visits (the most recent that fit one embed; the footer says when not all)."""
    if not d.meetings:
        return None
    description, shown = fit_events(d.meetings, DESCRIPTION_LIMIT)
    embed = discord.Embed(title=f"{MEETINGS_TITLE} ({len(d.meetings)})", description=description,
                          colour=COLOR_INFO)
    if shown < len(d.meetings):
        embed.set_footer(text=f"The {shown} most recent; /events lists them all")
    return embed


def digest_messages(d: Digest) -> list[OutMessage]:
    """The digest as messages: a heading, then one embed per section (continued as needed), packed so that
    no message exceeds 10 embeds or 6000 embed characters."""
    heading = d.heading()
    if d.omitted:
        heading += f"\nShowing the newest {d.total - d.omitted}; {d.omitted} more are not listed."
    heading = truncate(heading, CONTENT_LIMIT)
    meetings = meetings_embed(d)
    if d.empty and meetings is None:
        return [OutMessage(content=heading)]
    embeds = [meetings] if meetings else []
    embeds += [e for section, entries in d.groups for e in _section_embeds(section, entries, d.language)]
    messages: list[OutMessage] = [OutMessage(content=heading)]
    total = 0
    for e in embeds:
        size = len(e)
        cur = messages[-1]
        if cur.embeds and (len(cur.embeds) >= EMBEDS_PER_MESSAGE or total + size > EMBED_TOTAL_LIMIT):
            messages.append(OutMessage())
            cur, total = messages[-1], 0
        cur.embeds.append(e)
        total += size
    return messages

"""A digest rendered for Discord (a heading, then section embeds packed into as few messages as the limits
allow) and for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

import discord

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
    escape_fit,
    link,
    truncate,
)
from .logic import Digest, DigestEntry

ENTRY_LIMIT = 1200


def digest_entry_text(e: DigestEntry, limit: int = ENTRY_LIMIT) -> str:
    date = f" · {e.published}"
    head = link(e.title, e.url, min(limit - len(date), TITLE_CHARS * 2 + URL_LINK_MAX), bold=True) + date
    room = limit - len(head) - 1
    summary = escape_fit(" ".join(e.summary.split()), room) if room > 10 else ""
    return f"{head}\n{summary}" if summary else head


def _section_embeds(section: str, entries: Sequence[DigestEntry]) -> list[discord.Embed]:
    embeds: list[discord.Embed] = []
    budget = DESCRIPTION_LIMIT
    buf: list[str] = []

    def flush() -> None:
        name = escape_fit(section, TITLE_LIMIT - 20) + (" (continued)" if embeds else f" ({len(entries)})")
        embeds.append(discord.Embed(title=truncate(name, TITLE_LIMIT), description="\n\n".join(buf),
                                    colour=COLOR_INFO))

    for e in entries:
        text = digest_entry_text(e)
        extra = len(text) + (2 if buf else 0)
        if buf and sum(len(b) for b in buf) + 2 * (len(buf) - 1) + extra > budget:
            flush()
            buf = []
        buf.append(text)
    if buf:
        flush()
    return embeds


def digest_messages(d: Digest) -> list[OutMessage]:
    """The digest as messages: a heading, then one embed per section (continued as needed), packed so that
    no message exceeds 10 embeds or 6000 embed characters."""
    heading = d.heading()
    if d.omitted:
        heading += f"\nShowing the newest {d.total - d.omitted}; {d.omitted} more are not listed."
    heading = truncate(heading, CONTENT_LIMIT)
    if d.empty:
        return [OutMessage(content=heading)]
    embeds = [e for section, entries in d.groups for e in _section_embeds(section, entries)]
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


def render_digest_terminal(d: Digest) -> str:
    lines = [d.heading()]
    for section, entries in d.groups:
        lines += ["", f"== {section} ({len(entries)})"]
        for e in entries:
            lines += [f"- {e.title} ({e.published})", f"  {e.url}", f"  {e.summary}"]
    if d.omitted:
        lines += ["", f"... and {d.omitted} more articles not listed."]
    return "\n".join(lines)

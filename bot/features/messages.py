"""Discord messages for every feature: built within Discord's limits, sent without pinging anyone.

Limits: 2000 characters of content, embed title 256, description 4096, field name 256 / value 1024, footer
2048, 25 fields and 10 embeds per message, 6000 characters over all embeds of one message. The helpers here
keep any article text (long titles, URLs, markdown, mentions) within them; :func:`check` is the last line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import discord

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
FIELDS_PER_EMBED = 25
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL_LIMIT = 6000

TITLE_CHARS = 200  # an article title is cut to this many characters in lists
URL_LINK_MAX = 1000  # longer URLs are not linked (they would crowd out the text)
ELLIPSIS = "…"

_BRACKET = re.compile(r"(?<!\\)([\[\]])")

COLOR_ANSWER = discord.Colour(0x2B7A4B)
COLOR_NEAREST = discord.Colour(0xC27C0E)
COLOR_INFO = discord.Colour(0x3B6EA5)

NO_MENTIONS = discord.AllowedMentions.none()


@dataclass
class OutMessage:
    """One message to send: content and embeds (components are added by the sender)."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)

    def kwargs(self) -> dict:
        out: dict = {"allowed_mentions": discord.AllowedMentions.none()}
        if self.content:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = self.embeds
        return out


def text_message(text: str) -> OutMessage:
    return OutMessage(content=truncate(text, CONTENT_LIMIT))


# --------------------------------------------------------------------------- limits


def limit_violations(msg: OutMessage) -> list[str]:
    """Every Discord limit ``msg`` breaks (empty = fine). Used by tests and as a last-line check."""
    bad = []
    if len(msg.content) > CONTENT_LIMIT:
        bad.append(f"content {len(msg.content)} > {CONTENT_LIMIT}")
    if not msg.content and not msg.embeds:
        bad.append("empty message")
    if len(msg.embeds) > EMBEDS_PER_MESSAGE:
        bad.append(f"{len(msg.embeds)} embeds > {EMBEDS_PER_MESSAGE}")
    total = 0
    for i, e in enumerate(msg.embeds):
        if e.title and len(e.title) > TITLE_LIMIT:
            bad.append(f"embed {i} title {len(e.title)}")
        if e.description and len(e.description) > DESCRIPTION_LIMIT:
            bad.append(f"embed {i} description {len(e.description)}")
        if e.footer.text and len(e.footer.text) > FOOTER_LIMIT:
            bad.append(f"embed {i} footer {len(e.footer.text)}")
        if e.author.name and len(e.author.name) > AUTHOR_LIMIT:
            bad.append(f"embed {i} author {len(e.author.name)}")
        if len(e.fields) > FIELDS_PER_EMBED:
            bad.append(f"embed {i} has {len(e.fields)} fields")
        for f in e.fields:
            if len(f.name or "") > FIELD_NAME_LIMIT or len(f.value or "") > FIELD_VALUE_LIMIT:
                bad.append(f"embed {i} field too long")
        if e.url and len(e.url) > 2048:
            bad.append(f"embed {i} url too long")
        total += len(e)
    if total > EMBED_TOTAL_LIMIT:
        bad.append(f"embeds total {total} > {EMBED_TOTAL_LIMIT}")
    return bad


def check(msg: OutMessage) -> None:
    bad = limit_violations(msg)
    if bad:  # a bug in a renderer: refuse to send rather than have Discord reject it half-way
        raise RuntimeError(f"message exceeds Discord limits: {', '.join(bad)}")


# --------------------------------------------------------------------------- text within limits


def truncate(text: str, limit: int) -> str:
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def escape(text: str) -> str:
    """Markdown-escaped text (so article text renders literally); brackets too, for masked links."""
    text = discord.utils.escape_markdown(text, as_needed=False, ignore_links=False)
    return _BRACKET.sub(r"\\\1", text)


def escape_fit(text: str, limit: int) -> str:
    """``escape(text)`` cut so the result is at most ``limit`` characters (no dangling backslash)."""
    if limit <= 0:
        return ""
    out = escape(text)
    raw = len(text)
    while len(out) > limit and raw > 0:
        raw = max(0, min(raw - 1, raw - (len(out) - limit)))
        out = escape(text[:raw].rstrip()) + ELLIPSIS
    return out if len(out) <= limit else ""


def safe_url(url: str) -> str | None:
    """A URL usable in a masked link, or None (not http(s), white space inside, or too long)."""
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url) or len(url) > URL_LINK_MAX:
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def link(title: str, url: str, limit: int, *, bold: bool = False) -> str:
    """``[title](url)`` within ``limit`` characters; plain escaped title if the link does not fit."""
    mark = "**" if bold else ""
    title = truncate(" ".join(title.split()), TITLE_CHARS) or url or "(untitled)"
    target = safe_url(url)
    if target:
        room = limit - len(target) - 4 - 2 * len(mark)
        if room >= min(20, len(escape(title))):
            return f"{mark}[{escape_fit(title, room)}]({target}){mark}"
    return f"{mark}{escape_fit(title, max(0, limit - 2 * len(mark)))}{mark}" if limit > 2 * len(mark) else ""


# --------------------------------------------------------------------------- sending


async def defer(interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
    """Acknowledge now ("thinking…"); the answer follows with :func:`send_followup`."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras["thinking"] = True


async def send_followup(interaction: discord.Interaction, msg: OutMessage, **extra) -> None:
    check(msg)
    kwargs = msg.kwargs()
    if extra.get("view") is None:
        extra.pop("view", None)
    await interaction.followup.send(**kwargs, **extra)
    interaction.extras["thinking"] = False


async def reply_to(message: discord.Message, msg: OutMessage, view: discord.ui.View | None = None) -> None:
    """Answer a message (a mention) without pinging its author."""
    check(msg)
    kwargs = msg.kwargs()
    if view is not None:
        kwargs["view"] = view
    await message.reply(**kwargs, mention_author=False)

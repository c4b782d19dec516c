"""/ask on Discord: the slash command, the buttons under an answer, questions asked by mention, and the
answer page rendered as an embed (linked titles, emphasised passages; the "Sources only" links).

English questions get English-led items (the English answer line, then the quote, the linked title with its
English beside it, date and section); Japanese questions get Japanese-led items and an "English" button that
shows the page's English answer lines and titles privately.

``/ask`` defers first (Discord allows 3 s), then searches in a worker thread; refusals (bad options, unknown
section, cooldown, too many searches) come before the deferral and are private.
"""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio
import re
from collections.abc import Callable, Sequence
from typing import ClassVar

import discord
from discord import app_commands

from index.models import Hit

from ..host import features_of, section_autocomplete
from ..messages import (
    COLOR_ANSWER,
    COLOR_INFO,
    COLOR_NEAREST,
    DESCRIPTION_LIMIT,
    NO_MENTIONS,
    TITLE_CHARS,
    TITLE_LIMIT,
    URL_LINK_MAX,
    OutMessage,
    check,
    defer,
    escape,
    escape_fit,
    link,
    reply_to,
    safe_url,
    send_followup,
    text_message,
    truncate,
)
from .logic import (
    MENTION_USAGE,
    AnswerReply,
    Asker,
    english_line,
    event_lines,
    events_heading,
    has_english,
    is_gloss,
    published_day,
    strip_mention,
    title_beside,
)


class AskButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"defnews:ask:(?P<action>more|ctx|src|en|up|down):(?P<qid>[0-9]{1,18}):(?P<offset>[0-9]{1,6})",
):
    """A button under an answer. State lives in the custom id (and the bot state), so it survives restarts."""

    LABELS: ClassVar[dict[str, tuple[str, str | None]]] = {
        "more": ("More results", None), "ctx": ("Context", None), "src": ("Sources only", None),
        "en": ("English", None), "up": ("", "👍"), "down": ("", "👎"),
    }
    ROWS: ClassVar[dict[str, int]] = {"up": 1, "down": 1}  # at most 5 buttons a row: the votes go below

    def __init__(self, action: str, qid: int, offset: int, *, disabled: bool = False) -> None:
        label, emoji = self.LABELS[action]
        style = discord.ButtonStyle.primary if action == "more" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label or None, emoji=emoji, style=style, disabled=disabled,
                custom_id=f"defnews:ask:{action}:{qid}:{offset}", row=self.ROWS.get(action, 0),
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
    view.add_item(AskButton("ctx", qid, reply.offset))
    view.add_item(AskButton("src", qid, reply.offset))
    if not reply.english and has_english(reply):  # a Japanese question: the English is one click away
        view.add_item(AskButton("en", qid, reply.offset))
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

    ask.autocomplete("section")(section_autocomplete)
    return [ask]


async def handle_ask(interaction: discord.Interaction, question, since, until, section, k) -> None:
    asker: Asker = features_of(interaction.client).ask
    query = asker.parse(question, since=since, until=until, section=section, k=k)
    if query.section:  # refuse an unknown section privately, before the public "thinking…"
        await asyncio.to_thread(asker.check_section, query.section)
    with asker.gate:
        await admit(asker, interaction.user.id)
        await defer(interaction)
        reply = await asyncio.to_thread(asker.answer, query, 0)
        qid = await asyncio.to_thread(asker.log_query, query, user_id=interaction.user.id, origin="slash")
    await send_followup(interaction, answer_message(reply), view=ask_view(qid, reply))


async def admit(asker: Asker, user_id: int) -> None:
    """The per-user cooldown: on the event loop when it is this process's, in a thread when it is counted in
    the shared database."""
    if asker.shared_cooldown:
        await asyncio.to_thread(asker.admit, user_id)
    else:
        asker.admit(user_id)


async def answer_mention(asker: Asker, message: discord.Message, bot_id: int) -> None:
    """Answer a message that mentions the bot (errors go to the caller's error boundary)."""
    question = strip_mention(message.content, bot_id)
    if not question:
        await reply_to(message, text_message(MENTION_USAGE))
        return
    query = asker.parse(question)
    with asker.gate:
        await admit(asker, message.author.id)
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
        if action in ("src", "ctx", "en"):
            await interaction.response.defer(ephemeral=True, thinking=True)
            reply = await asyncio.to_thread(asker.answer, query, offset)
            render = {"src": sources_only_message, "ctx": context_message, "en": english_message}[action]
            await send_followup(interaction, render(reply), ephemeral=True)
            return
        await interaction.response.defer()  # the message itself is edited
        reply = await asyncio.to_thread(asker.answer, query, offset)
        await asyncio.to_thread(asker.state.count_served, 1)
    msg = answer_message(reply)
    check(msg)
    await interaction.edit_original_response(embeds=msg.embeds, view=ask_view(qid, reply),
                                             allowed_mentions=NO_MENTIONS)


# --------------------------------------------------------------------------- rendering: passages with emphasis


def _emphasised(text: str, spans: Sequence[tuple[int, int]], lo: int, hi: int) -> str:
    out, pos = [], lo
    for s, e in sorted(spans):
        s, e = max(s, lo), min(e, hi)
        if e <= s or s < pos:
            continue
        out.append(escape(text[pos:s]))
        word = text[s:e].strip()
        if word:
            lead = text[s:e][: len(text[s:e]) - len(text[s:e].lstrip())]
            trail = text[s:e][len(text[s:e].rstrip()):]
            out.append(f"{escape(lead)}**{escape(word)}**{escape(trail)}")
        else:
            out.append(escape(text[s:e]))
        pos = e
    out.append(escape(text[pos:hi]))
    return ("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(text) else "")


def fit_passage(passage: str, highlights: Sequence[tuple[int, int]], limit: int) -> str:
    """The passage (one line) with matched terms in bold, at most ``limit`` characters.

    When it must be cut, the window starts a little before the first matched term.
    """
    if limit <= 2:
        return ""
    text = " ".join(passage.split("\n"))  # same length: offsets of highlights stay valid
    spans = [(s, e) for s, e in highlights if 0 <= s < e <= len(text)]
    raw = min(len(text), limit)
    while raw > 0:
        first = min((s for s, _ in spans), default=0)
        lo = max(0, min(first - raw // 4, len(text) - raw)) if first > raw // 2 else 0
        hi = lo + raw
        out = _emphasised(text, spans, lo, hi)
        if len(out) <= limit:
            return out
        raw = max(0, min(raw - 1, raw - (len(out) - limit) // 2))
    return ""


# --------------------------------------------------------------------------- rendering: the answer page


def _item_block(n: int, item: Hit, limit: int) -> str:
    meta = " · ".join(x for x in (published_day(item), escape_fit(item.section, 60)) if x)
    head = link(f"{n}. {item.title}", item.url, min(limit, TITLE_CHARS * 2 + URL_LINK_MAX), bold=True)
    block = f"{head}\n{meta}"
    if len(block) > limit:
        return truncate(escape(f"{n}. {item.title}"), limit)
    room = limit - len(block) - 3
    passage = fit_passage(item.passage, item.highlights, min(room, 700)) if room > 10 else ""
    return f"{block}\n> {passage}" if passage else block


def _english_text(text: str, limit: int) -> str:
    """An English answer line; a term-by-term gloss in italics, so it does not read as a sentence."""
    if is_gloss(text):
        inner = escape_fit(text, limit - 2)
        return f"*{inner}*" if inner else ""
    return escape_fit(text, limit)


def _item_block_en(n: int, item: Hit, limit: int) -> str:
    """English first: the answer line, the quote, then the linked title with its English beside it, date and
    section. Items without an English line of their own (English articles) lead with the quote."""
    lead = english_line(item)
    number = f"**{n}.** "
    meta = " · ".join(x for x in (published_day(item), escape_fit(item.section, 60)) if x)
    room = limit - len(number) - len(meta) - 8  # the separators: " · ", "\n> ", "\n"
    first = _english_text(lead, min(600, room * 2 // 5)) if lead else ""  # the answer first
    room -= len(first)
    head = link(item.title, item.url, min(room * 3 // 5, TITLE_CHARS * 2 + URL_LINK_MAX))  # then its source
    room -= len(head)
    beside = title_beside(item)
    cap = min(TITLE_CHARS, room // 3 - 3)
    beside = escape_fit(beside, cap) if beside and head and cap >= 20 else ""
    room -= len(beside) + 3 if beside else 0
    source = " — ".join(x for x in (head, beside) if x) + (f" · {meta}" if meta else "")
    passage = fit_passage(item.passage, item.highlights, min(room, 700)) if room > 10 else ""
    if first:
        parts = [number + first, f"> {passage}" if passage else "", source]
    else:
        parts = [number + passage if passage else number.rstrip(), source]
    block = "\n".join(p for p in parts if p)
    return block if len(block) <= limit else truncate(escape(f"{n}. {lead or item.title}"), limit)


def answer_embed(reply: AnswerReply) -> discord.Embed:
    """The embed of one page of answers: linked titles, dates, sections, passages with emphasis, a footer."""
    title = truncate("Q: " + " ".join(reply.question.split()), TITLE_LIMIT)
    colour = COLOR_ANSWER if reply.confident else COLOR_NEAREST
    top = f"*{escape_fit(reply.notice, 600)}*" if reply.notice else ""
    tips = escape_fit(reply.tips, 600) if reply.tips else ""
    events = events_block(reply)
    fixed = len(top) + len(tips) + len(events) + 6
    n = len(reply.items)
    per_item = (DESCRIPTION_LIMIT - fixed - 2 * n) // n if n else 0
    parts = [x for x in (top, events) if x]
    block = _item_block_en if reply.english else _item_block
    parts += [block(i, it, per_item) for i, it in enumerate(reply.items, reply.offset + 1)]
    if tips:
        parts.append(tips)
    description = truncate("\n\n".join(p for p in parts if p), DESCRIPTION_LIMIT)
    embed = discord.Embed(title=title, description=description, colour=colour)
    embed.set_footer(text=answer_footer(reply))
    return embed


EVENT_LINE_CHARS = 160


def events_block(reply: AnswerReply) -> str:
    """The events the page answers with, one short line each, when there are several ("" otherwise)."""
    lines = event_lines(reply)
    if not lines:
        return ""
    return "\n".join([f"**{escape(events_heading(reply, len(lines)))}**",
                      *(f"• {escape_fit(x, EVENT_LINE_CHARS)}" for x in lines)])


def answer_footer(reply: AnswerReply) -> str:
    if not reply.items:
        return "No matching articles"
    first, last = reply.offset + 1, reply.offset + len(reply.items)
    noun = "candidate article" if reply.total == 1 else "candidate articles"  # ranked, not all "matching"
    return f"{reply.total} {noun} · showing {first}–{last}"


def answer_message(reply: AnswerReply) -> OutMessage:
    return OutMessage(embeds=[answer_embed(reply)])


def _page_message(reply: AnswerReply, title: str, empty: str, block: Callable[[int, Hit, int], str]) -> OutMessage:
    """One embed with a block per result of the page (``block(n, hit, room)``: at most ``room`` characters)."""
    if not reply.items:
        return OutMessage(content=empty)
    room = (DESCRIPTION_LIMIT - 40) // len(reply.items)
    parts = [block(n, item, room) for n, item in enumerate(reply.items, reply.offset + 1)]
    embed = discord.Embed(title=title, description=truncate("\n\n".join(parts), DESCRIPTION_LIMIT), colour=COLOR_INFO)
    return OutMessage(embeds=[embed])


def context_message(reply: AnswerReply) -> OutMessage:
    """The page's passages inside the sentences around them (the "Context" button)."""

    def block(n: int, item: Hit, room: int) -> str:
        text = item.context or item.passage
        o = item.context_offset if item.context else 0
        spans = tuple((a + o, b + o) for a, b in item.highlights)
        head = link(f"{n}. {item.title}", item.url, min(room // 2, TITLE_CHARS * 2 + URL_LINK_MAX), bold=True)
        return f"{head}\n> {fit_passage(text, spans, max(0, room - len(head) - 3))}"

    return _page_message(reply, "Context", "There is no text to show for this question.", block)


def english_message(reply: AnswerReply) -> OutMessage:
    """The page's English answer lines and titles (the "English" button under a Japanese-led answer)."""

    def block(n: int, item: Hit, room: int) -> str:
        suffix = f" · {published_day(item)}"
        head = link(f"{n}. {item.title_en or item.title}", item.url,
                    min(room // 2, TITLE_CHARS * 2 + URL_LINK_MAX) - len(suffix), bold=True) + suffix
        text = item.answer_en.strip()
        line = _english_text(text, room - len(head) - 1) if text else "*(no English rendering)*"
        return f"{head}\n{line}"

    return _page_message(reply, "English", "There is no text to show for this question.", block)


def sources_only_message(reply: AnswerReply) -> OutMessage:
    """Just the links of a page of answers (the "Sources only" button)."""
    if not reply.items:
        return OutMessage(content="There are no sources for this question.")
    lines = []
    room = (DESCRIPTION_LIMIT - 40) // len(reply.items)
    for n, item in enumerate(reply.items, reply.offset + 1):
        suffix = f" — {published_day(item)}"
        line = link(f"{n}. {item.title}", item.url, room - len(suffix)) + suffix
        for alt in item.alt_urls[:2]:
            u = safe_url(alt)
            if u and len(line) + len(u) + 12 <= room:
                line += f" (also <{u}>)"
        lines.append(line)
    embed = discord.Embed(title="Sources", description=truncate("\n".join(lines), DESCRIPTION_LIMIT),
                          colour=COLOR_INFO)
    return OutMessage(embeds=[embed])

"""An answer page rendered for Discord (an embed with linked titles and emphasised passages; the "Sources
only" links) and for the terminal (plain text, matched terms in «» or bold)."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from index.models import Hit

from ..messages import (
    COLOR_ANSWER,
    COLOR_INFO,
    COLOR_NEAREST,
    DESCRIPTION_LIMIT,
    TITLE_CHARS,
    TITLE_LIMIT,
    URL_LINK_MAX,
    OutMessage,
    escape,
    escape_fit,
    link,
    safe_url,
    truncate,
)
from .logic import AnswerReply


def day(hit: Hit) -> str:
    """The hit's publication day, YYYY-MM-DD."""
    return hit.published.date().isoformat()


# --------------------------------------------------------------------------- passages with emphasis


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


# --------------------------------------------------------------------------- Discord


def _item_block(n: int, item: Hit, limit: int) -> str:
    meta = " · ".join(x for x in (day(item), escape_fit(item.section, 60)) if x)
    head = link(f"{n}. {item.title}", item.url, min(limit, TITLE_CHARS * 2 + URL_LINK_MAX), bold=True)
    block = f"{head}\n{meta}"
    if len(block) > limit:
        return truncate(escape(f"{n}. {item.title}"), limit)
    room = limit - len(block) - 3
    passage = fit_passage(item.passage, item.highlights, min(room, 700)) if room > 10 else ""
    return f"{block}\n> {passage}" if passage else block


def answer_embed(reply: AnswerReply) -> discord.Embed:
    """The embed of one page of answers: linked titles, dates, sections, passages with emphasis, a footer."""
    title = truncate("Q: " + " ".join(reply.question.split()), TITLE_LIMIT)
    colour = COLOR_ANSWER if reply.confident else COLOR_NEAREST
    top = f"*{escape_fit(reply.notice, 600)}*" if reply.notice else ""
    tips = escape_fit(reply.tips, 600) if reply.tips else ""
    fixed = len(top) + len(tips) + 4
    n = len(reply.items)
    per_item = (DESCRIPTION_LIMIT - fixed - 2 * n) // n if n else 0
    parts = [top] if top else []
    parts += [_item_block(i, it, per_item) for i, it in enumerate(reply.items, reply.offset + 1)]
    if tips:
        parts.append(tips)
    description = truncate("\n\n".join(p for p in parts if p), DESCRIPTION_LIMIT)
    embed = discord.Embed(title=title, description=description, colour=colour)
    embed.set_footer(text=answer_footer(reply))
    return embed


def answer_footer(reply: AnswerReply) -> str:
    if not reply.items:
        return "No matching articles"
    first, last = reply.offset + 1, reply.offset + len(reply.items)
    noun = "matching article" if reply.total == 1 else "matching articles"
    return f"{reply.total} {noun} · showing {first}–{last}"


def answer_message(reply: AnswerReply) -> OutMessage:
    return OutMessage(embeds=[answer_embed(reply)])


def sources_only_message(reply: AnswerReply) -> OutMessage:
    """Just the links of a page of answers (the "Sources only" button)."""
    if not reply.items:
        return OutMessage(content="There are no sources for this question.")
    lines = []
    room = (DESCRIPTION_LIMIT - 40) // len(reply.items)
    for n, item in enumerate(reply.items, reply.offset + 1):
        suffix = f" — {day(item)}"
        line = link(f"{n}. {item.title}", item.url, room - len(suffix)) + suffix
        for alt in item.alt_urls[:2]:
            u = safe_url(alt)
            if u and len(line) + len(u) + 12 <= room:
                line += f" (also <{u}>)"
        lines.append(line)
    embed = discord.Embed(title="Sources", description=truncate("\n".join(lines), DESCRIPTION_LIMIT),
                          colour=COLOR_INFO)
    return OutMessage(embeds=[embed])


# --------------------------------------------------------------------------- terminal


def emphasise(text: str, spans: tuple[tuple[int, int], ...], left: str, right: str) -> str:
    """Wrap the (non-overlapping, sorted or not) spans of ``text`` in markers."""
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos or e <= s or e > len(text):
            continue
        out.append(text[pos:s])
        out.append(f"{left}{text[s:e]}{right}")
        pos = e
    out.append(text[pos:])
    return "".join(out)


def render_terminal(reply: AnswerReply, *, bold: tuple[str, str] = ("\x1b[1m", "\x1b[0m"), color: bool = False) -> str:
    left, right = bold if color else ("«", "»")
    lines = [f"Q: {reply.question}"]
    if reply.notice:
        lines.append(reply.notice)
    for n, item in enumerate(reply.items, reply.offset + 1):
        lines.append("")
        lines.append(f"{n}. {item.title}")
        lines.append(f"   {day(item)} · {item.section or '-'} · {item.url}")
        passage = emphasise(item.passage, item.highlights, left, right).replace("\n", "\n   ")
        lines.append(f"   {passage}")
    if reply.tips:
        lines.append("")
        lines.append(reply.tips)
    shown = reply.offset + len(reply.items)
    if reply.total > shown:
        lines.append(f"({shown} of {reply.total} matching articles shown)")
    return "\n".join(lines)

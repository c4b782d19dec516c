"""Reply models -> Discord messages (content + embeds), always within Discord's limits.

Limits: 2000 characters of content, embed title 256, description 4096, field name 256 / value 1024, footer
2048, 25 fields and 10 embeds per message, 6000 characters over all embeds of one message. Every function
here returns messages that respect them whatever the article text (long titles, URLs, markdown, mentions).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from .digest import Digest, DigestEntry
from .replies import AnswerReply, ResultItem, SourcesReply, StatsReply

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


@dataclass
class OutMessage:
    """One message to send: content and embeds (components are added by the adapter)."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)

    def kwargs(self) -> dict:
        out: dict = {"allowed_mentions": discord.AllowedMentions.none()}
        if self.content:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = self.embeds
        return out


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


# --------------------------------------------------------------------------- answers


def _item_block(n: int, item: ResultItem, limit: int) -> str:
    meta = " · ".join(x for x in (item.published, escape_fit(item.section, 60)) if x)
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
        suffix = f" — {item.published}"
        line = link(f"{n}. {item.title}", item.url, room - len(suffix)) + suffix
        for alt in item.alt_urls[:2]:
            u = safe_url(alt)
            if u and len(line) + len(u) + 12 <= room:
                line += f" (also <{u}>)"
        lines.append(line)
    embed = discord.Embed(title="Sources", description=truncate("\n".join(lines), DESCRIPTION_LIMIT),
                          colour=COLOR_INFO)
    return OutMessage(embeds=[embed])


# --------------------------------------------------------------------------- digests

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


# --------------------------------------------------------------------------- /sources and /stats


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
    lines = [
        f"**Index**: {reply.articles} articles, {reply.chunks} chunks, {reply.index_bytes / 1e6:.1f} MB "
        f"(`{escape_fit(reply.generation, 80)}`)",
        f"**Model**: {escape_fit(reply.model, 200)} ({escape_fit(reply.index_type, 20)})",
        f"**Last reindex**: {escape_fit(reply.last_reindex, 60)}"
        + (" — a reindex is running now" if reply.reindex_running else ""),
        f"**Newest article**: {reply.newest_article or '-'}",
        f"**Queries served**: {reply.queries_served}",
        f"**Feedback**: 👍 {reply.feedback_up} / 👎 {reply.feedback_down}",
    ]
    if reply.last_refresh:
        lines.append(f"**Last refresh by the bot**: {escape_fit(reply.last_refresh, 400)}")
    for s in reply.failing:
        lines.append(f"⚠️ source **{escape_fit(s.name, 100)}** failing: {escape_fit(s.error, 300)}")
    embed = discord.Embed(title="defnews statistics", description=truncate("\n".join(lines), DESCRIPTION_LIMIT),
                          colour=COLOR_INFO)
    return OutMessage(embeds=[embed])


def text_message(text: str) -> OutMessage:
    return OutMessage(content=truncate(text, CONTENT_LIMIT))

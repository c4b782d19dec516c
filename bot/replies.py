"""One reply model for answers, rendered to the terminal here and to Discord in ``bot.discord_render``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from index.models import Answer, Hit

NOT_FOUND = "No confident match in the indexed articles."
REPHRASE_TIPS = (
    "Try naming the organisation, unit, ship or person, add a date (e.g. 'on July 4' or '7月4日'), "
    "or ask in Japanese."
)


@dataclass(frozen=True)
class ResultItem:
    title: str
    url: str
    published: str  # YYYY-MM-DD
    section: str
    passage: str
    highlights: tuple[tuple[int, int], ...] = ()
    score: float = 0.0
    chunk_id: str = ""
    alt_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerReply:
    question: str
    confident: bool
    items: tuple[ResultItem, ...]
    total: int
    offset: int = 0
    notice: str = ""  # e.g. the not-found message
    tips: str = ""
    extra: dict = field(default_factory=dict, compare=False)


_HAS_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def find_highlights(passage: str, terms: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """Spans of ``passage`` where one of the question's keyword ``terms`` occurs (case-insensitive).

    Latin terms match whole words; Japanese terms match as substrings. One-character terms are ignored
    (they would light up half a Japanese passage). Overlapping matches are merged.
    """
    folded = passage.lower()
    if len(folded) != len(passage):  # a rare case-fold that changes length: offsets would not line up
        folded = passage
    spans: list[tuple[int, int]] = []
    for term in {unicodedata.normalize("NFKC", t).lower().strip() for t in terms}:
        if len(term) < 2:
            continue
        if _HAS_CJK.search(term):
            pattern = re.escape(term)
        else:
            pattern = r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])"
        spans.extend((m.start(), m.end()) for m in re.finditer(pattern, folded))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return tuple(merged)


def item_from_hit(hit: Hit, terms: Iterable[str] = ()) -> ResultItem:
    terms = tuple(terms)
    highlights = hit.highlights or (find_highlights(hit.passage, terms) if terms else ())
    return ResultItem(
        title=hit.title, url=hit.url, published=hit.published.date().isoformat(), section=hit.section,
        passage=hit.passage, highlights=highlights, score=hit.score, chunk_id=hit.chunk_id,
        alt_urls=hit.alt_urls,
    )


def answer_reply(answer: Answer, offset: int = 0, terms: Iterable[str] = ()) -> AnswerReply:
    """The reply model for an answer page. ``terms`` (the question's keywords) are emphasised in passages."""
    terms = tuple(terms)
    items = tuple(item_from_hit(h, terms) for h in answer.hits)
    if not items:
        return AnswerReply(answer.question, False, (), answer.total, offset,
                           notice="Nothing in the indexed articles matches this question.", tips=REPHRASE_TIPS)
    if not answer.confident:
        return AnswerReply(answer.question, False, items, answer.total, offset,
                           notice=NOT_FOUND + " The nearest articles are listed below.", tips=REPHRASE_TIPS)
    return AnswerReply(answer.question, True, items, answer.total, offset)


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
        lines.append(f"   {item.published} · {item.section or '-'} · {item.url}")
        passage = emphasise(item.passage, item.highlights, left, right).replace("\n", "\n   ")
        lines.append(f"   {passage}")
    if reply.tips:
        lines.append("")
        lines.append(reply.tips)
    shown = reply.offset + len(reply.items)
    if reply.total > shown:
        lines.append(f"({shown} of {reply.total} matching articles shown)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- /sources and /stats


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
class StatsReply:
    articles: int
    chunks: int
    model: str
    index_type: str
    index_bytes: int
    generation: str
    last_reindex: str
    newest_article: str
    queries_served: int
    feedback_up: int
    feedback_down: int
    reindex_running: bool = False
    last_refresh: str = ""  # result line of the last background refresh / reindex by the bot
    failing: tuple[SourceLine, ...] = ()


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
    lines = [
        f"index:          {reply.articles} articles, {reply.chunks} chunks, {reply.index_bytes / 1e6:.1f} MB "
        f"({reply.generation})",
        f"model:          {reply.model} ({reply.index_type})",
        f"last reindex:   {reply.last_reindex}" + (" (a reindex is running)" if reply.reindex_running else ""),
        f"newest article: {reply.newest_article or '-'}",
        f"queries served: {reply.queries_served}",
        f"feedback:       {reply.feedback_up} up / {reply.feedback_down} down",
    ]
    if reply.last_refresh:
        lines.append(f"last refresh:   {reply.last_refresh}")
    for s in reply.failing:
        lines.append(f"failing source: {s.name}: {s.error}")
    return "\n".join(lines)

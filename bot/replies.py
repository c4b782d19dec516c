"""One reply model for answers, rendered to the terminal here and to Discord in ``bot.discord_render``."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.models import Hit
from index.search import Answer

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


def item_from_hit(hit: Hit) -> ResultItem:
    return ResultItem(
        title=hit.title, url=hit.url, published=hit.published.date().isoformat(), section=hit.section,
        passage=hit.passage, highlights=hit.highlights, score=hit.score, chunk_id=hit.chunk_id,
        alt_urls=hit.alt_urls,
    )


def answer_reply(answer: Answer, offset: int = 0) -> AnswerReply:
    items = tuple(item_from_hit(h) for h in answer.hits)
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

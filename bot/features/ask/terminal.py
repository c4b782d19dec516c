"""An answer page in the terminal: plain text, matched terms in «» (or bold on a colour terminal).

Japanese-led items show the title, date and link, then the quote; English-led items (English questions,
``ask --english``) show the English answer line first, then the quote, the title with its English beside
it, the date and the link."""

from __future__ import annotations

from index.models import Hit

from .logic import AnswerReply, english_line, event_lines, events_heading, published_day, title_beside


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


def _quote(item: Hit, left: str, right: str, context: bool) -> str:
    passage = emphasise(item.passage, item.highlights, left, right)
    if context and item.context:
        o = item.context_offset
        passage = f"{item.context[:o]}{passage}{item.context[o + len(item.passage):]}"
    return passage.replace("\n", "\n   ")


def _source(item: Hit) -> str:
    return f"   {published_day(item)} · {item.section or '-'} · {item.url}"


def _item_lines(n: int, item: Hit, quote: str, english: bool) -> list[str]:
    if not english:
        return [f"{n}. {item.title}", _source(item), f"   {quote}"]
    lead = english_line(item)
    beside = title_beside(item)
    lines = [f"{n}. {lead}", f"   {quote}"] if lead else [f"{n}. {quote}"]
    lines.append(f"   {item.title}" + (f" — {beside}" if beside else ""))
    lines.append(_source(item))
    return lines


def render_terminal(reply: AnswerReply, *, bold: tuple[str, str] = ("\x1b[1m", "\x1b[0m"), color: bool = False,
                    context: bool = False) -> str:
    """The page as text; with ``context`` each passage is shown inside the sentences around it."""
    left, right = bold if color else ("«", "»")
    lines = [f"Q: {reply.question}"]
    if reply.notice:
        lines.append(reply.notice)
    events = event_lines(reply)
    if events:  # several events answer: each in one line first, their evidence below
        lines += ["", events_heading(reply, len(events)), *(f"- {x}" for x in events)]
    for n, item in enumerate(reply.items, reply.offset + 1):
        lines.append("")
        lines += _item_lines(n, item, _quote(item, left, right, context), reply.english)
    if reply.tips:
        lines.append("")
        lines.append(reply.tips)
    shown = reply.offset + len(reply.items)
    if reply.total > shown:
        # every article in the period is ranked: the total counts the candidates, not articles that "match"
        lines.append(f"(the best {shown} of {reply.total} candidate articles)")
    return "\n".join(lines)

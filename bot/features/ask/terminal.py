"""An answer page in the terminal: plain text, matched terms in «» (or bold on a colour terminal)."""

from __future__ import annotations

from .logic import AnswerReply, published_day


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


def render_terminal(reply: AnswerReply, *, bold: tuple[str, str] = ("\x1b[1m", "\x1b[0m"), color: bool = False,
                    context: bool = False) -> str:
    """The page as text; with ``context`` each passage is shown inside the sentences around it."""
    left, right = bold if color else ("«", "»")
    lines = [f"Q: {reply.question}"]
    if reply.notice:
        lines.append(reply.notice)
    for n, item in enumerate(reply.items, reply.offset + 1):
        lines.append("")
        lines.append(f"{n}. {item.title}")
        lines.append(f"   {published_day(item)} · {item.section or '-'} · {item.url}")
        passage = emphasise(item.passage, item.highlights, left, right)
        if context and item.context:
            o = item.context_offset
            passage = f"{item.context[:o]}{passage}{item.context[o + len(item.passage):]}"
        passage = passage.replace("\n", "\n   ")
        lines.append(f"   {passage}")
    if reply.tips:
        lines.append("")
        lines.append(reply.tips)
    shown = reply.offset + len(reply.items)
    if reply.total > shown:
        # every article in the period is ranked: the total counts the candidates, not articles that "match"
        lines.append(f"(the best {shown} of {reply.total} candidate articles)")
    return "\n".join(lines)

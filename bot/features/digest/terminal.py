"""A digest in the terminal (``defnews chat``)."""

from __future__ import annotations

from ..events.terminal import render_event_lines
from .logic import MEETINGS_TITLE, Digest


def render_digest_terminal(d: Digest) -> str:
    lines = [d.heading()]
    if d.meetings:
        lines += ["", f"== {MEETINGS_TITLE} ({len(d.meetings)})"]
        for e in d.meetings:
            lines += render_event_lines(e, "- ", "  ")
    for section, entries in d.groups:
        lines += ["", f"== {section} ({len(entries)})"]
        for e in entries:
            lead, other = e.titles(d.language)
            lines += [f"- {lead} ({e.published})", *([f"  {other}"] if other else []), f"  {e.url}",
                      f"  {e.summary}"]
    if d.omitted:
        lines += ["", f"... and {d.omitted} more articles not listed."]
    return "\n".join(lines)

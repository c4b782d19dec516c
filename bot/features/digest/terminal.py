"""A digest in the terminal (``defnews chat``)."""

from __future__ import annotations

from .logic import Digest


def render_digest_terminal(d: Digest) -> str:
    lines = [d.heading()]
    for section, entries in d.groups:
        lines += ["", f"== {section} ({len(entries)})"]
        for e in entries:
            lines += [f"- {e.title} ({e.published})", f"  {e.url}", f"  {e.summary}"]
    if d.omitted:
        lines += ["", f"... and {d.omitted} more articles not listed."]
    return "\n".join(lines)

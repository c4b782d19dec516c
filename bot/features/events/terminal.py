"""Events in the terminal (``defnews events``, chat's ``/events``): one block per event, oldest first."""

from __future__ import annotations

from index.models import Event

from .logic import EventsReply, actors_text, event_place, event_when, heading, type_label


def render_event_lines(e: Event, bullet: str = "", indent: str = "   ") -> list[str]:
    """Date, type and place (after ``bullet``); then, indented, the actors in English, the English summary
    and the link."""
    first = " · ".join(x for x in (event_when(e), type_label(e.type), event_place(e)) if x)
    return [f"{bullet}{first}", *(f"{indent}{x}" for x in (actors_text(e), " ".join(e.summary_en.split()), e.url)
                                  if x)]


def render_events_terminal(reply: EventsReply) -> str:
    lines = [heading(reply) + ("." if not reply.events else ":")]
    for e in reply.events:
        lines += ["", *render_event_lines(e)]
    return "\n".join(lines)

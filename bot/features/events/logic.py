"""/events without Discord: the options -> one :class:`EventsQuery`, the listing, and how an event reads.

The events come from :meth:`index.service.IndexService.events` (extracted from the articles at ingest).
``since``/``until`` are read like /ask's (``7d``, ``2w``, ``2025-07-01``) as days in the bot's time zone; a
day after today is allowed, since events can be planned (a commissioning next year).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from index.models import EVENT_TYPES, Event, EventActor
from index.service import IndexService

from ...core.errors import InvalidInputError
from ...core.times import parse_since, parse_until, utcnow

MEETING_TYPES = ("courtesy_call", "meeting", "phone_talk", "visit")  # the digest's "Meetings and visits"
TYPE_LABELS = {
    "courtesy_call": "Courtesy call", "meeting": "Meeting", "phone_talk": "Phone talk", "visit": "Visit",
    "exercise": "Exercise", "launch": "Launch", "delivery": "Delivery", "commissioning": "Commissioning",
    "appointment": "Appointment",
}


@dataclass(frozen=True)
class EventsQuery:
    """Validated options: the days the events' periods must meet, and one type or all."""

    since: date | None = None
    until: date | None = None
    type: str | None = None


@dataclass(frozen=True)
class EventsReply:
    query: EventsQuery
    events: tuple[Event, ...]

    def to_json(self) -> dict:
        """``{"events": [...]}``, each event as the library gives it (``Event.to_json``)."""
        return {"events": [e.to_json() for e in self.events]}

    def filters_text(self) -> str:
        """The filters in words, e.g. "2025-07-01 – 2025-07-31 · courtesy calls" ("" for none)."""
        q = self.query
        span = ""
        if q.since or q.until:
            span = f"{q.since.isoformat() if q.since else '…'} – {q.until.isoformat() if q.until else '…'}"
        return " · ".join(x for x in (span, type_label(q.type) if q.type else "") if x)


def parse_type(text: str | None) -> str | None:
    """An event type (``courtesy_call``; also "courtesy call", "Courtesy-Call"), None for all."""
    key = "_".join((text or "").strip().lower().replace("-", " ").split())
    if not key:
        return None
    if key not in EVENT_TYPES:
        raise InvalidInputError(f"`type`: unknown event type {text.strip()!r} (one of {', '.join(EVENT_TYPES)})")
    return key


def type_label(event_type: str) -> str:
    return TYPE_LABELS.get(event_type, event_type.replace("_", " ").capitalize())


def event_when(e: Event) -> str:
    """``2025-07-04``, ``2025-07-09 – 2025-07-12``, or ``undated``."""
    if e.date is None:
        return "undated"
    if e.end_date and e.end_date != e.date:
        return f"{e.date.isoformat()} – {e.end_date.isoformat()}"
    return e.date.isoformat()


def actor_text(a: EventActor) -> str:
    """``Atul Khare (Operational Support Under-Secretary-General)``, ``Nakatani Gen (Defense Minister, Japan)``."""
    about = ", ".join(x for x in (a.role_en, a.country) if x)
    return f"{a.name_en or a.name}" + (f" ({about})" if about else "")


def actors_text(e: Event) -> str:
    return "; ".join(actor_text(a) for a in e.actors)


def event_place(e: Event) -> str:
    return e.place_en or e.place


def meetings_of(events: Iterable[Event], urls: Container[str] | None = None) -> tuple[Event, ...]:
    """The courtesy calls, meetings, phone talks and visits among ``events`` (of the articles ``urls`` when
    given): the digest's "Meetings and visits"."""
    return tuple(e for e in events if e.type in MEETING_TYPES and (urls is None or e.url in urls))


def heading(reply: EventsReply) -> str:
    """``3 events (2025-07-01 – 2025-07-31 · Courtesy call)`` or ``No events (…)``."""
    n = len(reply.events)
    filters = reply.filters_text()
    count = "No events" if not n else "1 event" if n == 1 else f"{n} events"
    return count + (f" ({filters})" if filters else "")


class EventLister:
    """The logic of /events and ``defnews events`` (``list`` reads the index: call it in a worker thread)."""

    def __init__(self, service: IndexService, *, tz: ZoneInfo, clock: Callable[[], datetime] = utcnow) -> None:
        self.service = service
        self.tz = tz
        self.clock = clock

    def parse(self, since: str | None = None, until: str | None = None, type: str | None = None) -> EventsQuery:
        """The options as days in the bot's time zone (cheap; no index access). One-line error if bad."""
        now = self.clock()
        since_day = (parse_since(since, now, self.tz, future=True).astimezone(self.tz).date()
                     if since and since.strip() else None)
        until_day = parse_until(until, now, self.tz).astimezone(self.tz).date() if until and until.strip() else None
        if since_day and until_day and since_day > until_day:
            raise InvalidInputError("`since` is after `until`")
        return EventsQuery(since_day, until_day, parse_type(type))

    def list(self, query: EventsQuery) -> EventsReply:
        """The events whose period meets the query's days, oldest first (blocking)."""
        return EventsReply(query, tuple(self.service.events(query.since, query.until, query.type)))

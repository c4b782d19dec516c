"""/events without Discord: options -> days and a type, the listing from the sample corpus, how events read."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.errors import InvalidInputError
from bot.features.events.logic import (
    EventsQuery,
    EventsReply,
    actor_text,
    event_when,
    heading,
    meetings_of,
    parse_type,
)
from index.models import EVENT_TYPES, Event, EventActor

KHARE = "https://defnews-sample.example.jp/articles/2025/07/un-operational-support-usg-khare-visit"
JSON_KEYS = {"type", "date", "end_date", "actors", "place", "place_en", "summary_en", "url", "title", "chunk_id"}


@pytest.fixture
def lister(features):
    return features.events


def _event(type_: str = "visit", day: date | None = date(2025, 7, 4), end: date | None = None, url: str = "u",
           actors=()) -> Event:
    return Event(type_, day, end, tuple(actors), "", "", "summary", url, "title", "a:0")


def test_parse_reads_days_in_the_bots_zone_and_allows_planned_events(lister):
    q = lister.parse("2025-07-01", "2025-07-31", "courtesy_call")
    assert q == EventsQuery(date(2025, 7, 1), date(2025, 7, 31), "courtesy_call")
    assert lister.parse("7d").since == date(2025, 7, 18)  # now: 25 July 2025, 12:00 in Tokyo
    assert lister.parse(until="2w").until == date(2025, 7, 11)
    assert lister.parse("2027-01-01").since == date(2027, 1, 1)  # a commissioning next year can be listed
    assert lister.parse() == EventsQuery()


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"since": "2025-07-31", "until": "2025-07-01"}, "after"),
    ({"since": "soon"}, "not understood"),
    ({"until": "2025-02-30"}, "not a valid date"),
    ({"type": "party"}, "unknown event type 'party'"),
])
def test_parse_refusals_are_one_line(lister, kwargs, needle):
    with pytest.raises(InvalidInputError, match=needle):
        lister.parse(**kwargs)


def test_types_are_read_loosely():
    assert parse_type("Courtesy call") == parse_type("courtesy-call") == "courtesy_call"
    assert parse_type("  ") is None and parse_type(None) is None
    assert all(parse_type(t) == t for t in EVENT_TYPES)


def test_july_holds_the_courtesy_call_of_the_users_example(lister):
    reply = lister.list(lister.parse("2025-07-01", "2025-07-31"))
    assert reply.events and all(set(e.to_json()) == JSON_KEYS for e in reply.events)
    days = [e.date for e in reply.events]
    assert days == sorted(days)  # oldest first
    assert all((e.end_date or e.date) >= date(2025, 7, 1) and e.date <= date(2025, 7, 31) for e in reply.events)
    call = next(e for e in reply.events if e.url == KHARE and e.type == "courtesy_call")
    assert call.date == date(2025, 7, 4) and "Atul Khare" in {a.name_en for a in call.actors}
    calls = lister.list(lister.parse("2025-07-01", "2025-07-31", "courtesy_call"))
    assert {e.type for e in calls.events} == {"courtesy_call"} and call in calls.events
    assert reply.to_json() == {"events": [e.to_json() for e in reply.events]}


def test_how_events_read():
    assert event_when(_event()) == "2025-07-04"
    assert event_when(_event(end=date(2025, 7, 12))) == "2025-07-04 – 2025-07-12"
    assert event_when(_event(day=None)) == "undated"
    assert actor_text(EventActor("中谷 元", "Nakatani Gen", "Defense Minister", "Japan")) == \
        "Nakatani Gen (Defense Minister, Japan)"
    assert actor_text(EventActor("カレ", "")) == "カレ"  # no English name: the name as written
    reply = EventsReply(EventsQuery(date(2025, 7, 1), None, "phone_talk"), ())
    assert heading(reply) == "No events (2025-07-01 – … · Phone talk)"
    assert heading(EventsReply(EventsQuery(), (_event(),))) == "1 event"


def test_meetings_are_calls_meetings_talks_and_visits():
    events = [_event(t, url=f"u{i}") for i, t in enumerate(EVENT_TYPES)]
    assert [e.type for e in meetings_of(events)] == ["courtesy_call", "meeting", "phone_talk", "visit"]
    assert [e.type for e in meetings_of(events, {"u1", "u4"})] == ["meeting"]

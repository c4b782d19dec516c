"""Events in the terminal."""

from __future__ import annotations

from datetime import date

from bot.features.events.logic import EventsQuery, EventsReply
from bot.features.events.terminal import render_events_terminal
from index.models import Event, EventActor

CALL = Event("courtesy_call", date(2025, 7, 4), None,
             (EventActor("アトゥル・カレ", "Atul Khare", "Under-Secretary-General"),
              EventActor("中谷 元", "Nakatani Gen", "Defense Minister", "Japan")),
             "防衛省", "Ministry of Defense", "Atul Khare paid a courtesy call on Defense Minister Nakatani Gen.",
             "https://e.jp/khare", "カレ事務次長が表敬", "a:0")


def test_each_event_reads_date_type_place_actors_summary_link():
    text = render_events_terminal(EventsReply(EventsQuery(date(2025, 7, 1), date(2025, 7, 31)), (CALL,)))
    assert text.splitlines() == [
        "1 event (2025-07-01 – 2025-07-31):",
        "",
        "2025-07-04 · Courtesy call · Ministry of Defense",
        "   Atul Khare (Under-Secretary-General); Nakatani Gen (Defense Minister, Japan)",
        "   Atul Khare paid a courtesy call on Defense Minister Nakatani Gen.",
        "   https://e.jp/khare",
    ]


def test_no_events_says_so():
    assert render_events_terminal(EventsReply(EventsQuery(type="launch"), ())) == "No events (Launch)."

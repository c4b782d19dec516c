"""/events on Discord (stand-in interactions; the e2e tests drive the real client) and events as embed text:
always within the limits, the most recent kept when they do not all fit."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.errors import InvalidInputError
from bot.features.events.discord import EVENT_LIMIT, event_block, events_message, handle_events
from bot.features.events.logic import EventsQuery, EventsReply
from bot.features.messages import limit_violations
from index.models import EVENT_TYPES, Event, EventActor

from ...standins import Interaction, check_sent
from ..strategies import texts, urls


@st.composite
def events(draw):
    day = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 400)))
    actors = tuple(EventActor(draw(texts), draw(texts), draw(texts), draw(st.text(max_size=40)))
                   for _ in range(draw(st.integers(0, 4))))
    return Event(draw(st.sampled_from(EVENT_TYPES)), day, draw(st.none() | st.just(day + timedelta(days=3))),
                 actors, draw(texts), draw(texts), draw(texts), draw(urls), draw(texts), "a:0")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events(), max_size=60))
def test_events_never_exceed_limits(evs):
    reply = EventsReply(EventsQuery(type="visit"), tuple(sorted(evs, key=lambda e: e.date)))
    assert limit_violations(events_message(reply)) == []
    for e in evs[:5]:
        assert len(event_block(e)) <= EVENT_LIMIT


def _event(n: int) -> Event:
    return Event("visit", date(2025, 7, 1) + timedelta(days=n), None, (EventActor("名", f"Name {n}", "Minister"),),
                 "", "", f"Visit number {n}. " * 20, f"https://e.jp/{n}", f"記事{n}", "a:0")


def test_too_many_events_keep_the_most_recent_in_order_and_say_so():
    reply = EventsReply(EventsQuery(), tuple(_event(n) for n in range(40)))
    msg = events_message(reply)
    assert limit_violations(msg) == []
    embed = msg.embeds[0]
    shown = [int(n) for n in re.findall(r"\]\(https://e\.jp/(\d+)\)", embed.description)]
    assert shown == list(range(40 - len(shown), 40)) and 0 < len(shown) < 40
    assert embed.footer.text == f"The {len(shown)} most recent of 40 events; narrow since, until or type to see the others"
    assert events_message(EventsReply(EventsQuery(), (_event(1),))).embeds[0].footer.text == "1 event"


def test_an_event_block_reads_like_the_terminal():
    block = event_block(_event(3))
    lines = block.splitlines()
    assert lines[0] == "**2025-07-04 · Visit**"
    assert lines[1] == "Name 3 (Minister)"
    assert lines[2].startswith("Visit number 3.") and lines[2].endswith(" — [記事3](https://e.jp/3)")


async def test_events_command_answers_publicly_without_pings(bot):
    inter = Interaction(bot)
    await handle_events(inter, "2025-07-01", "2025-07-31", "courtesy_call")
    assert inter.response.calls == [("defer", False, True)]
    (_content, kw), = inter.followup.sent
    check_sent(kw)
    embed = kw["embeds"][0]
    assert embed.title == "Events: 2025-07-01 – 2025-07-31 · Courtesy call"
    assert "**2025-07-04 · Courtesy call**" in embed.description and "Atul Khare" in embed.description
    assert "un-operational-support-usg-khare-visit" in embed.description
    none = Interaction(bot)
    await handle_events(none, "2025-07-01", "2025-07-02", "delivery")
    assert none.followup.sent[0][1]["content"].startswith("No events (2025-07-01 – 2025-07-02 · Delivery)")


async def test_bad_options_are_refused_before_thinking(bot):
    inter = Interaction(bot)
    with pytest.raises(InvalidInputError, match="after"):
        await handle_events(inter, "2025-07-31", "2025-07-01", None)
    assert inter.response.calls == []

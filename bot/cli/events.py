"""``defnews events``: the index's events (courtesy calls, meetings, visits, exercises…) as text or JSON."""

from __future__ import annotations

import json

from ..core.times import zone
from ..core.wiring import build_service
from ..features.events.logic import EventLister
from ..features.events.terminal import render_events_terminal
from .context import ensure_index, settings_of


def cmd_events(args) -> int:
    settings = settings_of(args)
    service = build_service(settings.index)
    lister = EventLister(service, tz=zone(settings.digest.digest_timezone))
    query = lister.parse(args.since, args.until, args.type)  # bad options: one line, before any index work
    ensure_index(service, args.quiet)
    reply = lister.list(query)
    print(json.dumps(reply.to_json(), ensure_ascii=False) if args.json else render_events_terminal(reply))
    return 0

"""Every feature's logic built together from the settings: :class:`Features`, shared by the Discord bot and
``defnews chat``. (Each feature's Discord side is registered by ``bot.discord.client``.)"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from index.service import IndexService

from ..core.settings import Settings
from ..core.state import StateStore
from ..core.times import utcnow, zone
from .ask.logic import Asker
from .digest.logic import Digester
from .events.logic import EventLister
from .info.logic import Info
from .reindex.logic import Reindexer


@dataclass(frozen=True)
class Features:
    """The logic of every feature over one service (blocking methods: call them in a worker thread)."""

    service: IndexService
    ask: Asker
    digest: Digester
    reindex: Reindexer
    info: Info
    events: EventLister


def build_features(
    settings: Settings,
    service: IndexService,
    state: StateStore | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    monotonic: Callable[[], float] = time.monotonic,
) -> Features:
    """Each feature gets its own settings section; dates typed by users are read in the digest time zone."""
    tz = zone(settings.digest.digest_timezone)
    reindexer = Reindexer(service, clock=clock)
    return Features(
        service=service,
        ask=Asker(settings.ask, service, state, tz=tz, clock=clock, monotonic=monotonic),
        digest=Digester(settings.digest, service, clock=clock),
        reindex=reindexer,
        info=Info(service, state, tz=tz, last_refresh=lambda: reindexer.last_refresh),
        events=EventLister(service, tz=tz, clock=clock),
    )

"""Every feature in one place: their logic built together from the settings (:class:`Features`, shared by
the Discord bot and ``defnews chat``), their slash commands and their persistent buttons."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from discord import app_commands

from index.service import IndexService

from ..core.settings import Settings
from ..core.state import BotState
from ..core.times import utcnow, zone
from . import info, reindex
from .ask import discord as ask_discord
from .ask.logic import Asker
from .digest import discord as digest_discord
from .digest.logic import Digester


@dataclass(frozen=True)
class Features:
    """The logic of every feature over one service (blocking methods: call them in a worker thread)."""

    service: IndexService
    ask: Asker
    digest: Digester
    reindex: reindex.Reindexer
    info: info.Info


def build_features(
    settings: Settings,
    service: IndexService,
    state: BotState | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    monotonic: Callable[[], float] = time.monotonic,
) -> Features:
    """Each feature gets its own settings section; dates typed by users are read in the digest time zone."""
    tz = zone(settings.digest.digest_timezone)
    reindexer = reindex.Reindexer(service, clock=clock)
    return Features(
        service=service,
        ask=Asker(settings.ask, service, state, tz=tz, clock=clock, monotonic=monotonic),
        digest=Digester(settings.digest, service, clock=clock),
        reindex=reindexer,
        info=info.Info(service, state, tz=tz, last_refresh=lambda: reindexer.last_refresh),
    )


def build_commands() -> list[app_commands.Command]:
    """Fresh command objects for one bot (handlers find the features on the interaction's client)."""
    return [*ask_discord.build_commands(), *digest_discord.build_commands(), *reindex.build_commands(),
            *info.build_commands()]


DYNAMIC_ITEMS = (ask_discord.AskButton,)

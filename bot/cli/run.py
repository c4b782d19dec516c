"""``defnews run`` (the Discord bot until SIGTERM) and ``defnews sync`` (register the slash commands)."""

from __future__ import annotations

import asyncio
import logging

from ..core.settings import Settings
from ..core.wiring import build_service
from ..discord.connect import require_token, run_bot, sync_commands
from .context import ensure_index, settings_of


def _settings_and_logging(args) -> Settings:
    """Settings, and our loggers at DEFNEWS_LOG_LEVEL (discord.py's only once connected: see ``_connected``)."""
    settings = settings_of(args)
    if not getattr(args, "verbose", False):
        for name in ("bot", "index"):
            logging.getLogger(name).setLevel(settings.log.log_level)
    return settings


def _connected(settings: Settings) -> None:
    """After login, discord.py's own messages (reconnects, resumes) go to the log too."""
    logging.getLogger("discord").setLevel(settings.log.log_level)


def cmd_run(args) -> int:
    settings = _settings_and_logging(args)
    require_token(settings.discord)  # a missing token fails before any index work
    service = build_service(settings.index)
    ensure_index(service, args.quiet)
    asyncio.run(run_bot(settings, service, on_ready=lambda: _connected(settings)))
    return 0


def cmd_sync(args) -> int:
    settings = _settings_and_logging(args)
    guild = args.guild
    n = asyncio.run(sync_commands(settings, guild_id=guild))
    where = f"guild {guild}" if guild else "globally (may take up to an hour to show everywhere)"
    print(f"synced {n} commands {where}")
    return 0

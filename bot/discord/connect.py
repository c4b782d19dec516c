"""Bringing the bot up and down: endpoints, token, login, READY, ``defnews run`` and ``defnews sync``.

``start_bot`` is the one way to bring a bot up (``defnews run`` and the end-to-end tests both use it).
Every failure to connect is one ConfigError line, never the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from index.errors import ConfigError, DefnewsError
from index.service import IndexService

from ..core.settings import DEFAULT_GATEWAY, DiscordSettings, Settings
from ..core.state import StateStore
from .client import DefnewsBot

log = logging.getLogger(__name__)


def configure_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py at the configured REST base and gateway (process-wide, as discord.py keeps them)."""
    discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url or DEFAULT_GATEWAY)


def require_token(settings: DiscordSettings) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise ConfigError("DEFNEWS_DISCORD_TOKEN is not set: put the bot token in the environment or in .env")
    return token


async def _login(bot: DefnewsBot, settings: DiscordSettings) -> None:
    token = require_token(settings)
    try:
        await bot.login(token)
    except discord.LoginFailure as exc:
        await bot.close()
        raise ConfigError("Discord rejected the bot token (DEFNEWS_DISCORD_TOKEN): check it in the developer "
                          "portal") from exc
    except discord.HTTPException as exc:
        await bot.close()
        raise ConfigError(f"Discord API error while logging in ({settings.discord_api_base}): "
                          f"{exc.status} {exc.text[:200]}") from exc
    except (TimeoutError, OSError) as exc:
        await bot.close()
        raise ConfigError(f"cannot reach the Discord API at {settings.discord_api_base}: "
                          f"{type(exc).__name__}: {exc}") from exc
    except BaseException:
        await bot.close()
        raise


def _connect_error(exc: BaseException, settings: DiscordSettings) -> DefnewsError:
    if isinstance(exc, DefnewsError):
        return exc
    if isinstance(exc, discord.ConnectionClosed) and exc.code == 4004:
        return ConfigError("Discord rejected the bot token (DEFNEWS_DISCORD_TOKEN) at the gateway")
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return ConfigError("the gateway asks for privileged intents this bot does not use")
    return ConfigError(f"cannot connect to the Discord gateway at {settings.discord_gateway_url}: "
                       f"{type(exc).__name__}: {str(exc)[:200]}")


async def start_bot(
    settings: Settings,
    service: IndexService,
    *,
    clock: Callable[[], datetime] | None = None,
    state: StateStore | None = None,
    background: bool = True,
    ready_timeout: float = 120.0,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> DefnewsBot:
    """Log in, connect and wait until READY. The bot keeps running in ``bot.runner``; ``await bot.close()``.

    Builds the index first if there is none. Raises a one-line DefnewsError (ConfigError) if the token is
    missing or rejected, or Discord cannot be reached.
    """
    require_token(settings.discord)
    configure_endpoints(settings.discord)
    if not service.has_index():
        await asyncio.to_thread(service.ensure_index)
    bot = DefnewsBot(settings, service, clock=clock, state=state, background=background, sleep=sleep)
    await _login(bot, settings.discord)
    bot.runner = asyncio.create_task(bot.connect(reconnect=True), name="defnews-gateway")
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({bot.runner, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED)
    if ready in done:
        return bot
    ready.cancel()
    if bot.runner in done:
        exc = bot.runner.exception() if not bot.runner.cancelled() else None
        await bot.close()
        if exc is None:
            raise ConfigError("the gateway connection closed before the bot was ready")
        raise _connect_error(exc, settings.discord) from exc
    await bot.close()
    raise ConfigError(f"the Discord gateway did not get ready within {ready_timeout:.0f} s")


async def run_bot(settings: Settings, service: IndexService, *, on_ready: Callable[[], None] | None = None) -> None:
    """``defnews run``: start, serve until closed or SIGTERM/SIGINT, close cleanly.

    The signal handlers are installed before start-up, so a stop request while the index is being built
    or the gateway is connecting also ends the process cleanly (exit 0).
    """
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
            loop.add_signal_handler(sig, stop.set)
    stopping = asyncio.create_task(stop.wait())
    starting = asyncio.create_task(start_bot(settings, service))
    try:
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            log.info("stopped during start-up")
            return
        bot = starting.result()
        if on_ready:
            on_ready()
        try:
            await asyncio.wait({bot.runner, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if bot.runner.done() and not bot.runner.cancelled() and bot.runner.exception() is not None:
                exc = bot.runner.exception()
                raise _connect_error(exc, settings.discord) from exc
        finally:
            await bot.close()
    finally:
        stopping.cancel()


async def sync_commands(settings: Settings, *, guild_id: int | None = None) -> int:
    """``defnews sync``: register the commands globally (or in one guild) and return how many."""
    configure_endpoints(settings.discord)
    bot = DefnewsBot(settings, None, background=False, sync_on_start=False)
    await _login(bot, settings.discord)
    try:
        if guild_id:
            return await bot.sync_guild(guild_id)
        synced = await bot.tree.sync()
        log.info("synced %d global commands", len(synced))
        return len(synced)
    finally:
        await bot.close()

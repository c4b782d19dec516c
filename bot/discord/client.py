"""DefnewsBot: the discord.py client (an ``AutoShardedClient``: all the bot's shards, or those of
``DEFNEWS_SHARD_IDS``). Its lifecycle (set-up once per login, warm index, command sync, background tasks, close)
and who is asking; the features do the rest (see :mod:`bot.features.host`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import discord

from index.errors import ConfigError
from index.service import IndexService

from ..core.permissions import Actor
from ..core.settings import DEFAULT_GATEWAY, Settings
from ..core.state import StateStore
from ..core.times import utcnow
from ..core.wiring import build_state
from ..features.ask import discord as ask
from ..features.catalog import Features, build_features
from ..features.digest import discord as digest
from ..features.digest.logic import DigestScheduler
from ..features.events import discord as events
from ..features.info import discord as info
from ..features.messages import NO_MENTIONS
from ..features.reindex import discord as reindex
from ..features.reindex.logic import refresh_loop
from .boundary import DefnewsTree, report_interaction_error, report_message_error

log = logging.getLogger(__name__)


def build_commands() -> list[discord.app_commands.Command]:
    """Fresh command objects of every feature for one bot (handlers find the features on the client)."""
    return [*ask.build_commands(), *digest.build_commands(), *reindex.build_commands(), *info.build_commands(),
            *events.build_commands()]


DYNAMIC_ITEMS = (ask.AskButton,)  # the buttons under answers, recognised again after a restart


class DefnewsBot(discord.AutoShardedClient):
    """The defnews Discord client. Settings and the IndexService are injected; ``clock`` drives schedules.

    Runs the shards ``DEFNEWS_SHARD_IDS`` of ``DEFNEWS_SHARD_COUNT`` (unset: as many as Discord recommends, all
    in this process). Syncs the commands on start only with ``DEFNEWS_SYNC_COMMANDS`` (and ``sync_on_start``).
    """

    def __init__(
        self,
        settings: Settings,
        service: IndexService | None,
        *,
        clock: Callable[[], datetime] | None = None,
        state: StateStore | None = None,
        background: bool = True,
        sync_on_start: bool = True,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice: no warning about it
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True  # mentions: content is delivered without the privileged intent
        intents.dm_messages = True
        super().__init__(intents=intents, allowed_mentions=NO_MENTIONS,
                         shard_count=settings.discord.shard_count, shard_ids=settings.discord.shard_ids)
        self.settings = settings
        self.service = service
        self.clock = clock or utcnow
        self.state = state
        self._own_state = state is None
        self.background = background
        self.sync_on_start = sync_on_start and settings.discord.sync_commands
        self.sleep = sleep
        self.tree = DefnewsTree(self)
        for cmd in build_commands():
            self.tree.add_command(cmd)
        self.features: Features | None = None
        self.scheduler: DigestScheduler | None = None
        self.progress_interval = 2.0
        self.reindex_task: asyncio.Task | None = None
        self._tasks: list[asyncio.Task] = []
        self._setup_done = False
        self._owner_ids: frozenset[int] | None = None
        self.ready_count = 0  # READY events seen (reconnects without resume)
        self.runner: asyncio.Task | None = None

    # ------------------------------------------------------------------ lifecycle

    async def setup_hook(self) -> None:
        """Once per login (never on reconnects or resumes): state, buttons, warm index, sync, tasks."""
        if self._setup_done:
            return
        self._setup_done = True
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.service is not None:
            if self.state is None:
                self.state = await asyncio.to_thread(build_state, self.settings)
            self.features = build_features(self.settings, self.service, self.state, clock=self.clock)
            await asyncio.to_thread(self.service.warm_up)
        if self.sync_on_start and self.settings.discord.discord_guild_id:
            await self.sync_guild(self.settings.discord.discord_guild_id)
        if self.background and self.features is not None:
            self._start_background()

    async def launch_shards(self) -> None:
        """discord.py's, except that a configured gateway (DEFNEWS_DISCORD_GATEWAY_URL: a proxy, a local test
        server) is used even when the shard count comes from Discord (discord.py would take GET /gateway/bot's
        URL then)."""
        if self.shard_count is None and self.settings.discord.discord_gateway_url != DEFAULT_GATEWAY:
            self.shard_count, _url, _limits = await self.http.get_bot_gateway()
        await super().launch_shards()

    async def sync_guild(self, guild_id: int) -> int:
        guild = discord.Object(id=guild_id)
        self.tree.copy_global_to(guild=guild)
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.Forbidden as exc:
            raise ConfigError(
                f"cannot register commands in guild {guild_id} (DEFNEWS_DISCORD_GUILD_ID): the bot is not in it "
                "or was invited without the applications.commands scope"
            ) from exc
        log.info("synced %d commands to guild %s", len(synced), guild_id)
        return len(synced)

    def _start_background(self) -> None:
        self.scheduler = digest.digest_scheduler(self, self.state, self.clock)
        if self.scheduler is not None:
            self._spawn(self.scheduler.run(self.sleep), "digest-scheduler")
        minutes = self.settings.refresh.refresh_interval_minutes
        if minutes > 0:
            self._spawn(refresh_loop(self.features.reindex, self.state, minutes, sleep=self.sleep),
                        "background-refresh")

    def _spawn(self, coro, name: str) -> asyncio.Task:
        task = asyncio.create_task(coro, name=f"defnews-{name}")
        self._tasks.append(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s stopped", task.get_name(), exc_info=task.exception())

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.reindex_task:
            self.reindex_task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await super().close()
        if self._own_state and self.state is not None:
            await asyncio.to_thread(self.state.close)
            self.state = None

    async def on_ready(self) -> None:
        self.ready_count += 1
        shards = "" if self.shard_ids is None else f" (shards {','.join(map(str, self.shard_ids))} of {self.shard_count})"
        log.info("connected to Discord as %s (id %s) in %d guild(s)%s", self.user,
                 self.user.id if self.user else "?", len(self.guilds), shards)

    async def on_resumed(self) -> None:
        log.info("gateway session resumed")

    # ------------------------------------------------------------------ who is asking, mentions, errors

    async def owner_ids(self) -> frozenset[int]:
        if self._owner_ids is None:
            app = self.application or await self.application_info()
            if app.team:
                self._owner_ids = frozenset(m.id for m in app.team.members)
            else:
                self._owner_ids = frozenset({app.owner.id})
        return self._owner_ids

    async def actor_of(self, interaction: discord.Interaction) -> Actor:
        user = interaction.user
        perms = interaction.permissions
        return Actor(
            user_id=user.id,
            role_ids=frozenset(r.id for r in getattr(user, "roles", ())),
            manage_messages=bool(perms.manage_messages or perms.administrator),
            is_owner=user.id in await self.owner_ids(),
        )

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or self.user.id not in message.raw_mentions:
            return
        if self.features is None:
            return
        try:
            await ask.answer_mention(self.features.ask, message, self.user.id)
        except Exception as exc:
            await report_message_error(message, exc)

    async def report_interaction_error(self, interaction: discord.Interaction, error: BaseException) -> None:
        """The error boundary, for the features' buttons (commands reach it through the tree)."""
        await report_interaction_error(interaction, error)

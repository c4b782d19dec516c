"""The Discord adapter: DefnewsBot, its slash commands, buttons, mention answers and background tasks.

Thin on purpose: each handler parses options, calls :class:`bot.commands.Core` (off the event loop for
anything blocking) and sends what :mod:`bot.discord_render` builds. ``start_bot`` is the one way to bring a
bot up (``defnews run`` and the end-to-end tests both use it); ``sync_commands`` is ``defnews sync``.
"""

# No ``from __future__ import annotations`` here: discord.py reads the command callbacks' annotations.

import asyncio
import contextlib
import logging
import re
import signal
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from index.errors import ConfigError, DefnewsError
from index.service import IndexService, ReindexBusyError

from .commands import (
    Actor,
    Core,
    Level,
    PermissionRefused,
    Refusal,
    ReindexProgress,
    error_reply,
    mention_usage,
    refresh_due,
    require,
    strip_mention,
)
from .digest import DigestScheduler, InvalidInputError, parse_schedule, utcnow
from .discord_render import (
    OutMessage,
    answer_message,
    digest_messages,
    limit_violations,
    sources_message,
    sources_only_message,
    stats_message,
    text_message,
)
from .replies import AnswerReply
from .settings import DEFAULT_GATEWAY, Settings
from .state import BotState

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
REFRESH_KEY = "last_refresh"


# --------------------------------------------------------------------------- endpoints and errors


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at the configured REST base and gateway (process-wide, as discord.py keeps them)."""
    discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url or DEFAULT_GATEWAY)


def require_token(settings: Settings) -> str:
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise ConfigError("DEFNEWS_DISCORD_TOKEN is not set: put the bot token in the environment or in .env")
    return token


class RefusedCheck(app_commands.CheckFailure):
    """A permission check refused: carries the domain refusal for the error boundary."""

    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal
        super().__init__(str(refusal))


def user_message(error: BaseException) -> tuple[str, bool]:
    """(text for the user, unexpected?) for any error reaching the boundary."""
    error = _unwrap(error)
    if isinstance(error, RefusedCheck):
        return str(error.refusal), False
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works only in a server.", False
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {max(1, round(error.retry_after))} s.", False
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here.", False
    if isinstance(error, app_commands.TransformerError):
        return "One of the options has a value I can't use; please check it.", False
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "This command is out of date; please try again in a minute.", False
    return error_reply(error)


def _unwrap(error: BaseException) -> BaseException:
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    return error


class DefnewsTree(app_commands.CommandTree):
    """The one error boundary for application commands (and, through the bot, buttons and mentions)."""

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        client = interaction.client
        if isinstance(client, DefnewsBot):
            await client.report_interaction_error(interaction, error)
        else:  # pragma: no cover
            await super().on_error(interaction, error)


def requires(level: Level):
    """Declarative permission: a Discord default (hides the command) plus a check at run time."""

    def decorator(func):
        if level is Level.MODERATOR:
            func = app_commands.default_permissions(manage_messages=True)(func)
        elif level is Level.MAINTAINER:
            func = app_commands.default_permissions(manage_guild=True)(func)

        async def predicate(interaction: discord.Interaction) -> bool:
            bot = interaction.client
            actor = await bot.actor_of(interaction)
            try:
                require(actor, level, bot.settings)
            except PermissionRefused as exc:
                log.info("refused /%s to user %s", getattr(interaction.command, "name", "?"), interaction.user.id)
                raise RefusedCheck(exc) from None
            return True

        return app_commands.check(predicate)(func)

    return decorator


# --------------------------------------------------------------------------- buttons


class AskButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"defnews:ask:(?P<action>more|src|up|down):(?P<qid>[0-9]{1,18}):(?P<offset>[0-9]{1,6})",
):
    """A button under an answer. State lives in the custom id (and the bot state), so it survives restarts."""

    LABELS: ClassVar[dict[str, tuple[str, str | None]]] = {"more": ("More results", None), "src": ("Sources only", None), "up": ("", "👍"), "down": ("", "👎")}

    def __init__(self, action: str, qid: int, offset: int, *, disabled: bool = False) -> None:
        label, emoji = self.LABELS[action]
        style = discord.ButtonStyle.primary if action == "more" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label or None, emoji=emoji, style=style, disabled=disabled,
                custom_id=f"defnews:ask:{action}:{qid}:{offset}",
            )
        )
        self.action, self.qid, self.offset = action, qid, offset

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match):
        return cls(match["action"], int(match["qid"]), int(match["offset"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        try:
            await bot.on_ask_button(interaction, self.action, self.qid, self.offset)
        except Exception as exc:
            await bot.report_interaction_error(interaction, exc)


def ask_view(qid: int | None, reply: AnswerReply) -> discord.ui.View | None:
    if qid is None or not reply.items:
        return None
    view = discord.ui.View(timeout=None)
    shown = reply.offset + len(reply.items)
    view.add_item(AskButton("more", qid, shown, disabled=shown >= reply.total))
    view.add_item(AskButton("src", qid, reply.offset))
    view.add_item(AskButton("up", qid, reply.offset))
    view.add_item(AskButton("down", qid, reply.offset))
    return view


# --------------------------------------------------------------------------- commands


def build_commands() -> list[app_commands.Command]:
    """Fresh command objects for one bot (handlers delegate to the bot found on the interaction)."""

    @app_commands.command(name="ask", description="Ask a question about the indexed defence news")
    @app_commands.describe(
        question="Your question, e.g. 'Who visited MOD on July 4?'",
        since="Only articles published since: a duration (12h, 7d, 2w) or a date (2025-07-01)",
        until="Only articles published until: a date (2025-07-31) or a duration ago (7d)",
        section="Only articles of this section",
        k="Results per page",
    )
    async def ask(
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 4000],
        since: app_commands.Range[str, 1, 40] | None = None,
        until: app_commands.Range[str, 1, 40] | None = None,
        section: app_commands.Range[str, 1, 100] | None = None,
        k: app_commands.Range[int, 1, 10] | None = None,
    ) -> None:
        await interaction.client.handle_ask(interaction, question, since, until, section, k)

    @ask.autocomplete("section")
    async def ask_section(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await interaction.client.section_choices(current)

    @app_commands.command(name="digest", description="Post a digest of the articles published recently")
    @app_commands.describe(
        since="Period: a duration (12h, 7d, 2w) or a date (2025-07-01); default 7d",
        section="Only this section",
        channel="Channel to post to (default: this one)",
    )
    @app_commands.guild_only()
    @requires(Level.MODERATOR)
    async def digest(
        interaction: discord.Interaction,
        since: app_commands.Range[str, 1, 40] | None = None,
        section: app_commands.Range[str, 1, 100] | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        await interaction.client.handle_digest(interaction, since, section, channel)

    @digest.autocomplete("section")
    async def digest_section(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await interaction.client.section_choices(current)

    @app_commands.command(name="reindex", description="Re-read the configured sources and update the index")
    @app_commands.describe(full="Rebuild from scratch instead of updating")
    @requires(Level.MAINTAINER)
    async def reindex(interaction: discord.Interaction, full: bool = False) -> None:
        await interaction.client.handle_reindex(interaction, full)

    @app_commands.command(name="sources", description="What is indexed: sources, article counts, newest article")
    async def sources(interaction: discord.Interaction) -> None:
        await interaction.client.handle_sources(interaction)

    @app_commands.command(name="stats", description="Index and bot statistics (maintainers)")
    @requires(Level.MAINTAINER)
    async def stats(interaction: discord.Interaction) -> None:
        await interaction.client.handle_stats(interaction)

    return [ask, digest, reindex, sources, stats]


# --------------------------------------------------------------------------- the bot


class DefnewsBot(discord.Client):
    """The defnews Discord client. Settings and the IndexService are injected; ``clock`` drives schedules."""

    def __init__(
        self,
        settings: Settings,
        service: IndexService | None,
        *,
        clock: Callable[[], datetime] | None = None,
        state: BotState | None = None,
        background: bool = True,
        sync_on_start: bool = True,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice: no warning about it
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True  # mentions: content is delivered without the privileged intent
        intents.dm_messages = True
        super().__init__(intents=intents, allowed_mentions=NO_MENTIONS)
        self.settings = settings
        self.service = service
        self.clock = clock or utcnow
        self.state = state
        self._own_state = state is None
        self.background = background
        self.sync_on_start = sync_on_start
        self.sleep = sleep
        self.tree = DefnewsTree(self)
        for cmd in build_commands():
            self.tree.add_command(cmd)
        self.core: Core | None = None
        self.scheduler: DigestScheduler | None = None
        self.progress_interval = 2.0
        self._tasks: list[asyncio.Task] = []
        self._reindex_task: asyncio.Task | None = None
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
        self.add_dynamic_items(AskButton)
        if self.service is not None:
            if self.state is None:
                self.state = await asyncio.to_thread(BotState, self.settings.state_path)
            self.core = Core(self.settings, self.service, self.state, clock=self.clock)
            await asyncio.to_thread(self._warm_up)
        if self.sync_on_start and self.settings.discord_guild_id:
            await self.sync_guild(self.settings.discord_guild_id)
        if self.background and self.core is not None:
            self._start_background()

    def _warm_up(self) -> None:
        assert self.core is not None
        self.service.searcher  # noqa: B018 - load the index once, before the first question
        self.service.embedder.warm_up()
        self.core.sections()

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
        s = self.settings
        schedule = parse_schedule(s.digest_schedule, s.digest_timezone)
        if schedule is not None and s.digest_channel_id:
            channel_id = s.digest_channel_id

            async def load_last():
                return await asyncio.to_thread(self.state.digest_last, channel_id)

            async def save_last(when: datetime):
                await asyncio.to_thread(self.state.set_digest_last, channel_id, when)

            async def post(since: datetime, until: datetime):
                await self.post_digest(channel_id, since, until)

            self.scheduler = DigestScheduler(schedule, load_last=load_last, save_last=save_last, post=post,
                                             clock=self.clock)
            self._spawn(self.scheduler.run(self.sleep), "digest-scheduler")
        if s.refresh_interval_minutes > 0:
            self._spawn(self._refresh_loop(), "background-refresh")

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
        if self._reindex_task:
            self._reindex_task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await super().close()
        if self._own_state and self.state is not None:
            await asyncio.to_thread(self.state.close)
            self.state = None

    async def on_ready(self) -> None:
        self.ready_count += 1
        log.info("connected to Discord as %s (id %s) in %d guild(s)", self.user, self.user.id if self.user else "?",
                 len(self.guilds))

    async def on_resumed(self) -> None:
        log.info("gateway session resumed")

    # ------------------------------------------------------------------ who is asking

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

    # ------------------------------------------------------------------ error boundary

    async def report_interaction_error(self, interaction: discord.Interaction, error: BaseException) -> None:
        text, unexpected = user_message(error)
        if unexpected:
            cmd = interaction.command.qualified_name if interaction.command else (interaction.data or {}).get(
                "custom_id", interaction.type.name)
            log.error("unexpected error in %s (user %s, guild %s, channel %s)", cmd, interaction.user.id,
                      interaction.guild_id, interaction.channel_id, exc_info=_unwrap(error))
        await self._tell(interaction, text)

    async def _tell(self, interaction: discord.Interaction, text: str) -> None:
        try:
            if interaction.extras.get("thinking"):
                interaction.extras["thinking"] = False
                await interaction.edit_original_response(content=text, embeds=[], view=None,
                                                         allowed_mentions=NO_MENTIONS)
            elif interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not tell user %s about an error: %s", interaction.user.id, exc)

    async def _defer(self, interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        interaction.extras["thinking"] = True

    async def _send_followup(self, interaction: discord.Interaction, msg: OutMessage, **extra) -> None:
        _check(msg)
        kwargs = msg.kwargs()
        if extra.get("view") is None:
            extra.pop("view", None)
        await interaction.followup.send(**kwargs, **extra)
        interaction.extras["thinking"] = False

    # ------------------------------------------------------------------ /ask and mentions

    async def handle_ask(self, interaction, question, since, until, section, k) -> None:
        core = self._core()
        params = core.parse_ask(question, since=since, until=until, section=section, k=k)
        if params.section:  # refuse an unknown section privately, before the public "thinking…"
            await asyncio.to_thread(core.check_section, params.section)
        with core.gate:
            core.admit(interaction.user.id)
            await self._defer(interaction)
            reply = await asyncio.to_thread(core.answer, params, 0)
            qid = await asyncio.to_thread(core.log_query, params, user_id=interaction.user.id, origin="slash")
        await self._send_followup(interaction, answer_message(reply), view=ask_view(qid, reply))

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or self.user.id not in message.raw_mentions:
            return
        if self.core is None:
            return
        question = strip_mention(message.content, self.user.id)

        async def reply(msg: OutMessage, view=None) -> None:
            _check(msg)
            kwargs = msg.kwargs()
            if view is not None:
                kwargs["view"] = view
            await message.reply(**kwargs, mention_author=False)

        try:
            if not question:
                await reply(text_message(mention_usage()))
                return
            core = self.core
            params = core.parse_ask(question)
            with core.gate:
                core.admit(message.author.id)
                answer = await asyncio.to_thread(core.answer, params, 0)
                qid = await asyncio.to_thread(core.log_query, params, user_id=message.author.id, origin="mention")
            await reply(answer_message(answer), ask_view(qid, answer))
        except Exception as exc:
            text, unexpected = user_message(exc)
            if unexpected:
                log.error("unexpected error answering a mention (user %s, guild %s, channel %s)",
                          message.author.id, message.guild.id if message.guild else None, message.channel.id,
                          exc_info=exc)
            try:
                await reply(text_message(text))
            except discord.HTTPException as send_exc:
                log.warning("could not reply to a mention in channel %s: %s", message.channel.id, send_exc)

    async def on_ask_button(self, interaction: discord.Interaction, action: str, qid: int, offset: int) -> None:
        core = self._core()
        if action in ("up", "down"):
            vote = 1 if action == "up" else -1
            ok = await asyncio.to_thread(self.state.record_feedback, qid, interaction.user.id, vote, offset)
            text = ("Thanks — your feedback is recorded for the maintainers." if ok
                    else "That answer is no longer known to me; the feedback was not recorded.")
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        params = await asyncio.to_thread(core.stored_params, qid)
        with core.gate:
            if action == "src":
                await interaction.response.defer(ephemeral=True, thinking=True)
                reply = await asyncio.to_thread(core.answer, params, offset)
                await self._send_followup(interaction, sources_only_message(reply), ephemeral=True)
                return
            await interaction.response.defer()  # the message itself is edited
            reply = await asyncio.to_thread(core.answer, params, offset)
            await asyncio.to_thread(self.state.count_served, 1)
        msg = answer_message(reply)
        _check(msg)
        await interaction.edit_original_response(embeds=msg.embeds, view=ask_view(qid, reply),
                                                 allowed_mentions=NO_MENTIONS)

    async def section_choices(self, current: str) -> list[app_commands.Choice[str]]:
        if self.core is None:
            return []
        sections = await asyncio.to_thread(self.core.sections)
        cur = (current or "").lower()
        return [app_commands.Choice(name=s[:100], value=s[:100]) for s in sections if cur in s.lower()][:25]

    # ------------------------------------------------------------------ /digest and scheduled digests

    async def handle_digest(self, interaction, since, section, channel) -> None:
        core = self._core()
        since_dt, until_dt = core.digest_period(since)
        target = channel or interaction.channel
        if target is None or not hasattr(target, "send"):
            raise InvalidInputError("Choose a text channel to post the digest to.")
        self._check_post_permissions(interaction, target)
        await self._defer(interaction, ephemeral=True)
        digest = await asyncio.to_thread(core.digest, since_dt, until_dt, section)
        if digest.empty:
            await self._send_followup(interaction, text_message(digest.heading()), ephemeral=True)
            return
        await self._post_messages(target, digest_messages(digest))
        where = getattr(target, "mention", "the channel")
        await self._send_followup(
            interaction, text_message(f"Posted the digest of {digest.total} article(s) to {where}."), ephemeral=True
        )

    @staticmethod
    def _check_post_permissions(interaction: discord.Interaction, target) -> None:
        """Refuse early when the bot cannot post in ``target`` or the moderator may not."""
        if interaction.guild is None or not hasattr(target, "permissions_for"):
            return
        where = getattr(target, "mention", "that channel")
        try:
            me = interaction.guild.me
            mine = target.permissions_for(me) if me is not None else None
            theirs = target.permissions_for(interaction.user) if isinstance(interaction.user, discord.Member) else None
        except Exception as exc:  # incomplete cache: Discord itself will have the last word
            log.debug("cannot compute permissions in %s: %s", where, exc)
            return
        if mine is not None and not (mine.send_messages and mine.embed_links):
            raise Refusal(f"I can't post messages with embeds in {where}.")
        if theirs is not None and not theirs.send_messages:
            raise PermissionRefused(f"You can't post in {where}.")

    async def _post_messages(self, channel, messages: list[OutMessage]) -> None:
        for msg in messages:
            _check(msg)
            try:
                await channel.send(**msg.kwargs())
            except discord.Forbidden as exc:
                where = getattr(channel, "mention", f"channel {getattr(channel, 'id', '?')}")
                raise Refusal(f"I am not allowed to post in {where}.") from exc

    async def post_digest(self, channel_id: int, since: datetime, until: datetime) -> None:
        """The scheduled digest (also says so when nothing was published)."""
        core = self._core()
        channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)
        digest = await asyncio.to_thread(core.digest, since, until, None)
        await self._post_messages(channel, digest_messages(digest))
        log.info("posted the scheduled digest (%d articles) to channel %s", digest.total, channel_id)

    # ------------------------------------------------------------------ /reindex and the background refresh

    def reindex_busy(self) -> bool:
        return bool(self._reindex_task and not self._reindex_task.done()) or bool(
            self.service and self.service.reindex_running
        )

    async def handle_reindex(self, interaction: discord.Interaction, full: bool) -> None:
        self._core()
        if self.reindex_busy():
            raise ReindexBusyError("a reindex is already running")
        progress = ReindexProgress()
        self._reindex_task = asyncio.create_task(self._run_reindex(interaction, full, progress),
                                                 name="defnews-reindex")
        await interaction.response.send_message(
            "Reindex started" + (" (full rebuild)" if full else "") + "…", allowed_mentions=NO_MENTIONS
        )

    async def _run_reindex(self, interaction: discord.Interaction, full: bool, progress: ReindexProgress) -> None:
        core = self._core()
        work = asyncio.ensure_future(asyncio.to_thread(core.reindex, full, progress))
        editable = True
        last_text = ""
        try:
            while not work.done():
                await asyncio.wait({work}, timeout=self.progress_interval)
                if work.done() or not editable:
                    continue
                text = progress.text()
                if text != last_text and interaction.response.is_done():
                    last_text = text
                    editable = await self._edit_progress(interaction, text)
            try:
                summary = work.result()
            except ReindexBusyError:
                summary = "A reindex is already running; this one was not started."
            except DefnewsError as exc:
                summary = f"Reindex failed: {exc}"
            except Exception:
                log.exception("reindex requested by user %s failed", interaction.user.id)
                summary = "Reindex failed unexpectedly; the previous index is still being served. See the log."
            log.info("reindex by user %s: %s", interaction.user.id, summary.splitlines()[0])
            if not await self._edit_progress(interaction, summary) and interaction.channel is not None:
                try:
                    await interaction.channel.send(summary[:2000], allowed_mentions=NO_MENTIONS)
                except discord.HTTPException as exc:
                    log.warning("could not report the reindex result: %s", exc)
        except asyncio.CancelledError:
            work.cancel()
            raise

    async def _edit_progress(self, interaction: discord.Interaction, text: str) -> bool:
        try:
            await interaction.edit_original_response(content=text[:2000], allowed_mentions=NO_MENTIONS)
            return True
        except discord.HTTPException as exc:  # e.g. the interaction token expired after 15 minutes
            log.debug("cannot edit the reindex message: %s", exc)
            return False

    async def _refresh_loop(self) -> None:
        minutes = self.settings.refresh_interval_minutes
        core = self._core()
        while True:
            last = await asyncio.to_thread(self.state.get_time, REFRESH_KEY)
            now = self.clock()
            if refresh_due(last, now, minutes):
                started = time.monotonic()
                try:
                    summary = await asyncio.to_thread(core.reindex, False, None)
                    log.info("background refresh: %s", summary.replace("\n", "; "))
                except ReindexBusyError:
                    log.info("background refresh skipped: a reindex is running")
                except Exception:
                    log.exception("background refresh failed after %.1f s; still serving the previous index",
                                  time.monotonic() - started)
                await asyncio.to_thread(self.state.set_time, REFRESH_KEY, self.clock())
                continue
            wait = (last - now).total_seconds() + minutes * 60
            await self.sleep(max(1.0, min(wait, 300.0)))

    # ------------------------------------------------------------------ /sources and /stats

    async def handle_sources(self, interaction: discord.Interaction) -> None:
        core = self._core()
        await self._defer(interaction)
        reply = await asyncio.to_thread(core.sources_reply)
        await self._send_followup(interaction, sources_message(reply))

    async def handle_stats(self, interaction: discord.Interaction) -> None:
        core = self._core()
        await self._defer(interaction, ephemeral=True)
        reply = await asyncio.to_thread(core.stats_reply)
        await self._send_followup(interaction, stats_message(reply), ephemeral=True)

    def _core(self) -> Core:
        if self.core is None:
            raise DefnewsError("The bot is still starting; try again in a moment.")
        return self.core


def _check(msg: OutMessage) -> None:
    bad = limit_violations(msg)
    if bad:  # a bug in the renderer: refuse to send rather than have Discord reject it half-way
        raise RuntimeError(f"message exceeds Discord limits: {', '.join(bad)}")


# --------------------------------------------------------------------------- entry points


async def _login(bot: DefnewsBot, settings: Settings) -> None:
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


def _connect_error(exc: BaseException, settings: Settings) -> DefnewsError:
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
    state: BotState | None = None,
    background: bool = True,
    ready_timeout: float = 120.0,
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> DefnewsBot:
    """Log in, connect and wait until READY. The bot keeps running in ``bot.runner``; ``await bot.close()``.

    Builds the index first if there is none. Raises a one-line DefnewsError (ConfigError) if the token is
    missing or rejected, or Discord cannot be reached.
    """
    require_token(settings)
    configure_endpoints(settings)
    if not service.has_index():
        await asyncio.to_thread(service.ensure_index)
    bot = DefnewsBot(settings, service, clock=clock, state=state, background=background, sleep=sleep)
    await _login(bot, settings)
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
        raise _connect_error(exc, settings) from exc
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
                raise _connect_error(exc, settings) from exc
        finally:
            await bot.close()
    finally:
        stopping.cancel()


async def sync_commands(settings: Settings, *, guild_id: int | None = None) -> int:
    """``defnews sync``: register the commands globally (or in one guild) and return how many."""
    configure_endpoints(settings)
    bot = DefnewsBot(settings, None, background=False, sync_on_start=False)
    await _login(bot, settings)
    try:
        if guild_id:
            return await bot.sync_guild(guild_id)
        synced = await bot.tree.sync()
        log.info("synced %d global commands", len(synced))
        return len(synced)
    finally:
        await bot.close()

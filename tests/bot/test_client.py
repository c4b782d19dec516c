"""The Discord adapter driven with stand-in interactions and messages (no gateway; e2e tests do that)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from types import SimpleNamespace

import discord
import pytest
from aiohttp import web

from bot import client as client_mod
from bot.client import (
    DefnewsBot,
    RefusedCheck,
    configure_endpoints,
    require_token,
    start_bot,
    sync_commands,
    user_message,
)
from bot.commands import APOLOGY, CooldownRefused, Core, PermissionRefused
from bot.discord_render import OutMessage, limit_violations
from bot.settings import SAMPLE_DIR
from bot.state import BotState
from index.embedding.fake import HashEmbedder
from index.errors import ConfigError, InvalidQueryError
from index.service import IndexService, ReindexBusyError
from index.sources.config import default_sources

from .conftest import make_settings

TOKEN = "MTIz.fake-token-value.abcdef"


class Response:
    def __init__(self) -> None:
        self.calls: list = []

    def is_done(self) -> bool:
        return bool(self.calls)

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> None:
        self.calls.append(("defer", ephemeral, thinking))

    async def send_message(self, content=None, **kw) -> None:
        self.calls.append(("send", content, kw))


class Followup:
    def __init__(self) -> None:
        self.sent: list = []

    async def send(self, content=None, **kw) -> None:
        self.sent.append((content, {"content": content, **kw}))


class Channel:
    id = 555
    mention = "<#555>"

    def __init__(self) -> None:
        self.sent: list = []

    async def send(self, content=None, **kw) -> None:
        self.sent.append((content, {"content": content, **kw}))


class Interaction:
    def __init__(self, bot, user_id: int = 5, roles=(), manage: bool = False) -> None:
        self.client = bot
        self.user = SimpleNamespace(id=user_id, roles=[SimpleNamespace(id=r) for r in roles])
        self.permissions = discord.Permissions(manage_messages=manage)
        self.response = Response()
        self.followup = Followup()
        self.extras: dict = {}
        self.command = SimpleNamespace(qualified_name="ask", name="ask")
        self.guild_id, self.guild, self.channel_id = 1, None, 555
        self.channel = Channel()
        self.type = discord.InteractionType.application_command
        self.data: dict = {}
        self.edits: list = []

    async def edit_original_response(self, **kw) -> None:
        self.edits.append(kw)


@pytest.fixture
async def bot(tmp_path, service, state, clock):
    settings = make_settings(tmp_path, maintainer_user_ids=[1], moderator_role_ids=[10])
    b = DefnewsBot(settings, service, clock=clock, state=state, background=False)
    b.core = Core(settings, service, state, clock=clock)
    b._owner_ids = frozenset({999})
    yield b


def _check_sent(kw: dict) -> None:
    assert kw["allowed_mentions"].everyone is False and kw["allowed_mentions"].roles is False
    assert limit_violations(OutMessage(kw.get("content") or "", kw.get("embeds") or [])) == []


async def test_ask_defers_then_answers_with_embed_and_buttons(bot, state):
    inter = Interaction(bot)
    await bot.handle_ask(inter, "Who visited MOD on July 4?", None, None, None, None)
    assert inter.response.calls == [("defer", False, True)]
    (_content, kw), = inter.followup.sent
    _check_sent(kw)
    embed = kw["embeds"][0]
    assert "un-operational-support-usg-khare-visit" in embed.description
    assert embed.footer.text.endswith("showing 1–3")
    ids = [item.custom_id for item in kw["view"].children]
    assert ids == ["defnews:ask:more:1:3", "defnews:ask:src:1:0", "defnews:ask:up:1:0", "defnews:ask:down:1:0"]
    assert state.counter("queries_served") == 1
    assert inter.extras["thinking"] is False


async def test_refusals_come_before_deferring_and_are_ephemeral(bot):
    inter = Interaction(bot)
    with pytest.raises(InvalidQueryError):
        await bot.handle_ask(inter, "x" * 301, None, None, None, None)
    assert inter.response.calls == []
    await bot.report_interaction_error(inter, app_error(InvalidQueryError("the question is too long")))
    assert inter.response.calls == [("send", "The question is too long", {"ephemeral": True,
                                     "allowed_mentions": client_mod.NO_MENTIONS})]
    # per-user cooldown (rate 2 in the test settings)
    for _ in range(2):
        await bot.handle_ask(Interaction(bot, user_id=77), "護衛艦", None, None, None, None)
    late = Interaction(bot, user_id=77)
    with pytest.raises(CooldownRefused):
        await bot.handle_ask(late, "護衛艦", None, None, None, None)
    assert late.response.calls == []
    # unknown section: refused privately too
    with pytest.raises(Exception, match="no section"):
        await bot.handle_ask(Interaction(bot, user_id=78), "護衛艦", None, None, "nope", None)


def app_error(exc: Exception) -> discord.app_commands.CommandInvokeError:
    cmd = SimpleNamespace(name="ask", qualified_name="ask")
    return discord.app_commands.CommandInvokeError(cmd, exc)


async def test_unexpected_errors_are_logged_with_context_and_apologised_for(bot, caplog):
    inter = Interaction(bot, user_id=31)
    await bot._defer(inter)
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        await bot.report_interaction_error(inter, app_error(ZeroDivisionError("boom")))
    (edit,) = inter.edits  # the public "thinking…" message becomes the apology
    assert edit["content"] == APOLOGY and edit["embeds"] == [] and edit["view"] is None
    rec = caplog.records[-1]
    assert "user 31" in rec.getMessage() and "ask" in rec.getMessage() and rec.exc_info[0] is ZeroDivisionError


async def test_permission_check_runs_at_run_time(bot):
    check = bot.tree.get_command("reindex").checks[0]
    with pytest.raises(RefusedCheck) as err:
        await check(Interaction(bot, user_id=5, manage=True))
    assert user_message(err.value) == ("Only maintainers can use this command.", False)
    assert await check(Interaction(bot, user_id=1))
    assert await check(Interaction(bot, user_id=999))  # the application owner
    digest_check = bot.tree.get_command("digest").checks[0]
    assert await digest_check(Interaction(bot, user_id=5, manage=True))
    assert await digest_check(Interaction(bot, user_id=5, roles=[10]))
    with pytest.raises(RefusedCheck):
        await digest_check(Interaction(bot, user_id=5))
    assert bot.tree.get_command("digest").default_permissions.manage_messages
    assert bot.tree.get_command("stats").default_permissions.manage_guild
    assert bot.tree.get_command("ask").checks == [] and bot.tree.get_command("sources").checks == []


async def test_buttons_page_show_sources_and_record_feedback(bot, state):
    first = Interaction(bot)
    await bot.handle_ask(first, "Who visited MOD on July 4?", None, None, None, 2)
    more = Interaction(bot, user_id=6)
    await bot.on_ask_button(more, "more", 1, 2)
    assert more.response.calls == [("defer", False, False)]
    (edit,) = more.edits
    assert edit["embeds"][0].footer.text.endswith("showing 3–4")
    assert next(i.custom_id for i in edit["view"].children) == "defnews:ask:more:1:4"
    src = Interaction(bot)
    await bot.on_ask_button(src, "src", 1, 0)
    (_content, kw), = src.followup.sent
    assert kw["ephemeral"] is True and kw["embeds"][0].title == "Sources"
    assert kw["embeds"][0].description.count("](https://") == 2
    vote = Interaction(bot, user_id=8)
    await bot.on_ask_button(vote, "down", 1, 0)
    assert "recorded" in vote.response.calls[0][1]
    assert state.feedback_counts() == {"up": 0, "down": 1}
    gone = Interaction(bot)
    with pytest.raises(Exception, match="ask it again"):
        await bot.on_ask_button(gone, "more", 99, 3)


async def test_mentions_are_answered_and_ping_nobody(bot):
    bot._connection.user = SimpleNamespace(id=777)
    replies: list = []

    class Message:
        author = SimpleNamespace(bot=False, id=5)
        raw_mentions = (777,)
        guild = None
        channel = SimpleNamespace(id=555)

        def __init__(self, content):
            self.content = content

        async def reply(self, content=None, **kw):
            replies.append((content, {"content": content, **kw}))

    await bot.on_message(Message("<@777> @everyone who visited MOD on July 4?"))
    (_content, kw), = replies
    _check_sent(kw)
    assert kw["mention_author"] is False and "view" in kw
    assert kw["embeds"][0].title == "Q: @everyone who visited MOD on July 4?"
    replies.clear()
    await bot.on_message(Message("<@777>"))
    assert "Ask me a question" in replies[0][1]["content"]
    replies.clear()
    await bot.on_message(Message("<@777> " + "x" * 400))
    assert "longer than 300" in replies[0][1]["content"]
    replies.clear()
    m = Message("no mention")
    m.raw_mentions = []
    await bot.on_message(m)
    assert replies == []


async def test_digest_posts_to_the_channel_within_limits(bot):
    inter = Interaction(bot, manage=True)
    await bot.handle_digest(inter, "2025-07-01", None, None)
    assert inter.response.calls == [("defer", True, True)]
    assert sum(len(kw.get("embeds") or []) for _, kw in inter.channel.sent) >= 3  # a few sections
    for _content, kw in inter.channel.sent:
        _check_sent(kw)
    assert inter.channel.sent[0][1]["content"].startswith("Defence news digest")
    assert "Posted the digest" in inter.followup.sent[0][1]["content"]
    empty = Interaction(bot, manage=True)
    await bot.handle_digest(empty, "12h", None, None)
    assert empty.channel.sent == [] and "No new articles" in empty.followup.sent[0][1]["content"]


async def test_scheduled_digest_posts_even_when_nothing_is_new(bot, clock):
    channel = Channel()
    bot.get_channel = lambda cid: channel if cid == 555 else None
    now = clock()
    await bot.post_digest(555, now - timedelta(hours=1), now)
    assert channel.sent[0][1]["content"].startswith("No new articles")


async def test_reindex_runs_in_the_background_with_progress(tmp_path, clock):
    settings = make_settings(tmp_path, maintainer_user_ids=[1])
    service = IndexService(tmp_path / "idx", HashEmbedder(256), default_sources(SAMPLE_DIR))
    state = BotState(tmp_path / "st.sqlite")
    bot = DefnewsBot(settings, service, clock=clock, state=state, background=False)
    bot.core = Core(settings, service, state, clock=clock)
    bot.progress_interval = 0.01
    inter = Interaction(bot, user_id=1)
    await bot.handle_reindex(inter, False)
    assert inter.response.calls[0][1].startswith("Reindex started")
    with pytest.raises(ReindexBusyError):
        await bot.handle_reindex(Interaction(bot, user_id=1), False)
    await asyncio.wait_for(bot._reindex_task, 60)
    final = inter.edits[-1]["content"]
    assert final.startswith("Reindex finished in ") and "added 28 / updated 0 / unchanged 0" in final
    assert "rejected" in final and service.has_index()
    state.close()


def test_endpoints_come_from_settings(tmp_path):
    before_base, before_gw = discord.http.Route.BASE, client_mod.DiscordWebSocket.DEFAULT_GATEWAY
    try:
        configure_endpoints(make_settings(tmp_path, discord_api_base="http://127.0.0.1:8123/api/v10/",
                                          discord_gateway_url="ws://127.0.0.1:8124/gw"))
        assert discord.http.Route.BASE == "http://127.0.0.1:8123/api/v10"
        assert str(client_mod.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:8124/gw"
        route = discord.http.Route("GET", "/users/@me")
        assert route.url == "http://127.0.0.1:8123/api/v10/users/@me"
    finally:
        discord.http.Route.BASE, client_mod.DiscordWebSocket.DEFAULT_GATEWAY = before_base, before_gw


def test_missing_token_is_one_clear_line(tmp_path):
    with pytest.raises(ConfigError, match="DEFNEWS_DISCORD_TOKEN is not set"):
        require_token(make_settings(tmp_path))
    assert require_token(make_settings(tmp_path, discord_token=TOKEN)) == TOKEN
    assert TOKEN not in repr(make_settings(tmp_path, discord_token=TOKEN))


@pytest.fixture
async def rejecting_api():
    """A local REST endpoint that rejects every token, like Discord does for a bad one."""
    async def unauthorized(request):
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", unauthorized)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    before = discord.http.Route.BASE
    yield f"http://127.0.0.1:{port}/api/v10"
    discord.http.Route.BASE = before
    await runner.cleanup()


async def test_rejected_token_is_one_clear_line_without_the_token(tmp_path, sample_index, rejecting_api, caplog):
    settings = make_settings(tmp_path, discord_token=TOKEN, discord_api_base=rejecting_api)
    service = IndexService(sample_index, HashEmbedder(256), default_sources(SAMPLE_DIR))
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError) as err:
        await start_bot(settings, service)
    assert "rejected the bot token" in str(err.value) and "\n" not in str(err.value)
    assert TOKEN not in str(err.value) and TOKEN not in caplog.text
    with pytest.raises(ConfigError, match="rejected the bot token"):
        await sync_commands(settings)


async def test_unreachable_api_is_one_clear_line(tmp_path, sample_index):
    settings = make_settings(tmp_path, discord_token=TOKEN, discord_api_base="http://127.0.0.1:9/api/v10")
    service = IndexService(sample_index, HashEmbedder(256), default_sources(SAMPLE_DIR))
    before = discord.http.Route.BASE
    try:
        with pytest.raises(ConfigError, match="cannot reach the Discord API"):
            await start_bot(settings, service)
    finally:
        discord.http.Route.BASE = before


def test_user_messages_for_library_errors():
    assert user_message(app_error(PermissionRefused("Only maintainers can use this command."))) == (
        "Only maintainers can use this command.", False)
    assert user_message(discord.app_commands.NoPrivateMessage())[0] == "This command works only in a server."
    text, unexpected = user_message(app_error(RuntimeError(TOKEN)))
    assert unexpected and TOKEN not in text


async def test_background_refresh_reindexes_and_remembers_when(tmp_path, clock):
    settings = make_settings(tmp_path, refresh_interval_minutes=30)
    service = IndexService(tmp_path / "idx", HashEmbedder(256), default_sources(SAMPLE_DIR))
    state = BotState(tmp_path / "st.sqlite")
    naps: list[float] = []

    async def sleep(seconds):
        naps.append(seconds)
        raise asyncio.CancelledError

    bot = DefnewsBot(settings, service, clock=clock, state=state, background=False, sleep=sleep)
    bot.core = Core(settings, service, state, clock=clock)
    with pytest.raises(asyncio.CancelledError):
        await bot._refresh_loop()
    assert service.has_index() and state.get_time(client_mod.REFRESH_KEY) == clock()
    assert naps == [300.0]  # next refresh in 30 minutes, looked at in 5-minute naps
    assert "Reindex finished in " in bot.core.last_refresh
    state.close()


async def test_setup_is_done_once(bot, monkeypatch):
    calls = []
    monkeypatch.setattr(bot, "add_dynamic_items", lambda *items: calls.append(items))
    bot.core = None
    await bot.setup_hook()
    await bot.setup_hook()  # e.g. a second login on the same client: nothing is repeated
    assert len(calls) == 1 and bot.core is not None

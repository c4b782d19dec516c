"""The fake Discord server against an unmodified discord.py client (a tiny bot defined here)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass, field

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.e2e.conftest import FAKE_TOKEN
from tests.fakediscord import FakeDiscord, running_client

pytestmark = [pytest.mark.e2e]

WEBHOOK_POST = r"/webhooks/\d+/[^/]+"


@dataclass
class BotLog:
    """What the test bot observed."""

    errors: list[BaseException] = field(default_factory=list)
    clicks: list[str] = field(default_factory=list)
    options: list[dict] = field(default_factory=list)


class MoreView(discord.ui.View):
    def __init__(self, log: BotLog) -> None:
        super().__init__(timeout=None)
        self.log = log

    @discord.ui.button(label="More", custom_id="ask:more", style=discord.ButtonStyle.primary)
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self.log.clicks.append(button.custom_id or "")
        await interaction.response.send_message("Two more articles.", ephemeral=True)


class QuickBot(commands.Bot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every non-initial IDENTIFY; skip that in tests."""


def make_bot(*, slow_delay: float = 0.0) -> tuple[commands.Bot, BotLog]:
    """A minimal bot: /ask defers then follows up with an embed + button; mentions get a reply."""
    log = BotLog()
    bot = QuickBot(
        command_prefix="!",
        intents=discord.Intents.default(),
        guild_ready_timeout=0.05,
        help_command=None,
    )

    @bot.tree.command(name="ask", description="Ask about defence news")
    @app_commands.describe(query="What to look for")
    @app_commands.default_permissions(send_messages=True)
    async def ask(
        interaction: discord.Interaction,
        query: str,
        limit: int = 3,
        recent: bool = False,
        channel: discord.TextChannel | None = None,
    ) -> None:
        log.options.append({"query": query, "limit": limit, "recent": recent, "channel": channel})
        await interaction.response.defer(thinking=True)
        embed = discord.Embed(title=f"Results for {query}", description="Japan to deploy stand-off missiles.")
        embed.add_field(name="Source", value="Ministry of Defense press release", inline=False)
        embed.set_footer(text=f"{limit} results")
        await interaction.followup.send(embed=embed, view=MoreView(log))

    @bot.tree.command(name="digest", description="Private digest with an attachment")
    async def digest(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.edit_original_response(content="Today's digest is attached.")
        data = io.BytesIO("防衛装備庁: 契約情報".encode())
        await interaction.followup.send("digest.txt", file=discord.File(data, "digest.txt"), ephemeral=True)

    @bot.tree.command(name="slow", description="Answers too late")
    async def slow(interaction: discord.Interaction) -> None:
        await asyncio.sleep(slow_delay)
        await interaction.response.defer()

    @bot.tree.error
    async def on_app_command_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.errors.append(getattr(error, "original", error))

    @bot.listen("on_message")
    async def on_mention(message: discord.Message) -> None:
        if message.author.bot or bot.user not in message.mentions:
            return
        await message.reply(f"Hello {message.author.name}!", mention_author=False)

    return bot, log


async def sync_to_guild(bot: commands.Bot, server: FakeDiscord) -> list[app_commands.AppCommand]:
    guild = discord.Object(server.guild_id)
    bot.tree.copy_global_to(guild=guild)
    return await bot.tree.sync(guild=guild)


@pytest.mark.asyncio
async def test_login_ready_and_heartbeats(make_fake_discord) -> None:
    server = await make_fake_discord(heartbeat_interval=100)
    bot, _ = make_bot()
    async with running_client(bot, server.token):
        assert bot.user is not None and bot.user.id == server.bot_id
        assert bot.application_id == server.application_id
        guild = bot.get_guild(server.guild_id)
        assert guild is not None and guild.get_channel(server.channel_id("general")) is not None
        assert guild.me is not None and guild.me.guild_permissions.send_messages
        assert server.identify_count == 1
        identify = server.frames_received(2)[0].d
        assert identify["token"] == FAKE_TOKEN and identify["intents"] == discord.Intents.default().value
        # discord.py asked for zlib-stream transport compression and got it.
        assert server.connections[0].query.get("compress") == "zlib-stream"
        await server.wait_for(lambda: len(server.heartbeats) >= 3, timeout=5, what="3 heartbeats")
        assert [r.path for r in server.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
        assert all(r.authorization == "Bot ***" for r in server.requests)
        assert not server.unhandled_requests


@pytest.mark.asyncio
async def test_wrong_token_is_login_failure(fake_discord: FakeDiscord) -> None:
    bot, _ = make_bot()
    with pytest.raises(discord.LoginFailure):
        async with running_client(bot, "not-the-token"):
            pass
    rec = fake_discord.requests[0]
    assert (rec.path, rec.status, rec.authorization) == ("/users/@me", 401, "invalid")
    assert rec.response == {"message": "401: Unauthorized", "code": 0}
    assert "Authorization" not in rec.headers


@pytest.mark.asyncio
async def test_sync_and_slash_command_round_trip(fake_discord: FakeDiscord) -> None:
    server = fake_discord
    bot, log = make_bot()
    async with running_client(bot, server.token):
        synced = await sync_to_guild(bot, server)
        assert {c.name for c in synced} == {"ask", "digest", "slow"}
        put = server.find_requests(
            "PUT", rf"/applications/{server.application_id}/guilds/{server.guild_id}/commands"
        )
        assert len(put) == 1
        ask = server.find_command("ask", server.guild_id)
        assert ask is not None and ask["default_member_permissions"] == str(1 << 11)
        assert [o["name"] for o in ask["options"]] == ["query", "limit", "recent", "channel"]

        handle = await server.push_interaction_command(
            "ask", {"query": "Type 12 missile", "limit": 5, "recent": True, "channel": "news"}
        )
        response = await handle.wait_response()
        assert response["type"] == 5  # deferred channel message, accepted (i.e. within the deadline)
        callback = handle.callback_attempts[0]
        assert callback.query.get("with_response") in ("1", "true")

        followup = await handle.wait_followup()
        embed = followup.embeds[0]
        assert embed["title"] == "Results for Type 12 missile"
        assert embed["fields"][0]["name"] == "Source"
        assert embed["footer"]["text"] == "5 results"
        button = followup.components[0]["components"][0]
        assert (button["custom_id"], button["label"]) == ("ask:more", "More")
        assert followup.request.query.get("wait") in ("1", "true")
        # The first followup after a deferral replaced the "thinking" message.
        assert followup.id == int(handle.original["id"]) and not handle.original["flags"] & 128

        seen = log.options[0]
        assert (seen["query"], seen["limit"], seen["recent"]) == ("Type 12 missile", 5, True)
        assert seen["channel"].id == server.channel_id("news")

        # Discord would hide a command guarded by default_member_permissions from users without them.
        with pytest.raises(PermissionError):
            await server.push_interaction_command("ask", {"query": "x"}, channel_id="readonly")
        with pytest.raises(ValueError):
            await server.push_interaction_command("ask", {"query": 3})
        assert not log.errors


@pytest.mark.asyncio
async def test_button_click_and_mention_reply(fake_discord: FakeDiscord) -> None:
    server = fake_discord
    bot, log = make_bot()
    async with running_client(bot, server.token):
        await sync_to_guild(bot, server)
        handle = await server.push_interaction_command("ask", {"query": "Aegis system equipped vessel"})
        followup = await handle.wait_followup()

        click = await server.push_component_click(followup, "ask:more", user="bob")
        reply = await click.wait_response()
        assert reply["type"] == 4
        assert reply["data"]["content"] == "Two more articles."
        assert reply["data"]["flags"] & 64  # ephemeral
        assert log.clicks == ["ask:more"]

        mark = len(server.sent)
        msg = await server.push_message("what's new on the GCAP programme?", author="alice")
        sent = await server.wait_for_sent(
            lambda s: (s.message.get("message_reference") or {}).get("message_id") == msg["id"], since=mark
        )
        assert sent.via == "channel"
        assert sent.content == "Hello alice!"
        assert sent.allowed_mentions is not None and sent.allowed_mentions["replied_user"] is False
        assert sent.message["mentions"] == []  # the reply didn't ping alice


@pytest.mark.asyncio
async def test_invalid_form_body_on_over_long_content(fake_discord: FakeDiscord) -> None:
    server = fake_discord
    bot, _ = make_bot()
    async with running_client(bot, server.token):
        channel = bot.get_channel(server.channel_id("general"))
        with pytest.raises(discord.HTTPException) as info:
            await channel.send("x" * 2001)
        assert info.value.status == 400 and info.value.code == 50035
        rec = server.find_requests("POST", r"/channels/\d+/messages")[-1]
        assert rec.response["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"

        too_big = [discord.Embed(description="y" * 4000) for _ in range(2)]
        with pytest.raises(discord.HTTPException) as info:
            await channel.send(embeds=too_big)
        assert info.value.code == 50035
        assert (
            server.requests[-1].response["errors"]["embeds"]["_errors"][0]["code"]
            == "MAX_EMBED_SIZE_EXCEEDED"
        )
        assert not server.sent

        ok = await channel.send("x" * 2000)
        assert server.sent[-1].id == ok.id


@pytest.mark.asyncio
async def test_rate_limited_followup_is_retried(fake_discord: FakeDiscord) -> None:
    server = fake_discord
    bot, log = make_bot()
    async with running_client(bot, server.token):
        await sync_to_guild(bot, server)
        fault = server.rate_limit_next(WEBHOOK_POST, method="POST", retry_after=0.2)
        handle = await server.push_interaction_command("ask", {"query": "Mogami-class frigate"})
        followup = await handle.wait_followup()
        assert len(fault.hits) == 1
        posts = server.find_requests("POST", WEBHOOK_POST)
        assert [p.status for p in posts] == [429, 200]
        assert posts[0].json == posts[1].json  # the same followup, retried after retry_after
        assert followup.embeds[0]["title"] == "Results for Mogami-class frigate"
        assert not log.errors


@pytest.mark.asyncio
async def test_close_4000_resumes_and_replays(fake_discord: FakeDiscord) -> None:
    server = fake_discord
    bot, _ = make_bot()
    async with running_client(bot, server.token):
        await sync_to_guild(bot, server)
        await server.gateway_close(4000)
        # Pushed after the close: buffered in the session and replayed after the client's RESUME.
        msg = await server.push_message("still there?")
        await server.wait_for_dispatch("RESUMED")
        assert server.resume_count == 1 and server.identify_count == 1
        resume = server.frames_received(6)[0]
        assert resume.d["session_id"] == server.sessions[0].id and resume.d["seq"] == 2
        new_conn = server.connections[-1]
        assert new_conn.path == "/resume-gateway"  # used READY's resume_gateway_url
        replayed = [f for f in server.frames if f.conn == new_conn.id and f.direction == "send" and f.op == 0]
        assert [f.t for f in replayed[:2]] == ["MESSAGE_CREATE", "RESUMED"]
        assert replayed[0].d["id"] == msg["id"]
        await server.wait_for_sent(
            lambda s: (s.message.get("message_reference") or {}).get("message_id") == msg["id"]
        )

        handle = await server.push_interaction_command("ask", {"query": "after resume"})
        assert (await handle.wait_response())["type"] == 5
        await handle.wait_followup()


@pytest.mark.asyncio
async def test_invalid_session_reidentifies(fake_discord: FakeDiscord) -> None:
    server = fake_discord
    bot, _ = make_bot()
    async with running_client(bot, server.token):
        await sync_to_guild(bot, server)
        first_session = server.sessions[0].id
        await server.gateway_invalidate_session(resumable=False)
        await server.wait_for_dispatch("READY", count=2)
        await server.wait_for_dispatch("GUILD_CREATE", count=2)
        assert server.identify_count == 2 and server.resume_count == 0
        assert server.sessions[-1].id != first_session
        assert server.connections[-1].path == "/gateway"  # DEFAULT_GATEWAY, not the resume URL

        handle = await server.push_interaction_command("ask", {"query": "after re-identify"})
        followup = await handle.wait_followup()
        assert followup.embeds[0]["title"] == "Results for after re-identify"


@pytest.mark.asyncio
async def test_deadline_expiry_is_unknown_interaction(make_fake_discord) -> None:
    server = await make_fake_discord(interaction_deadline=0.2)
    bot, log = make_bot(slow_delay=0.5)
    async with running_client(bot, server.token):
        await sync_to_guild(bot, server)
        handle = await server.push_interaction_command("slow")
        attempt = await handle.wait_callback_attempt()
        assert attempt.status == 404 and attempt.response["code"] == 10062
        assert not handle.acknowledged
        await server.wait_for(lambda: log.errors, timeout=5, what="the bot's error handler")
        assert isinstance(log.errors[0], discord.NotFound) and log.errors[0].code == 10062


@pytest.mark.asyncio
async def test_second_acknowledgement_is_rejected(fake_discord: FakeDiscord) -> None:
    server = fake_discord
    bot, _ = make_bot()
    async with running_client(bot, server.token):
        await sync_to_guild(bot, server)
        handle = await server.push_interaction_command("ask", {"query": "double ack"})
        await handle.wait_followup()
        url = f"{server.api_base}/interactions/{handle.id}/{handle.token}/callback"
        async with aiohttp.ClientSession() as http, http.post(url, json={"type": 5}) as resp:
            assert resp.status == 400
            assert resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["code"] == 40060


@pytest.mark.asyncio
async def test_ephemeral_edit_original_and_file_followup(fake_discord: FakeDiscord) -> None:
    server = fake_discord
    bot, log = make_bot()
    async with running_client(bot, server.token):
        await sync_to_guild(bot, server)
        handle = await server.push_interaction_command("digest")
        assert (await handle.wait_response()) == {"type": 5, "data": {"flags": 64}}
        edit = (await handle.wait_edits())[0]
        assert edit.request.method == "PATCH" and edit.request.path.endswith("/messages/@original")
        assert edit.payload["content"] == "Today's digest is attached."
        reply = await handle.wait_reply()
        assert reply["content"] == "Today's digest is attached." and reply["flags"] & 64

        followup = await handle.wait_followup()
        assert followup.flags & 64 and followup.id != int(reply["id"])  # original already shown: new message
        (part,) = followup.request.files
        assert part["filename"] == "digest.txt" and bytes(part["data"]).decode() == "防衛装備庁: 契約情報"
        assert followup.message["attachments"][0]["filename"] == "digest.txt"
        # Ephemeral messages are never echoed over the gateway.
        assert not [f for f in server.dispatches_sent("MESSAGE_CREATE") if f.d["id"] == str(followup.id)]
        assert not log.errors

"""Stand-ins for discord.py's interactions and channels (no gateway; the e2e tests drive the real thing)."""

from __future__ import annotations

from types import SimpleNamespace

import discord

from bot.features.messages import OutMessage, limit_violations


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


def app_error(exc: Exception) -> discord.app_commands.CommandInvokeError:
    cmd = SimpleNamespace(name="ask", qualified_name="ask")
    return discord.app_commands.CommandInvokeError(cmd, exc)


def check_sent(kw: dict) -> None:
    assert kw["allowed_mentions"].everyone is False and kw["allowed_mentions"].roles is False
    assert limit_violations(OutMessage(kw.get("content") or "", kw.get("embeds") or [])) == []

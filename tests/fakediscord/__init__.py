"""fakediscord: a local Discord-compatible server (REST API v10 + gateway) for end-to-end bot tests.

Start it, point discord.py at it, run the bot, act as users, assert on what the bot really sent::

    async with FakeDiscord(token="t", heartbeat_interval=500) as server:
        with server.patch_discord():  # or use the ``fake_discord`` fixture from tests/e2e/conftest.py
            async with running_client(bot, server.token):
                await bot.tree.sync(guild=discord.Object(server.guild_id))
                handle = await server.push_interaction_command("ask", {"query": "F-35"})
                assert (await handle.wait_response())["type"] == 5  # deferred within the deadline
                followup = await handle.wait_followup()  # SentMessage
                assert followup.embeds[0]["title"]

See README.md beside this file for the full API.

Records: ``server.requests`` (RequestRecord), ``server.frames`` (GatewayFrame), ``server.sent`` / ``server.edits``
(SentMessage), ``server.interactions`` (InteractionHandle), ``server.heartbeats``.
Faults: ``server.rate_limit_next(path_regex)``, ``server.fail_next(path_regex, status=500)``.
Gateway: ``gateway_close(4000)``, ``gateway_reconnect()``, ``gateway_invalidate_session()``.
"""

from .harness import ClientCrashed, running_client
from .records import Fault, GatewayFrame, InteractionHandle, RequestRecord, SentMessage
from .server import ApiError, FakeDiscord
from .world import World

__all__ = [
    "ApiError",
    "ClientCrashed",
    "FakeDiscord",
    "Fault",
    "GatewayFrame",
    "InteractionHandle",
    "RequestRecord",
    "SentMessage",
    "World",
    "running_client",
]

"""The fake Discord server with shards: two unmodified discord.py AutoShardedClients on shards 0 and 1 of
two, two guilds, each client seeing and receiving only its own guild's events."""

from __future__ import annotations

import discord
import pytest

from tests.e2e.conftest import FAKE_TOKEN
from tests.fakediscord import FakeDiscord, running_client

pytestmark = [pytest.mark.e2e]


def sharded(shard_id: int, seen: list) -> discord.AutoShardedClient:
    client = discord.AutoShardedClient(intents=discord.Intents.default(), shard_count=2, shard_ids=[shard_id],
                                       guild_ready_timeout=0.05)

    @client.event
    async def on_interaction(interaction: discord.Interaction) -> None:
        seen.append((shard_id, interaction.guild_id))
        await interaction.response.send_message(f"shard {shard_id}")

    return client


async def test_each_shard_gets_its_guilds(make_fake_discord):
    server: FakeDiscord = await make_fake_discord(shard_count=2)
    first = FakeDiscord.shard_of(server.guild_id, 2)
    other = server.add_guild("Second Watch", on_shard=(1 - first, 2))
    assert FakeDiscord.shard_of(other.guild_id, 2) == 1 - first
    assert other.user("alice") == server.user("alice") and other.channel("news") != server.channel("news")
    seen: list = []
    clients = [sharded(0, seen), sharded(1, seen)]
    async with running_client(clients[0], FAKE_TOKEN), running_client(clients[1], FAKE_TOKEN):
        owner = {server.guild_id: first, other.guild_id: 1 - first}
        for i, client in enumerate(clients):
            assert [g.id for g in client.guilds] == [g for g, s in owner.items() if s == i]
        readies = server.dispatches_sent("READY")
        assert sorted(tuple(f.d["shard"]) for f in readies) == [(0, 2), (1, 2)]
        tree = discord.app_commands.CommandTree(clients[0])

        @tree.command(name="ping", description="ping")
        async def ping(interaction: discord.Interaction) -> None:  # (on_interaction answers)
            pass

        await tree.sync()  # global: in both guilds
        for guild in (server.guild_id, other.guild_id):
            handle = await server.push_interaction_command("ping", guild_id=guild)
            body = await handle.wait_response()
            assert body["data"]["content"] == f"shard {owner[guild]}"
        assert seen == [(first, server.guild_id), (1 - first, other.guild_id)]
    bot_info = await _gateway_bot(server)
    assert bot_info["shards"] == 2


async def test_an_invalid_shard_is_refused(make_fake_discord):
    server: FakeDiscord = await make_fake_discord(shard_count=2)
    client = discord.AutoShardedClient(intents=discord.Intents.default(), shard_count=2, shard_ids=[0])
    client.shard_count = 2
    client.shard_ids = [2]  # (discord.py does not check the range itself)
    with pytest.raises(Exception):  # noqa: B017 (discord.py retries or gives up; the server's code is checked)
        async with running_client(client, FAKE_TOKEN, timeout=3):
            pass
    assert any(c.close_code == 4010 for c in server.connections)


async def _gateway_bot(server: FakeDiscord) -> dict:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(
        f"{server.api_base}/gateway/bot", headers={"Authorization": f"Bot {FAKE_TOKEN}"}
    ) as resp:
        return await resp.json()

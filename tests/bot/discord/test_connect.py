"""Endpoints and token from the settings; every failure to log in or connect is one clear line."""

from __future__ import annotations

import logging

import discord
import pytest
from aiohttp import web

from bot.core.settings import SAMPLE_DIR
from bot.discord import connect
from bot.discord.connect import configure_endpoints, require_token, start_bot, sync_commands
from index.embedding.fake import HashEmbedder
from index.errors import ConfigError
from index.service import IndexService
from index.sources.config import default_sources

from ..conftest import make_settings

TOKEN = "MTIz.fake-token-value.abcdef"


def test_endpoints_come_from_settings(tmp_path):
    before_base, before_gw = discord.http.Route.BASE, connect.DiscordWebSocket.DEFAULT_GATEWAY
    try:
        configure_endpoints(make_settings(tmp_path, discord_api_base="http://127.0.0.1:8123/api/v10/",
                                          discord_gateway_url="ws://127.0.0.1:8124/gw").discord)
        assert discord.http.Route.BASE == "http://127.0.0.1:8123/api/v10"
        assert str(connect.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:8124/gw"
        route = discord.http.Route("GET", "/users/@me")
        assert route.url == "http://127.0.0.1:8123/api/v10/users/@me"
    finally:
        discord.http.Route.BASE, connect.DiscordWebSocket.DEFAULT_GATEWAY = before_base, before_gw


def test_missing_token_is_one_clear_line(tmp_path):
    with pytest.raises(ConfigError, match="DEFNEWS_DISCORD_TOKEN is not set"):
        require_token(make_settings(tmp_path).discord)
    assert require_token(make_settings(tmp_path, discord_token=TOKEN).discord) == TOKEN
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

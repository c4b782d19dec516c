"""/reindex on Discord: it runs in the background and its message shows the progress, then the summary."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.settings import SAMPLE_DIR
from bot.core.state import BotState
from bot.discord.client import DefnewsBot
from bot.features.catalog import build_features
from bot.features.reindex.discord import handle_reindex
from index.embedding.fake import HashEmbedder
from index.service import IndexService, ReindexBusyError
from index.sources.config import default_sources

from ...conftest import make_settings
from ...standins import Interaction


async def test_reindex_runs_in_the_background_with_progress(tmp_path, clock):
    settings = make_settings(tmp_path, maintainer_user_ids=[1])
    service = IndexService(tmp_path / "idx", HashEmbedder(256), default_sources(SAMPLE_DIR))
    state = BotState(tmp_path / "st.sqlite")
    bot = DefnewsBot(settings, service, clock=clock, state=state, background=False)
    bot.features = build_features(settings, service, state, clock=clock)
    bot.progress_interval = 0.01
    inter = Interaction(bot, user_id=1)
    await handle_reindex(inter, False)
    assert inter.response.calls[0][1].startswith("Reindex started")
    with pytest.raises(ReindexBusyError):
        await handle_reindex(Interaction(bot, user_id=1), False)
    await asyncio.wait_for(bot.reindex_task, 60)
    final = inter.edits[-1]["content"]
    assert final.startswith("Reindex finished in ") and "added 28 / updated 0 / unchanged 0" in final
    assert "rejected" in final and service.has_index()
    state.close()

"""Reindexing from the bot: summaries, one run at a time, /reindex with progress, the background refresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.core.settings import SAMPLE_DIR
from bot.core.state import BotState
from bot.discord.client import DefnewsBot
from bot.features.catalog import build_features
from bot.features.reindex import (
    REFRESH_KEY,
    ReindexProgress,
    handle_reindex,
    refresh_due,
    refresh_loop,
    render_report_terminal,
)
from index.embedding.backends import HashEmbedder
from index.service import IndexService, ReindexBusyError
from index.sources.config import default_sources

from ..conftest import NOW, make_settings
from ..standins import Interaction


def test_reindex_reports_counts_and_refuses_a_second_one(tmp_path, settings, clock):
    service = IndexService(tmp_path / "idx", HashEmbedder(256), default_sources(SAMPLE_DIR))
    reindexer = build_features(settings, service, None, clock=clock).reindex
    progress = ReindexProgress()
    text = reindexer.reindex(progress=progress)
    assert text.startswith("Reindex finished in ") and "added " in text and "/ unchanged 0 /" in text
    assert "chunks embedded" in progress.text() and "sources read 2/2" in progress.text()
    again = reindexer.reindex()
    assert "added 0 / updated 0 / unchanged" in again
    assert reindexer.last_refresh.endswith(again.splitlines()[0])
    service._reindex_lock.acquire()
    try:
        assert service.reindex_running
        with pytest.raises(ReindexBusyError):
            reindexer.reindex()
    finally:
        service._reindex_lock.release()


def test_the_terminal_report_names_every_rejection(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://example.jp/a", "title": "t", "body": "本文。"}\n{not json\n', encoding="utf-8")
    service = IndexService(tmp_path / "idx", HashEmbedder(256), default_sources(SAMPLE_DIR))
    lines = render_report_terminal(service.ingest_paths([bad])).splitlines()
    assert lines[0] == "added 0 / updated 0 / unchanged 0 / rejected 2"
    assert lines[1].startswith("index: 0 articles, 0 chunks; 0 chunks embedded in ")
    assert len(lines) == 4 and lines[2] == f"rejected {bad}:1: missing published date"
    assert lines[3].startswith(f"rejected {bad}:2: invalid JSON")


def test_refresh_due():
    assert not refresh_due(None, NOW, 0)
    assert refresh_due(None, NOW, 60)
    assert not refresh_due(NOW - timedelta(minutes=59), NOW, 60)
    assert refresh_due(NOW - timedelta(minutes=60), NOW, 60)


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


async def test_background_refresh_reindexes_and_remembers_when(tmp_path, clock):
    settings = make_settings(tmp_path, refresh_interval_minutes=30)
    service = IndexService(tmp_path / "idx", HashEmbedder(256), default_sources(SAMPLE_DIR))
    state = BotState(tmp_path / "st.sqlite")
    naps: list[float] = []

    async def sleep(seconds):
        naps.append(seconds)
        raise asyncio.CancelledError

    reindexer = build_features(settings, service, state, clock=clock).reindex
    with pytest.raises(asyncio.CancelledError):
        await refresh_loop(reindexer, state, settings.refresh.refresh_interval_minutes, sleep=sleep)
    assert service.has_index() and state.get_time(REFRESH_KEY) == clock()
    assert naps == [300.0]  # next refresh in 30 minutes, looked at in 5-minute naps
    assert "Reindex finished in " in reindexer.last_refresh
    state.close()

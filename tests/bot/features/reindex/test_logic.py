"""Reindexing for the bot: the summary, one run at a time, the background refresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.core.settings import SAMPLE_DIR
from bot.core.state import BotState
from bot.features.catalog import build_features
from bot.features.reindex.logic import REFRESH_KEY, ReindexProgress, refresh_due, refresh_loop
from index.embedding.fake import HashEmbedder
from index.service import IndexService, ReindexBusyError
from index.sources.config import default_sources

from ...conftest import NOW, make_settings


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


def test_refresh_due():
    assert not refresh_due(None, NOW, 0)
    assert refresh_due(None, NOW, 60)
    assert not refresh_due(NOW - timedelta(minutes=59), NOW, 60)
    assert refresh_due(NOW - timedelta(minutes=60), NOW, 60)


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


def test_rate_and_time_left_texts():
    from bot.features.reindex.logic import duration_text, rate_text

    assert [duration_text(s) for s in (0, 44.6, 200, 7500)] == ["0 s", "45 s", "3 min 20 s", "2 h 05 min"]
    assert rate_text(50, 200, 4.0) == "12.5 chunks/s, 12 s left"
    assert rate_text(200, 200, 4.0) == "50.0 chunks/s"  # done: no time left to show
    assert rate_text(0, 200, 4.0) == "" and rate_text(5, 200, 0.0) == ""
    assert rate_text(30_000, 250_000, 10.0) == "3,000.0 chunks/s, 1 min 13 s left"


def test_stage_rate_counts_from_the_stage_start():
    from bot.features.reindex.logic import ReindexProgress, StageClock

    now = [100.0]
    progress = ReindexProgress(clock=StageClock(lambda: now[0]))
    progress("embed", 40, 140)  # 40 came from the cache before the clock of this stage started
    now[0] = 110.0
    progress("embed", 90, 140)
    assert "chunks embedded 90/140 (5.0 chunks/s, 10 s left)" in progress.text()
    progress("chunk", 3, 9)
    assert "articles chunked 3/9 ·" in progress.text()  # no rate for articles

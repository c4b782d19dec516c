"""A StatsReply as the library would give it, with some figures changed."""

from __future__ import annotations

from bot.features.info.logic import SourceLine, StatsReply


def sample_stats(failing=(), activity=None, **kw) -> StatsReply:
    values = {"articles": 3, "chunks": 9, "model": "hash", "dimension": 256, "index_type": "flat",
              "index_dir": "/idx", "index_bytes": 2_000_000, "generation": "gen-1", "last_reindex": "2025-07-25",
              "newest_article": "2025-07-24T10:00:00+09:00", "sources": (SourceLine("mod", 3), *failing),
              "activity": activity, **kw}
    return StatsReply(**values)

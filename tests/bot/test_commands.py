"""The logic of each command, without Discord."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import (
    APOLOGY,
    Actor,
    AskParams,
    BusyRefused,
    Cooldown,
    CooldownRefused,
    Core,
    Level,
    PermissionRefused,
    ReindexProgress,
    SearchGate,
    allowed,
    error_reply,
    refresh_due,
    require,
    strip_mention,
)
from bot.digest import InvalidInputError
from bot.replies import REPHRASE_TIPS
from bot.settings import SAMPLE_DIR
from index.embedding.fake import HashEmbedder
from index.errors import IndexMissingError, InvalidQueryError
from index.service import IndexService, ReindexBusyError
from index.sources.config import default_sources

from .conftest import NOW, make_settings

KHARE = "https://defnews-sample.example.jp/articles/2025/07/un-operational-support-usg-khare-visit"


@pytest.fixture
def core(settings, service, state, clock):
    return Core(settings, service, state, clock=clock)


# --------------------------------------------------------------------------- permissions


def test_permission_levels(tmp_path):
    s = make_settings(tmp_path, moderator_role_ids=[10], maintainer_user_ids=[1], maintainer_role_ids=[20])
    nobody = Actor(5)
    assert allowed(nobody, Level.EVERYONE, s)
    assert not allowed(nobody, Level.MODERATOR, s) and not allowed(nobody, Level.MAINTAINER, s)
    assert allowed(Actor(5, manage_messages=True), Level.MODERATOR, s)
    assert not allowed(Actor(5, manage_messages=True), Level.MAINTAINER, s)  # Manage Messages is not enough
    assert allowed(Actor(5, frozenset({10})), Level.MODERATOR, s)
    assert not allowed(Actor(5, frozenset({10})), Level.MAINTAINER, s)
    for maint in (Actor(1), Actor(5, frozenset({20})), Actor(5, is_owner=True)):
        assert allowed(maint, Level.MAINTAINER, s) and allowed(maint, Level.MODERATOR, s)
    with pytest.raises(PermissionRefused, match="Only maintainers"):
        require(nobody, Level.MAINTAINER, s)
    with pytest.raises(PermissionRefused, match="Only moderators"):
        require(nobody, Level.MODERATOR, s)


# --------------------------------------------------------------------------- rate limits


def test_cooldown_is_per_user_and_sliding():
    t = [0.0]
    cd = Cooldown(rate=2, per=10, clock=lambda: t[0])
    cd.check(1)
    cd.check(1)
    with pytest.raises(CooldownRefused) as err:
        cd.check(1)
    assert err.value.retry_after == pytest.approx(10) and "try again in 10 s" in str(err.value)
    cd.check(2)  # another user is not affected
    t[0] = 9.0
    assert cd.retry_after(1) == pytest.approx(1)
    t[0] = 10.5
    cd.check(1)  # the first use has left the window
    assert Cooldown(1, 0).retry_after(1) == 0 and Cooldown(1, 0).retry_after(1) == 0  # disabled


def test_search_gate_refuses_beyond_its_bound():
    gate = SearchGate(2)
    with gate, gate:
        with pytest.raises(BusyRefused), gate:
            pass
        assert gate.active == 2
    assert gate.active == 0


# --------------------------------------------------------------------------- /ask


def test_parse_ask_options(core, settings):
    p = core.parse_ask("  Who visited MOD on July 4?  ", since="7d", until="2025-07-24", section="国際協力", k=4)
    assert p.question == "Who visited MOD on July 4?"
    assert p.since == NOW - timedelta(days=7) and p.until.date().isoformat() == "2025-07-24"
    assert p.section == "国際協力" and p.k == 4
    assert core.parse_ask("q").k == settings.results_per_page
    assert AskParams.from_json(p.question, p.to_json()) == p


@pytest.mark.parametrize(("kwargs", "error", "needle"), [
    ({"question": "x" * 301}, InvalidQueryError, "longer than 300"),
    ({"question": "   "}, InvalidQueryError, "empty"),
    ({"question": "q", "since": "later"}, InvalidInputError, "not understood"),
    ({"question": "q", "since": "2025-07-20", "until": "2025-07-10"}, InvalidInputError, "after"),
    ({"question": "q", "k": 11}, InvalidInputError, "between 1 and 10"),
])
def test_parse_ask_refusals(core, kwargs, error, needle):
    with pytest.raises(error, match=needle):
        core.parse_ask(**kwargs)


def test_answer_finds_the_visit_and_emphasises_terms(core):
    reply = core.answer(core.parse_ask("Who visited MOD on July 4?", k=3))
    assert reply.items[0].url == KHARE
    assert reply.total >= len(reply.items) == 3
    assert any(item.highlights for item in reply.items)
    page2 = core.answer(core.parse_ask("Who visited MOD on July 4?", k=3), offset=3)
    assert page2.offset == 3 and not {i.url for i in page2.items} & {i.url for i in reply.items}


def test_answer_filters_by_section_and_date(core):
    reply = core.answer(core.parse_ask("防衛大臣", section="人事", k=10))
    assert reply.items and {i.section for i in reply.items} == {"人事"}
    recent = core.answer(core.parse_ask("防衛大臣", since="2025-07-20", k=10))
    assert recent.items and all(i.published >= "2025-07-20" for i in recent.items)
    with pytest.raises(InvalidInputError, match="no section 'nope'"):
        core.answer(core.parse_ask("q", section="nope"))
    nothing = core.answer(core.parse_ask("防衛大臣", since="2025-07-25", k=10))  # after the newest article
    assert not nothing.items and REPHRASE_TIPS in nothing.tips and "filters" in nothing.tips


def test_sections_are_listed_most_common_first(core):
    sections = core.sections()
    assert set(sections) == {"日本の防衛", "世界の防衛", "装備", "人事", "国際協力"}


def test_queries_are_logged_for_paging_and_feedback(core, state):
    params = core.parse_ask("護衛艦の進水", since="30d", k=2)
    qid = core.log_query(params, user_id=9, origin="slash")
    assert core.stored_params(qid) == params
    assert state.counter("queries_served") == 1
    with pytest.raises(InvalidInputError, match="ask it again"):
        core.stored_params(qid + 100)


def test_strip_mention():
    assert strip_mention("<@123> who visited MOD on July 4", 123) == "who visited MOD on July 4"
    assert strip_mention("hey <@!123>   what  about <@123>", 123) == "hey what about"
    assert strip_mention("<@123>", 123) == ""


# --------------------------------------------------------------------------- /digest, /sources, /stats


def test_digest_of_the_last_week(core):
    since, until = core.digest_period("7d")
    assert until == NOW and since == NOW - timedelta(days=7)
    d = core.digest(since, until)
    assert d.total > 0 and not d.empty
    assert all(since <= datetime.fromisoformat(e.published + "T23:59:59+09:00") for _, es in d.groups for e in es)
    assert core.digest(*core.digest_period("12h")).empty
    only = core.digest(*core.digest_period("2025-07-01"), section="人事")
    assert [s for s, _ in only.groups] == ["人事"]
    assert core.digest_period(None)[0] == NOW - timedelta(days=7)


def test_sources_reply(core):
    reply = core.sources_reply()
    assert reply.articles == len(core.service.searcher.articles)
    assert reply.newest == "2025-07-24"
    by_name = {line.name: line for line in reply.sources}
    assert set(by_name) == {"sample corpus", "sample pages"}
    assert by_name["sample corpus"].articles == 26 and all(line.ok for line in reply.sources)
    assert sum(line.articles for line in reply.sources) == reply.articles


def test_stats_reply_counts_queries_and_feedback(core, state):
    qid = state.log_query("q", user_id=1, origin="slash", params={})
    state.record_feedback(qid, 1, 1)
    state.record_feedback(qid, 2, -1)
    state.record_feedback(qid, 3, -1)
    st = core.stats_reply()
    assert st.queries_served == 1 and (st.feedback_up, st.feedback_down) == (1, 2)
    assert st.articles > 20 and st.model.startswith("hash:") and not st.reindex_running


def test_reindex_reports_counts_and_refuses_a_second_one(tmp_path, settings, clock):
    service = IndexService(tmp_path / "idx", HashEmbedder(256), default_sources(SAMPLE_DIR))
    core = Core(settings, service, None, clock=clock)
    progress = ReindexProgress()
    text = core.reindex(progress=progress)
    assert text.startswith("Reindex finished in ") and "added " in text and "/ unchanged 0 /" in text
    assert "chunks embedded" in progress.text() and "sources read 2/2" in progress.text()
    again = core.reindex()
    assert "added 0 / updated 0 / unchanged" in again
    assert core.last_refresh.endswith(again.splitlines()[0])
    service._reindex_lock.acquire()
    try:
        assert service.reindex_running
        with pytest.raises(ReindexBusyError):
            core.reindex()
    finally:
        service._reindex_lock.release()


def test_refresh_due():
    assert not refresh_due(None, NOW, 0)
    assert refresh_due(None, NOW, 60)
    assert not refresh_due(NOW - timedelta(minutes=59), NOW, 60)
    assert refresh_due(NOW - timedelta(minutes=60), NOW, 60)


def test_error_replies():
    assert error_reply(ReindexBusyError("x"))[0].startswith("A reindex is already running")
    assert error_reply(IndexMissingError("there is no index yet")) == ("There is no index yet", False)
    assert error_reply(CooldownRefused(3.2)) == ("You are asking too fast: try again in 3 s.", False)
    text, unexpected = error_reply(KeyError("secret internals"))
    assert unexpected and text == APOLOGY and "secret" not in text


def test_a_missing_index_is_a_clear_error(tmp_path, settings, clock):
    service = IndexService(tmp_path / "empty", HashEmbedder(256), default_sources(SAMPLE_DIR))
    core = Core(settings, service, None, clock=clock)
    with pytest.raises(IndexMissingError):
        core.answer(core.parse_ask("q"))


def test_clock_is_injected(settings, service):
    later = datetime(2025, 8, 30, tzinfo=UTC)
    core = Core(settings, service, None, clock=lambda: later)
    assert core.digest(*core.digest_period("7d")).empty

"""The bot state in a real PostgreSQL: the same behaviour as the SQLite state, shared by two processes' states,
and a digest slot claimed by exactly one of them when they race."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.pgstate import SCHEMA, PgBotState
from bot.core.settings import load_settings
from bot.core.state import BotState
from bot.core.wiring import build_state
from index.errors import ConfigError, StoreUnavailableError
from index.service import connect_database

T0 = datetime(2025, 7, 21, 0, 0, tzinfo=UTC)


def pg_state(url: str) -> PgBotState:
    return PgBotState(lambda: connect_database(url))


def test_state_survives_reopening_and_is_shared(pg_url):
    one, two = pg_state(pg_url), pg_state(pg_url)  # two bot processes' states, one database
    qid = one.log_query("Who visited MOD?", user_id=7, origin="slash", params={"k": 3, "section": None})
    assert two.get_query(qid).question == "Who visited MOD?"  # the other process's button finds it
    assert two.record_feedback(qid, 7, 1)
    assert one.record_feedback(qid, 8, -1, page_offset=3)
    assert two.record_feedback(qid, 8, 1)  # a user changes their vote: still one row
    two.count_served(2)
    when = datetime(2025, 7, 28, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    one.set_digest_last(42, when)
    one.close()
    two.close()

    st = pg_state(pg_url)
    assert st.get_query(qid).params == {"k": 3, "section": None}
    assert st.get_query(qid + 1) is None
    assert st.feedback_counts() == {"up": 2, "down": 0}
    assert st.counter("queries_served") == 1 and st.counter("pages_served") == 2 and st.counter("x") == 0
    assert st.digest_last(42) == when and st.digest_last(43) is None
    rows = st.feedback_rows()
    assert [r["question"] for r in rows] == ["Who visited MOD?"] * 2 and {r["user_id"] for r in rows} == {7, 8}
    assert datetime.fromisoformat(rows[0]["at"]).tzinfo is not None
    st.close()


def test_unknown_feedback_bad_votes_and_times(pg_url):
    st = pg_state(pg_url)
    assert not st.record_feedback(999, 1, 1)
    with pytest.raises(ValueError):
        st.record_feedback(1, 1, 0)
    with pytest.raises(ValueError):
        st.set_time("x", datetime(2025, 1, 1))  # naive
    st.set_time("refresh", T0)
    assert st.get_text("refresh") == "2025-07-21T00:00:00+00:00" and st.get_time("refresh") == T0
    st.set_text("refresh", "garbage")
    assert st.get_time("refresh") is None
    st.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_claim_moves_the_time_only_from_what_the_claimer_read(kind, pg_url, tmp_path):
    st = BotState(tmp_path / "s.sqlite") if kind == "sqlite" else pg_state(pg_url)
    assert st.claim_digest(42, None, T0)  # the first baseline
    assert not st.claim_digest(42, None, T0 + timedelta(hours=1))  # another process set it already
    assert st.digest_last(42) == T0
    assert st.claim_digest(42, T0, T0 + timedelta(days=7))
    assert not st.claim_digest(42, T0, T0 + timedelta(days=7, seconds=3))  # the slot is taken
    assert st.digest_last(42) == T0 + timedelta(days=7)
    assert st.claim_digest(42, T0 + timedelta(days=7), T0)  # a failed post hands it back
    assert st.digest_last(42) == T0 and st.digest_last(43) is None
    st.close()


def test_racing_threads_of_two_states_claim_a_slot_once(pg_url):
    """Two processes' states (separate connections), 8 threads each, all claiming the same slot at once."""
    states = [pg_state(pg_url), pg_state(pg_url)]
    states[0].set_digest_last(42, T0)
    for round_ in range(5):
        last = states[0].digest_last(42)
        start = threading.Barrier(16)
        won: list[int] = []

        def claim(i: int, last=last, start=start, won=won, round_=round_) -> None:
            start.wait()
            if states[i % 2].claim_digest(42, last, last + timedelta(days=7, seconds=i)):
                won.append(i)

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(won) == 1, (round_, won)
        assert states[1].digest_last(42) == last + timedelta(days=7, seconds=won[0])
    for st in states:
        st.close()


def test_wiring_picks_postgres_with_a_store_url(pg_url, tmp_path):
    settings = load_settings(env_file=None, index_dir=tmp_path / "idx", store_url=pg_url)
    st = build_state(settings)
    assert isinstance(st, PgBotState) and not (tmp_path / "idx" / "bot-state.sqlite").exists()
    st.close()
    st = build_state(load_settings(env_file=None, index_dir=tmp_path / "idx"))
    assert isinstance(st, BotState) and (tmp_path / "idx" / "bot-state.sqlite").exists()
    st.close()


def test_a_lost_connection_is_replaced(pg_url):
    st = pg_state(pg_url)
    qid = st.log_query("q", user_id=1, origin="slash", params={})
    with connect_database(pg_url) as admin:  # the server ends the bot's session (a restart, a failover)
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    with pytest.raises(Exception):  # noqa: B017 (the call in flight fails, whatever psycopg calls it)
        st.get_query(qid)
    assert st.get_query(qid).question == "q"  # the next call reconnects
    st.close()


def test_another_version_and_an_unreachable_database_are_one_line(pg_url):
    st = pg_state(pg_url)
    with connect_database(pg_url) as db:
        db.execute(f"UPDATE {SCHEMA}.info SET version = 99")
    st.close()
    with pytest.raises(ConfigError, match=r"^the bot state in schema 'defnews_bot' .* has version 99, .*uses 1;"):
        pg_state(pg_url)
    bad = pg_url.replace("postgresql://postgres@", "postgresql://postgres:s3cret@").replace("?host=", "?host=/nonexistent")
    with pytest.raises(StoreUnavailableError, match="DEFNEWS_STORE_URL") as err:
        pg_state(bad)
    assert "s3cret" not in str(err.value)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_uses_are_counted_per_user_within_the_window(kind, pg_url, tmp_path):
    st = BotState(tmp_path / "s.sqlite") if kind == "sqlite" else pg_state(pg_url)
    assert st.shared is (kind == "postgres")
    assert st.take_use("ask", 7, 2, 60.0) == 0.0
    assert st.take_use("ask", 7, 2, 60.0) == 0.0
    wait = st.take_use("ask", 7, 2, 60.0)
    assert 0 < wait <= 60.0  # the third in a minute waits (and is not counted)
    assert st.take_use("ask", 8, 2, 60.0) == 0.0  # another user
    assert st.take_use("other", 7, 2, 60.0) == 0.0  # another limit
    assert st.take_use("ask", 9, 1, 0.0) == st.take_use("ask", 9, 1, 0.0) == 0.0  # no window: no limit
    st.close()


def test_racing_processes_share_one_cooldown(pg_url):
    """Two processes' states, 8 threads each, one user asking at once: the rate holds across them."""
    states = [pg_state(pg_url), pg_state(pg_url)]
    start = threading.Barrier(16)
    admitted: list[int] = []

    def ask(i: int) -> None:
        start.wait()
        if states[i % 2].take_use("ask", 1234, 3, 60.0) == 0.0:
            admitted.append(i)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 3
    for st in states:
        st.close()

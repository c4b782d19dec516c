"""The bot's SQLite state: questions, feedback, counters and times survive a restart."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.core.state import BotState


def test_state_survives_reopening(tmp_path):
    path = tmp_path / "state.sqlite"
    st = BotState(path)
    qid = st.log_query("Who visited MOD?", user_id=7, origin="slash", params={"k": 3, "section": None})
    assert st.record_feedback(qid, 7, 1)
    assert st.record_feedback(qid, 8, -1, page_offset=3)
    assert st.record_feedback(qid, 8, 1)  # a user changes their vote: still one row
    st.count_served()
    when = datetime(2025, 7, 28, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    st.set_digest_last(42, when)
    st.close()

    st = BotState(path)
    assert st.get_query(qid).question == "Who visited MOD?"
    assert st.get_query(qid).params == {"k": 3, "section": None}
    assert st.get_query(qid + 1) is None
    assert st.feedback_counts() == {"up": 2, "down": 0}
    assert st.counter("queries_served") == 1 and st.counter("pages_served") == 1
    assert st.digest_last(42) == when and st.digest_last(43) is None
    assert [r["question"] for r in st.feedback_rows()] == ["Who visited MOD?"] * 2
    st.close()


def test_wal_mode_and_unknown_feedback(tmp_path):
    st = BotState(tmp_path / "s.sqlite")
    assert not st.record_feedback(999, 1, 1)
    with pytest.raises(ValueError):
        st.record_feedback(1, 1, 0)
    with pytest.raises(ValueError):
        st.set_time("x", datetime(2025, 1, 1))  # naive
    st.close()
    con = sqlite3.connect(tmp_path / "s.sqlite")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_times_are_stored_in_utc(tmp_path):
    st = BotState(tmp_path / "s.sqlite")
    t = datetime(2025, 7, 28, 0, 0, tzinfo=UTC)
    st.set_time("refresh", t)
    assert st.get_text("refresh") == "2025-07-28T00:00:00+00:00"
    assert st.get_time("refresh") == t
    st.set_text("refresh", "garbage")
    assert st.get_time("refresh") is None
    st.close()


def test_a_state_that_cannot_be_opened_is_one_line_naming_the_folder(tmp_path):
    from index.errors import IndexFolderError

    (tmp_path / "afile").write_text("x")
    with pytest.raises(IndexFolderError, match=f"^{tmp_path / 'afile'} is a file, not a folder"):
        BotState(tmp_path / "afile" / "bot-state.sqlite")
    (tmp_path / "idx" / "bot-state.sqlite").mkdir(parents=True)  # SQLite cannot open a folder
    with pytest.raises(IndexFolderError, match=f"write in {tmp_path / 'idx'}"):
        BotState(tmp_path / "idx" / "bot-state.sqlite")

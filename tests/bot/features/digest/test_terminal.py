"""A digest in the terminal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.features.digest.logic import Digest, DigestEntry
from bot.features.digest.terminal import render_digest_terminal
from index.models import Event, EventActor

T0 = datetime(2025, 7, 1, tzinfo=UTC)


def test_terminal_digest_lists_sections_and_what_was_left_out():
    entry = DigestEntry("Title", "https://e.jp/a", "2025-07-04", "装備", "Summary.")
    d = Digest(T0, T0 + timedelta(days=7), "UTC", (("装備", (entry,)),), 3, omitted=2)
    text = render_digest_terminal(d)
    assert text.splitlines()[0].startswith("Defence news digest: 3 articles, 2025-07-01 00:00 – 2025-07-08 00:00 (UTC)")
    assert "== 装備 (1)\n- Title (2025-07-04)\n  https://e.jp/a\n  Summary." in text
    assert text.endswith("... and 2 more articles not listed.")


def test_english_titles_lead_and_meetings_come_first():
    entry = DigestEntry("中谷防衛大臣を表敬", "https://e.jp/a", "2025-07-04", "国際協力", "要約。",
                        "Courtesy call on Nakatani")
    call = Event("courtesy_call", T0.date().replace(day=4), None, (EventActor("カレ", "Atul Khare"),), "防衛省",
                 "Ministry of Defense", "Khare paid a courtesy call.", "https://e.jp/a", "t", "a:0")
    d = Digest(T0, T0 + timedelta(days=7), "UTC", (("国際協力", (entry,)),), 1, meetings=(call,))
    assert render_digest_terminal(d).split("\n", 1)[1] == "\n".join([
        "",
        "== Meetings and visits (1)",
        "- 2025-07-04 · Courtesy call · Ministry of Defense",
        "  Atul Khare",
        "  Khare paid a courtesy call.",
        "  https://e.jp/a",
        "",
        "== 国際協力 (1)",
        "- Courtesy call on Nakatani (2025-07-04)",
        "  中谷防衛大臣を表敬",
        "  https://e.jp/a",
        "  要約。",
    ])
    ja = render_digest_terminal(Digest(T0, T0 + timedelta(days=7), "UTC", (("国際協力", (entry,)),), 1,
                                       language="ja"))
    assert "- 中谷防衛大臣を表敬 (2025-07-04)\n  Courtesy call on Nakatani\n" in ja and "Meetings" not in ja

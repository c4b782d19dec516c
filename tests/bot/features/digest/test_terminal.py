"""A digest in the terminal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.features.digest.logic import Digest, DigestEntry
from bot.features.digest.terminal import render_digest_terminal

T0 = datetime(2025, 7, 1, tzinfo=UTC)


def test_terminal_digest_lists_sections_and_what_was_left_out():
    entry = DigestEntry("Title", "https://e.jp/a", "2025-07-04", "装備", "Summary.")
    d = Digest(T0, T0 + timedelta(days=7), "UTC", (("装備", (entry,)),), 3, omitted=2)
    text = render_digest_terminal(d)
    assert text.splitlines()[0].startswith("Defence news digest: 3 articles, 2025-07-01 00:00 – 2025-07-08 00:00 (UTC)")
    assert "== 装備 (1)\n- Title (2025-07-04)\n  https://e.jp/a\n  Summary." in text
    assert text.endswith("... and 2 more articles not listed.")

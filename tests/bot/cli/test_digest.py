"""`defnews digest`: what /digest would post, printed (the real console script)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.settings import load_settings
from bot.core.wiring import build_service
from bot.features.digest.logic import Digester
from bot.features.digest.terminal import render_digest_terminal

from .console import assert_one_line_error, run

TOKYO = ZoneInfo("Asia/Tokyo")


def test_digest_prints_what_the_digester_gives_and_json_has_the_same(tmp_path):
    idx = tmp_path / "idx"
    run("reindex", "-q", index_dir=idx)
    text = run("digest", "--since", "2025-07-20", "--until", "2025-07-23", index_dir=idx).stdout
    settings = load_settings(env_file=None, index_dir=idx, embedder="hash")
    digest = Digester(settings.digest, build_service(settings.index)).digest(
        datetime(2025, 7, 20, tzinfo=TOKYO), datetime(2025, 7, 23, 23, 59, 59, 999999, tzinfo=TOKYO))
    assert text.rstrip("\n") == render_digest_terminal(digest)
    assert text.startswith("Defence news digest: ") and "== 人事" in text

    data = json.loads(run("digest", "--since", "2025-07-20", "--until", "2025-07-23", "--json", index_dir=idx).stdout)
    assert data["total"] == digest.total and data["timezone"] == "Asia/Tokyo"
    assert [s["section"] for s in data["sections"]] == [s for s, _ in digest.groups]
    first = data["sections"][0]["articles"][0]
    assert set(first) == {"title", "title_en", "url", "published", "section", "summary"}
    only = json.loads(run("digest", "--since", "2025-07-01", "--section", "人事", "--json", index_dir=idx).stdout)
    assert [s["section"] for s in only["sections"]] == ["人事"]


def test_an_empty_period_says_where_the_articles_are(tmp_path):
    idx = tmp_path / "idx"
    run("reindex", "-q", index_dir=idx)
    out = run("digest", index_dir=idx).stdout  # the last 7 days: the sample corpus is of July 2025
    assert out.startswith("No new articles were published in ")
    assert out.rstrip().endswith("The newest indexed article was published on 2025-07-24.")
    line = assert_one_line_error(run("digest", "--section", "スポーツ", index_dir=idx, check=False))
    assert "There is no section 'スポーツ'" in line

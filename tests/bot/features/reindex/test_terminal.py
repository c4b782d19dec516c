"""An ingest or reindex report in the terminal."""

from __future__ import annotations

from bot.core.settings import SAMPLE_DIR
from bot.features.reindex.terminal import render_report_terminal
from index.embedding.fake import HashEmbedder
from index.service import IndexService
from index.sources.config import default_sources


def test_the_terminal_report_names_every_rejection(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://example.jp/a", "title": "t", "body": "本文。"}\n{not json\n', encoding="utf-8")
    service = IndexService(tmp_path / "idx", HashEmbedder(256), default_sources(SAMPLE_DIR))
    lines = render_report_terminal(service.ingest_paths([bad])).splitlines()
    assert lines[0] == "added 0 / updated 0 / unchanged 0 / rejected 2"
    assert lines[1].startswith("index: 0 articles, 0 chunks; 0 chunks embedded in ")
    assert len(lines) == 4 and lines[2] == f"rejected {bad}:1: missing published date"
    assert lines[3].startswith(f"rejected {bad}:2: invalid JSON")

"""The cross-lingual benchmark runs over a Japanese-only index of a set and prints its grid."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import crosslingual


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_the_grid_is_printed_over_the_japanese_articles_alone(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(crosslingual, "OWN", [])
    set_dir = tmp_path / "set"
    set_dir.mkdir()
    _write(set_dir / "articles.jsonl", [
        {"url": "https://example.test/ja", "title": "陸自が宮崎県で防疫措置を支援(12月3日)",
         "published": "2024-12-05T10:00:00+09:00", "body": "陸上自衛隊は宮崎県で約4万羽の殺処分を支援した。\n\n作業は翌日まで続いた。"},
        {"url": "https://example.test/en", "title": "GSDF Supports Bird Flu Response",
         "published": "2024-12-05T10:00:00+09:00", "body": "The GSDF helped cull chickens in Miyazaki."},
    ])
    _write(set_dir / "questions.jsonl", [
        {"id": "q1", "question": "How many chickens did the GSDF help cull in Miyazaki?", "lang": "en",
         "kinds": ["count"], "expected_urls": ["https://example.test/ja"]},
        {"id": "q2", "question": "Who wrote the English article?", "lang": "en", "kinds": ["who"],
         "expected_urls": ["https://example.test/en"]},  # its article is not in the Japanese index: left out
    ])
    off = _write(tmp_path / "off.jsonl", [{"id": "o1", "question": "Tell me a joke", "kinds": ["offtopic"],
                                           "expected_urls": []}])
    assert crosslingual.main(["--set", str(set_dir), "--offtopic", str(off), "--model", "hash",
                              "--cache-dir", str(tmp_path / "cache")]) == 0
    out = capsys.readouterr().out
    assert "1 Japanese articles; 1 answerable questions (1 English), 1 off-topic" in out
    rows = [line for line in out.splitlines() if line.strip().startswith(("-", "0.0"))]
    assert len(rows) == len(crosslingual.GRID) and all("(1/1)" in r for r in rows)  # the joke: always flagged

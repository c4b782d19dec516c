"""Reading configured sources one by one: failures stay with their source, states persist, locations kept."""

from __future__ import annotations

import json
from pathlib import Path

from index.ingest.collect import (
    STATE_FILE,
    SourceState,
    forget_unindexed,
    load_states,
    read_sources,
    save_states,
    stream_sources,
)
from index.sources.config import parse_sources
from index.sources.records import ReadLog

GOOD = {"url": "https://news.example.jp/a", "title": "護衛艦が進水", "published": "2025-07-08T10:00:00+09:00",
        "body": "海上自衛隊の新しい護衛艦が8日、長崎で進水した。"}


def write_jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_a_failing_source_does_not_stop_the_others(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", GOOD, {**GOOD, "url": "https://news.example.jp/b", "section": "人事"},
                {"url": "https://news.example.jp/c"})
    cfg = parse_sources({"sources": [
        {"name": "gone", "kind": "folder", "path": "missing"},
        {"name": "wire", "kind": "jsonl", "path": "a.jsonl", "section": "日本の防衛"},
    ]}, "s.toml", tmp_path)
    seen: list[tuple[str, int, int]] = []
    result, states = read_sources(cfg, progress=lambda *a: seen.append(a))
    assert not states["gone"].ok and "does not exist" in states["gone"].error
    assert states["wire"].ok and states["wire"].articles == 2 and states["wire"].rejected == 1
    assert [a.section for a in result.articles] == ["日本の防衛", "人事"]  # the source's section fills gaps
    assert {a.source for a in result.articles} == {"wire"}
    assert seen == [("read", 1, 2), ("read", 2, 2)]
    where = str(tmp_path / "a.jsonl")
    assert [i.location for i in result.items()] == [f"{where}:1", f"{where}:2", f"{where}:3"]
    assert [i.status for i in result.items()] == ["read", "read", "rejected"]


def test_states_survive_a_round_trip_and_unreadable_files_are_ignored(tmp_path):
    states = {"wire": SourceState(name="wire", kind="feed", articles=3, http={"u": {"etag": '"1"'}})}
    save_states(tmp_path, states)
    assert load_states(tmp_path) == states
    (tmp_path / STATE_FILE).write_text("{not json", "utf-8")
    assert load_states(tmp_path) == {}
    assert load_states(tmp_path / "none") == {}


def test_forget_unindexed_drops_pages_whose_article_is_gone():
    st = SourceState(name="wire", kind="feed", http={
        "p1": {"etag": "a", "article": "https://x/1"}, "p2": {"etag": "b", "article": "https://x/2"},
        "feed": {"items": []},
    })
    assert forget_unindexed({"wire": st}, {"https://x/1"}) == 1
    assert set(st.http) == {"p1", "feed"}


def test_sources_stream_their_articles_and_each_state_is_set_once_its_source_is_read(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", GOOD, {"url": "https://news.example.jp/c"})
    write_jsonl(tmp_path / "b.jsonl", {**GOOD, "url": "https://news.example.jp/b"})
    cfg = parse_sources({"sources": [
        {"name": "first", "kind": "jsonl", "path": "a.jsonl"},
        {"name": "second", "kind": "jsonl", "path": "b.jsonl"},
    ]}, "s.toml", tmp_path)
    states: dict[str, SourceState] = {}
    read = ReadLog()
    articles = stream_sources(cfg, states, read)
    assert next(articles).url == "https://news.example.jp/a"
    assert states == {} and len(read.read) == 1  # the second source not opened, the first not finished
    assert [a.url for a in articles] == ["https://news.example.jp/b"]
    assert (states["first"].articles, states["first"].rejected, states["second"].articles) == (1, 1, 1)
    assert [i.status for i in read.items()] == ["read", "read", "rejected"]

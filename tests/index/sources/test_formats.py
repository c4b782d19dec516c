"""index.sources.formats and .records: the parsers accept the bundled corpus and reject bad records one by one, clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.sources.formats import jsonl_records, parse_jsonl_file, parse_jsonl_lines, parse_path, read_path
from index.sources.records import MAX_BODY_CHARS, ReadLog, RecordError, parse_published

ROOT = Path(__file__).resolve().parents[3]
GOOD = {"url": "https://news.example.jp/a", "title": "護衛艦が進水", "published": "2025-07-08T10:00:00+09:00",
        "body": "海上自衛隊の新しい護衛艦が8日、長崎で進水した。"}


def line(**changes) -> str:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False)


def test_the_bundled_corpus_parses_completely():
    result = parse_jsonl_file(ROOT / "bot" / "data" / "sample" / "articles.jsonl")
    assert len(result.articles) == 26 and not result.rejections
    assert all(a.published.tzinfo is not None for a in result.articles)


def test_a_byte_order_mark_does_not_cost_the_first_record():
    result = parse_jsonl_lines([b"\xef\xbb\xbf" + line().encode(), line(url="https://news.example.jp/b").encode()],
                               "f.jsonl")
    assert len(result.articles) == 2 and not result.rejections


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"{\"a\": " + b"1" * 5000 + b"}", "invalid JSON"),
        (b"[" * 50_000, "invalid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (line(url="http://[::1").encode(), "not a valid URL"),
        (line(url="https://news.example.jp/a b").encode(), "white space"),
        (line(url="ftp://news.example.jp/a").encode(), "not an http(s) URL"),
        (line(url="https://news.example.jp/\ud800").encode("utf-8", "surrogatepass"), "not valid UTF-8"),
        (json.dumps({**GOOD, "url": "https://news.example.jp/\ud800"}).encode(), "lone surrogate"),
        (line(title=" \u200b ").encode(), "missing title"),
        (line(title="x" * 5000).encode(), "longer than"),
        (line(published="2025-02-30").encode(), "invalid published date"),
        (line(published="1850-01-01").encode(), "implausible"),
        (line(published=20250708).encode(), "not a string"),
        (line(body="あ" * (MAX_BODY_CHARS + 1)).encode(), "longer than"),
        (line(body="\x00\x01\u200b").encode(), "empty after normalisation"),
        (line(section=["x"]).encode(), "section is not a string"),
    ],
)
def test_each_bad_record_is_rejected_with_its_reason_and_the_rest_kept(raw, reason):
    other = line(url="https://news.example.jp/ok").encode()
    result = parse_jsonl_lines([other, raw, other.replace(b"/ok", b"/ok2")], "feed.jsonl")
    assert [a.url for a in result.articles] == ["https://news.example.jp/ok", "https://news.example.jp/ok2"]
    assert len(result.rejections) == 1
    assert result.rejections[0].location == "feed.jsonl:2" and reason in result.rejections[0].reason


def test_lone_surrogates_in_text_fields_become_replacement_characters():
    raw = json.dumps({**GOOD, "title": "護衛艦\ud83d", "body": GOOD["body"] + "\ude00"})  # a cut emoji
    (article,) = parse_jsonl_lines([raw], "f").articles
    assert article.title == "護衛艦\ufffd" and article.body.endswith("\ufffd")
    article.content_hash  # noqa: B018 - encodes every field as UTF-8


@pytest.mark.parametrize("value", ["2025-07-08", "2025/7/8 9:05", "2025-07-08T10:00:00Z", "２０２５-０７-０８"])
def test_published_formats(value):
    assert parse_published(value).date().isoformat() == "2025-07-08"


def test_published_rejects_absurd_lengths():
    with pytest.raises(RecordError):
        parse_published("2025-07-08" + " " * 1000)


def test_parse_path_reports_missing_and_unreadable_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xff\xfe\xfd")
    result = parse_path(tmp_path)
    assert not result.articles and "not valid UTF-8" in result.rejections[0].reason
    missing = parse_path(tmp_path / "nope.jsonl")
    assert "no such file" in missing.rejections[0].reason


def test_reading_a_folder_as_a_stream_gives_what_parse_path_gives(tmp_path):
    (tmp_path / "a.jsonl").write_text("\n".join([line(), "{not json", line(url="https://news.example.jp/b")]),
                                      encoding="utf-8")
    pages = ROOT / "tests/index/sources/fixtures/pages"
    page = sorted(p for p in pages.iterdir() if p.suffix in (".txt", ".html"))[0]
    (tmp_path / f"z{page.suffix}").write_bytes(page.read_bytes())
    (tmp_path / "bad.txt").write_bytes(b"\xff")
    parsed = parse_path(tmp_path)
    log = ReadLog()
    streamed = list(log.articles(read_path(tmp_path)))
    assert [a.url for a in streamed] == [a.url for a in parsed.articles] and len(streamed) == 3
    assert log.rejections == parsed.rejections and len(log.rejections) == 2
    assert log.items() == parsed.items()
    assert log.items()[0].location == f"{tmp_path / 'a.jsonl'}:1"


def test_a_streamed_read_hands_each_article_on_before_reading_the_next():
    read = []

    def lines():
        for n in range(3):
            read.append(n)
            yield line(url=f"https://news.example.jp/{n}")

    log = ReadLog()
    articles = log.articles(jsonl_records(lines(), "mem"))
    first = next(articles)
    assert first.url.endswith("/0") and read == [0]  # nothing further read yet
    assert [a.url[-1] for a in articles] == ["1", "2"] and len(log.items()) == 3

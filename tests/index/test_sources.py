"""index.sources: the parsers accept the bundled corpus and reject bad records one by one, clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.sources.formats import (
    MAX_BODY_CHARS,
    RecordError,
    parse_html,
    parse_jsonl_file,
    parse_jsonl_lines,
    parse_path,
    parse_published,
    parse_saved_page,
)

ROOT = Path(__file__).resolve().parents[2]
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


def test_saved_page_with_a_huge_blank_preamble_and_many_bullets():
    page = "\n" * 200_000 + "URL: https://news.example.jp/p\n見出し\n2025-07-08 10:00\n\n本文。\n" + "- 項目\n" * 5
    (article,) = parse_saved_page(page, "p.txt").articles
    assert article.body == "本文。"  # the bullet run is site furniture


def test_saved_page_without_url_is_one_clear_rejection():
    result = parse_saved_page("見出し\n2025-07-08 10:00\n\n本文。", "p.txt")
    assert not result.articles and "no URL" in result.rejections[0].reason


def test_html_with_an_internal_dtd_is_refused():
    html = '<!DOCTYPE html [<!ENTITY a "b">]><html><body><p>&a;</p></body></html>'
    result = parse_html(html, "x.html", url="https://news.example.jp/x")
    assert not result.articles and "DTD" in result.rejections[0].reason


def test_html_article_is_parsed():
    html = ("<html><head><title>護衛艦が進水</title>"
            '<meta property="article:published_time" content="2025-07-08T10:00:00+09:00"></head>'
            "<body><article><h1>護衛艦が進水</h1><p>海上自衛隊の新しい護衛艦が8日、長崎で進水した。"
            "式典には約300人が出席し、艦名が発表された。</p></article></body></html>")
    (article,) = parse_html(html, "x.html", url="https://news.example.jp/x").articles
    assert "長崎で進水" in article.body and article.published.day == 8


def test_parse_path_reports_missing_and_unreadable_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xff\xfe\xfd")
    result = parse_path(tmp_path)
    assert not result.articles and "not valid UTF-8" in result.rejections[0].reason
    missing = parse_path(tmp_path / "nope.jsonl")
    assert "no such file" in missing.rejections[0].reason


def test_html_metadata_gives_title_date_and_canonical_url(tmp_path):
    html = """<!DOCTYPE html><html lang="ja"><head>
<meta charset="utf-8"><title>防衛ニュース | 護衛艦「よしの」が進水</title>
<link rel="canonical" href="https://news.example.jp/articles/2025/07/yoshino-launch">
<meta property="og:title" content="護衛艦「よしの」が進水 もがみ型12番艦(7月8日)">
<meta property="article:published_time" content="2025-07-09T09:30:00+09:00">
</head><body>
<nav><a href="/">ホーム</a> <a href="/rank">ランキング</a></nav>
<article><h1>護衛艦「よしの」が進水 もがみ型12番艦(7月8日)</h1>
<p>海上自衛隊のもがみ型護衛艦12番艦「よしの」の命名・進水式が令和7(2025)年7月8日、三菱重工業長崎造船所で行われた。</p>
<p>式典には防衛省や海自の関係者など約300人が出席した。同艦は艤装を経て令和8年度末に就役する予定だ。</p>
</article>
<footer>© 2025 防衛ニュース All rights reserved.</footer>
</body></html>"""
    page = tmp_path / "yoshino.html"
    page.write_text(html, encoding="utf-8")
    (article,) = parse_path(page).articles  # no --url: the canonical link gives it
    assert article.url == "https://news.example.jp/articles/2025/07/yoshino-launch"
    assert "よしの" in article.title and "防衛ニュース |" not in article.title
    assert article.published.date().isoformat() == "2025-07-09"
    assert "三菱重工業長崎造船所" in article.body and "令和8年度末に就役" in article.body
    for junk in ("ホーム", "ランキング", "All rights reserved"):
        assert junk not in article.body

"""Hostile input, property-based: the ingest parsers and the query path take arbitrary Unicode, control
characters, huge and empty fields, malformed dates, entity bombs and invalid UTF-8, and answer each bad
record with one clear rejection — never an exception, never losing the good records of the same batch."""

from __future__ import annotations

import json
import string
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from index.errors import InvalidQueryError
from index.ingest.chunks import annotate_dates
from index.ingest.indexer import Indexer
from index.models import Query, validate_question
from index.search.searcher import Searcher
from index.sources.formats import (
    MAX_BODY_CHARS,
    ParseResult,
    make_article,
    parse_html,
    parse_jsonl_lines,
    parse_path,
    parse_saved_page,
)
from index.store.generation import Generation
from index.text.chunking import chunk_article

from .conftest import EMBEDDER

JST = timezone(timedelta(hours=9))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any code point, lone surrogates included (they arrive from JSON "\ud83d" escapes and surrogateescape).
any_char = st.characters(codec=None, categories=None)
any_text = st.text(any_char, max_size=60)
hostile_words = st.sampled_from([
    "", " ", "\x00", "\u200b\u200b", "\ufeff", "\u202e", "&amp;", "&lol9;", "<script>x</script>", "\r\n\r\n",
    "ﷺ" * 30, "9" * 5000, "令和999年99月99日", "昭和0年", "12345678901234567890年度", "翌々々々日", "\ud800",
    "\udfff\ud800", "null", "]]>", "\\", "\"", "\n\n\n", "- 関連記事", "©2025", "・" * 50,
])
body_text = st.lists(st.one_of(any_text, hostile_words), max_size=12).map("".join)
dates = st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 12, 31))
date_strings = st.one_of(
    dates.map(lambda d: d.replace(tzinfo=JST).isoformat()),
    dates.map(lambda d: d.strftime("%Y-%m-%d")),
    dates.map(lambda d: f"{d.year}/{d.month}/{d.day} {d.hour}:{d.minute:02d}"),
    dates.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
)
bad_dates = st.one_of(
    st.sampled_from(["", " ", "2025-13-45", "2025-02-30", "0000-01-01", "9999-99-99T99:99", "yesterday",
                     "2025-07-08T25:00", "1800-01-01", "2301-01-01", "２０２５年７月８日", "1e400", "-1"]),
    any_text.map(lambda t: "x" + t),
    st.integers(), st.floats(allow_nan=True), st.none(), st.lists(st.integers(), max_size=3),
)


@st.composite
def good_record(draw, i: int) -> dict:
    return {
        "url": f"https://news.example.jp/{i}/" + draw(st.text(string.ascii_letters + "-_", max_size=20)),
        "title": "記事" + draw(st.text(any_char, max_size=20)),
        "published": draw(date_strings),
        "body": "本文です。" + draw(body_text),
        "section": draw(st.one_of(st.none(), any_text)),
    }


BAD_FIELDS = {
    "url": [None, 5, "", "http://[x", "https://a b", "javascript:alert(1)", "https://" + "a" * 9000, "//x.jp/a",
            "https://news.example.jp/\ud800", ["https://news.example.jp/x"]],
    "title": [None, 7, "", " \u200b\u3000 ", "\x00\x01", "x" * 3000, ["t"], {"t": 1}],
    "body": [None, 7, "", " \n\n ", "\x00\x01\u200b", "あ" * (MAX_BODY_CHARS + 1), ["b"]],
    "section": [7, ["s"], {"s": 1}],
}


def bad_record() -> st.SearchStrategy[bytes]:
    """Lines that can never become an article (each is bad for its own reason)."""
    obj = st.fixed_dictionaries({
        "url": st.just("https://news.example.jp/x"), "title": st.just("t"), "published": st.just("2025-07-08"),
        "body": st.just("本文"),
    })
    enc = lambda o: json.dumps(o, ensure_ascii=False).encode("utf-8", "surrogatepass")  # noqa: E731
    return st.one_of(
        st.binary(max_size=80).map(lambda b: b + b"\xff\xfe"),  # invalid UTF-8
        st.binary(max_size=80).filter(lambda b: b.strip()).map(lambda b: b"\x00" + b),  # NUL-led junk
        any_text.filter(lambda t: t.strip("\ufeff").strip() and t.strip()[0] not in "{[\"-0123456789tfn\ufeff")
        .map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from([b"[" * 100_000 + b"]" * 100_000, b"{\"a\": " + b"1" * 5000 + b"}", b"[1, 2]",
                         b"\"just a string\"", b"null", b"{\"url\": ", b"{\"url\": \"\\ud800\"}", b"1e999"]),
        st.tuples(obj, st.sampled_from(sorted(BAD_FIELDS))).flatmap(
            lambda t: st.sampled_from(BAD_FIELDS[t[1]]).map(lambda v: {**t[0], t[1]: v})).map(enc),
        st.tuples(obj, any_text).map(lambda t: {**t[0], "url": f"notaurl{t[1]}"}).map(enc),
        st.tuples(obj, bad_dates).map(lambda t: {**t[0], "published": t[1]}).map(enc),
        st.tuples(obj, st.integers(1, 3)).map(lambda t: {**t[0], "body": "あ" * (MAX_BODY_CHARS + t[1])}).map(enc),
        st.tuples(obj, st.text(" \t\u3000\u200b\x00\n", max_size=5)).map(lambda t: {**t[0], "title": t[1]}).map(enc),
    )


@st.composite
def batches(draw):
    """A JSONL file as lines: good records (distinct URLs) and bad lines interleaved."""
    n_good = draw(st.integers(0, 6))
    good = [draw(good_record(i)) for i in range(n_good)]
    bad = draw(st.lists(bad_record(), max_size=6))
    # ASCII JSON: lone surrogates travel as "\\ud800" escapes, as they do in real feeds
    lines = [json.dumps(g).encode() for g in good] + bad
    order = draw(st.permutations(range(len(lines))))
    lines = [lines[i] for i in order]
    good_lines = {k + 1 for k, i in enumerate(order) if i < n_good}
    return lines, good, good_lines


def _assert_clear(result: ParseResult) -> None:
    for r in result.rejections:
        assert r.reason and "\n" not in r.reason and "\r" not in r.reason
        assert len(r.reason) < 300
    for a in result.articles:  # everything stored is valid UTF-8
        for text in (a.url, a.title, a.body, a.section):
            text.encode("utf-8")
        assert a.published.tzinfo is not None


@FAST
@given(batches())
def test_jsonl_batch_keeps_every_good_record_and_rejects_each_bad_one(batch):
    lines, good, good_lines = batch
    result = parse_jsonl_lines(lines, "feed.jsonl")
    _assert_clear(result)
    assert sorted(a.url for a in result.articles) == sorted(g["url"] for g in good)
    rejected_lines = [int(r.location.rsplit(":", 1)[1]) for r in result.rejections]
    assert len(rejected_lines) == len(set(rejected_lines)) == len(lines) - len(good)
    assert not set(rejected_lines) & good_lines


@FAST
@given(st.lists(st.one_of(st.binary(max_size=200), any_text), max_size=8))
def test_jsonl_arbitrary_lines_never_raise(lines):
    result = parse_jsonl_lines(lines, "x.jsonl")
    _assert_clear(result)
    assert len(result.articles) + len(result.rejections) <= len(lines)


@FAST
@given(st.text(any_char, max_size=400) | st.lists(st.one_of(any_text, hostile_words), max_size=30).map("\n".join))
def test_saved_page_arbitrary_text_is_one_article_or_one_rejection(text):
    result = parse_saved_page(text, "page.txt")
    _assert_clear(result)
    assert len(result.articles) + len(result.rejections) == 1


@FAST
@given(title=any_text, date=st.one_of(date_strings, bad_dates.map(str)), body=body_text, furniture=body_text)
def test_saved_page_structure_with_hostile_fields(title, date, body, furniture):
    page = f"URL: https://news.example.jp/p\n{title}\n- 日本の防衛\n{date}\n\n{body}\n\nランキング\n{furniture}"
    result = parse_saved_page(page, "page.txt")
    _assert_clear(result)
    assert len(result.articles) + len(result.rejections) == 1
    for a in result.articles:
        assert "ランキング" not in a.body  # furniture is cut whatever comes before it


@SLOW
@given(st.one_of(st.text(any_char, max_size=300), st.binary(max_size=300),
                 st.lists(st.one_of(any_text, hostile_words, st.sampled_from(
                     ["<p>", "</p>", "<article>", "<!--", "-->", "<![CDATA[", "<title>", "&#0;", "&#xD800;",
                      "<meta charset='utf-16'>", "<html>", "<body>", "</body>"])), max_size=40).map("".join)))
def test_html_arbitrary_input_never_raises(html):
    result = parse_html(html, "page.html", url="https://news.example.jp/h")
    _assert_clear(result)
    assert len(result.articles) + len(result.rejections) == 1


ARTICLE = (
    "<html><head><title>{title}</title>"
    '<meta property="article:published_time" content="2025-07-08T10:00:00+09:00"></head>'
    "<body><article><h1>{title}</h1><p>{text}</p>"
    "<p>防衛省は8日、護衛艦の進水式を長崎で行ったと発表した。式典には関係者約300人が出席した。</p>"
    "</article></body></html>"
)


def _billion_laughs(depth: int = 9) -> str:
    ents = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, depth + 1)
    )
    return f'<?xml version="1.0"?><!DOCTYPE html [{ents}]>' + ARTICLE.format(title="爆弾 &lol9;", text="&lol9;")


ENTITY_BOMBS = {
    "billion-laughs": _billion_laughs(),
    "quadratic": '<!DOCTYPE html [<!ENTITY a "' + "A" * 50_000 + '">]>'
    + ARTICLE.format(title="t", text="&a;" * 2000),
    "external": '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + ARTICLE.format(title="t", text="&x;"),
    "parameter": '<!DOCTYPE html [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
    + ARTICLE.format(title="t", text="x"),
}


@pytest.mark.parametrize("name", sorted(ENTITY_BOMBS))
@pytest.mark.parametrize("as_bytes", [False, True])
def test_entity_bombs_are_refused(name, as_bytes):
    html = ENTITY_BOMBS[name]
    result = parse_html(html.encode() if as_bytes else html, f"{name}.html", url="https://news.example.jp/b")
    assert not result.articles
    assert [r.reason for r in result.rejections] == ["HTML declares a DTD with entities (refused)"]


@pytest.mark.parametrize("name", sorted(ENTITY_BOMBS))
def test_lxml_behind_trafilatura_does_not_expand_entities_either(name):
    """Defence in depth: even past our refusal, the HTML parser neither expands nor fetches entities."""
    import trafilatura

    doc = trafilatura.bare_extraction(ENTITY_BOMBS[name], url="https://news.example.jp/b", with_metadata=True)
    text = "" if doc is None else (doc if isinstance(doc, dict) else doc.as_dict()).get("text") or ""
    assert "lollollol" not in text and "AAAAAAAAAA" not in text and "root:" not in text
    assert len(text) < 10_000


def test_oversized_html_is_refused(monkeypatch):
    import index.sources.htmlpage as htmlpage

    monkeypatch.setattr(htmlpage, "MAX_HTML_BYTES", 1000)
    result = parse_html(ARTICLE.format(title="t", text="x" * 2000), "big.html", url="https://news.example.jp/b")
    assert not result.articles and "larger than" in result.rejections[0].reason


def test_a_folder_of_hostile_files_keeps_the_good_ones(tmp_path):
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    good = {"url": "https://news.example.jp/g", "title": "良い記事", "published": "2025-07-08", "body": "本文。"}
    (tmp_path / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + json.dumps(good).encode() + b"\n\xff\xfe\n[[[\n")
    (tmp_path / "b.txt").write_bytes(b"\xff\xfe\x00\x00 not utf-8")
    (tmp_path / "c.html").write_bytes(ENTITY_BOMBS["billion-laughs"].encode())
    (tmp_path / "d.html").write_bytes(b"\x00" * 1000)
    (tmp_path / "e.txt").write_text("URL: https://news.example.jp/e\n見出し\n2025-07-08 10:00\n\n本文です。\n", "utf-8")
    (tmp_path / "f.txt").write_text("", "utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    result = parse_path(tmp_path, source="hostile")
    _assert_clear(result)
    assert sorted(a.url for a in result.articles) == ["https://news.example.jp/e", "https://news.example.jp/g"]
    where = {Path(r.location.split(":")[0]).name for r in result.rejections}
    assert {"a.jsonl", "b.txt", "c.html", "d.html", "f.txt"} <= where


@SLOW
@given(st.lists(st.tuples(any_text, body_text, date_strings), min_size=1, max_size=4))
def test_chunking_and_dates_survive_hostile_articles(items):
    """Past the parser, chunking and date annotation never fail on what the parser accepted."""
    for i, (title, body, published) in enumerate(items):
        try:
            art = make_article(url=f"https://news.example.jp/{i}", title="見出し" + title, published=published,
                               body="本文。" + body)
        except ValueError:
            continue
        chunks = annotate_dates(art, chunk_article(art))
        assert chunks and all(art.body[c.start : c.end] == c.text for c in chunks)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_ingest_indexes_every_good_record_of_a_hostile_batch(tmp_path_factory, batch):
    lines, good, _ = batch
    assume(good)
    parsed = parse_jsonl_lines(lines, "feed.jsonl")
    index_dir = tmp_path_factory.mktemp("hostile-ingest")
    report = Indexer(index_dir, EMBEDDER).ingest(parsed.articles, rejected=parsed.rejections)
    assert report.articles_total + report.duplicates == len(good)
    assert len(report.rejected) == len(lines) - len(good)
    gen = Generation.open(index_dir, model_id=EMBEDDER.model_id)
    assert gen.manifest.articles == report.articles_total
    gen.close()


# --------------------------------------------------------------------------- the query path

no_surrogates = st.characters(codec=None, categories=None, exclude_categories=["Cs"])


@pytest.fixture(scope="module")
def searcher(sample_index, tokenizer):
    gen = Generation.open(sample_index, model_id=EMBEDDER.model_id)
    return Searcher(gen, EMBEDDER, tokenizer=tokenizer)


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.text(no_surrogates, max_size=120), st.lists(
    st.one_of(st.text(no_surrogates, max_size=10), hostile_words.filter(lambda w: "\ud800" not in w
                                                                         and "\udfff" not in w)),
    max_size=10).map("".join)), st.integers(1, 25), st.integers(0, 50))
def test_query_path_answers_or_rejects_cleanly(searcher, text, k, offset):
    try:
        question = validate_question(text)
    except InvalidQueryError as exc:
        assert "\n" not in str(exc)
        return
    answer = searcher.search(Query(question, k=k, offset=offset))
    assert len(answer.hits) <= k
    json.dumps(answer.to_json(), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("text", ["護衛艦\ud800", "\udcff\udcfe"])
def test_query_with_lone_surrogates_is_answered_or_rejected(searcher, text):
    try:
        question = validate_question(text)
    except InvalidQueryError:
        return
    searcher.search(Query(question, k=3))

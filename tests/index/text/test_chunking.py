import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.models import Article
from index.text.chunking import ChunkerConfig, chunk_article, chunk_spans, embedding_text, split_sentences


def _article(body: str) -> Article:
    return Article(url="https://example.jp/a", title="見出し", published=datetime(2025, 7, 8, tzinfo=UTC),
                   body=body)


def test_japanese_sentences_split_at_kuten_and_brackets():
    text = "防衛大臣は表敬を受けた。「連携を確認した」と述べた！次は？English follows. Next one."
    parts = [text[s:e] for s, e in split_sentences(text)]
    assert parts == ["防衛大臣は表敬を受けた。", "「連携を確認した」と述べた！", "次は？", "English follows.", "Next one."]


def test_offsets_reproduce_text_and_ids_are_stable():
    body = "\n\n".join(["第一段落の文です。" * 12, "短い見出し", "第二段落の文です。" * 30, "(以上)"])
    art = _article(body)
    chunks = chunk_article(art, ChunkerConfig(max_chars=120, min_chars=40))
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for c in chunks:
        assert body[c.start : c.end] == c.text
        assert c.chunk_id == f"{art.id}:{c.ordinal}"
        assert len(c.text) <= 120
    again = chunk_article(art, ChunkerConfig(max_chars=120, min_chars=40))
    assert [c.chunk_id for c in again] == [c.chunk_id for c in chunks]


def test_heading_joins_next_paragraph_and_closer_joins_previous():
    body = "見出しの行\n\n7月4日、防衛大臣は事務次長の表敬を受け、連携を確認した。今後も協力していく方針だ。\n\n(以上)"
    chunks = chunk_article(_article(body))
    assert len(chunks) == 1
    assert chunks[0].text.startswith("見出しの行") and chunks[0].text.endswith("(以上)")


def test_long_paragraph_split_with_overlap():
    sentences = [f"これは{i}番目の文であり、十分な長さを持っている。" for i in range(20)]
    body = "".join(sentences)
    spans = chunk_spans(body, ChunkerConfig(max_chars=100, min_chars=10, overlap_sentences=1))
    assert len(spans) > 3
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        assert s2 < e1, "consecutive chunks overlap by one sentence"


def test_title_travels_with_chunk():
    assert embedding_text("題", "本文") == "題\n本文"


def test_invalid_config_rejected():
    with pytest.raises(ValueError):
        ChunkerConfig(max_chars=5)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=3000))
def test_any_text_chunks_cover_only_real_text(body):
    spans = chunk_spans(body, ChunkerConfig(max_chars=200, min_chars=30))
    for s, e in spans:
        assert 0 <= s < e <= len(body)
        assert e - s <= 200
    # every non-space character is inside some chunk
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    assert all(i in covered for i, ch in enumerate(body) if not ch.isspace())

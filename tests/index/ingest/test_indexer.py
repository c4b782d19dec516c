from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from index.embedding.fake import HashEmbedder
from index.errors import IndexMismatchError
from index.ingest.chunks import annotate_dates
from index.ingest.indexer import Indexer
from index.ingest.merge import merge_batch
from index.ingest.report import IngestReport
from index.models import Article
from index.store.generation import Generation
from index.text.chunking import chunk_article

JST = timezone(timedelta(hours=9))


def art(slug: str, body: str = "", title: str = "", day: int = 8) -> Article:
    return Article(
        url=f"https://example.jp/articles/{slug}",
        title=title or f"{slug} の記事",
        published=datetime(2025, 7, day, 10, 0, tzinfo=JST),
        body=body or f"{slug}について。防衛省は7月4日に発表した。\n\n詳細は以下のとおり。" * 3,
        section="日本の防衛",
    )


class CountingEmbedder(HashEmbedder):
    def __init__(self):
        super().__init__(64)
        self.embedded = 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return super().embed_passages(texts)


def test_ingest_then_reingest_unchanged_does_no_work(tmp_path):
    emb = CountingEmbedder()
    indexer = Indexer(tmp_path, emb)
    r1 = indexer.ingest([art("a"), art("b")])
    assert (r1.added, r1.updated, r1.unchanged) == (2, 0, 0)
    assert r1.wrote and emb.embedded == r1.chunks_embedded > 0
    before = emb.embedded
    r2 = indexer.ingest([art("a"), art("b")])
    assert (r2.added, r2.updated, r2.unchanged) == (0, 0, 2)
    assert not r2.wrote and emb.embedded == before and r2.chunks_embedded == 0


def test_update_reembeds_only_changed_chunks(tmp_path):
    emb = CountingEmbedder()
    indexer = Indexer(tmp_path, emb)
    indexer.ingest([art("a"), art("b")])
    before = emb.embedded
    changed = replace(art("b"), body="全く新しい本文。護衛艦「よしの」が進水した。")
    r = indexer.ingest([changed])
    assert (r.added, r.updated, r.unchanged) == (0, 1, 0)
    assert emb.embedded - before == r.chunks_embedded == 1
    gen = Generation.open(tmp_path)
    bodies = {a.url: a.body for a in gen.articles()}
    assert bodies[changed.url] == changed.body and len(bodies) == 2


def test_full_rebuild_uses_cache_and_drops_absent(tmp_path):
    emb = CountingEmbedder()
    indexer = Indexer(tmp_path, emb)
    indexer.ingest([art("a"), art("b")])
    before = emb.embedded
    r = indexer.ingest([art("a")], full=True)
    assert r.wrote and r.articles_total == 1 and emb.embedded == before  # vectors came from the cache


def test_syndicated_duplicate_indexed_once_with_both_links(tmp_path):
    a = art("a")
    twin = replace(a, url="https://mirror.example.jp/a", title="転載")
    r = Indexer(tmp_path, HashEmbedder(64)).ingest([a, twin])
    assert (r.added, r.duplicates) == (1, 1)
    (stored,) = list(Generation.open(tmp_path).articles())
    assert stored.url == a.url and stored.alt_urls == (twin.url,)


def test_same_url_twice_in_batch_last_wins():
    report = IngestReport()
    merged, _changed = merge_batch({}, [art("a", body="古い本文。"), art("a", body="新しい本文。")], report)
    assert merged["https://example.jp/articles/a"].body == "新しい本文。" and report.added == 1


def test_prune_removes_only_matching(tmp_path):
    indexer = Indexer(tmp_path, HashEmbedder(64))
    indexer.ingest([art("a"), art("b")])
    r = indexer.ingest([], prune=lambda a: a.url.endswith("/b"))
    assert r.removed == 1 and [a.url for a in Generation.open(tmp_path).articles()] == [art("a").url]


def test_dates_attached_to_chunks():
    a = art("visit", body="令和7(2025)年7月4日(金)、防衛大臣は表敬を受けた。\n\n同日、外務省でも会談があった。")
    chunks = annotate_dates(a, chunk_article(a))
    days = {d.first.isoformat() for c in chunks for d in c.dates}
    assert "2025-07-04" in days


def test_other_model_refused(tmp_path):
    Indexer(tmp_path, HashEmbedder(64)).ingest([art("a")])
    with pytest.raises(IndexMismatchError, match="reindex --full"):
        Indexer(tmp_path, HashEmbedder(128)).ingest([art("b")])


def test_progress_reported(tmp_path):
    seen = []
    Indexer(tmp_path, HashEmbedder(64)).ingest([art("a")], progress=lambda s, d, t: seen.append((s, d, t)))
    stages = {s for s, _, _ in seen}
    assert {"chunk", "embed", "write"} <= stages
    assert ("embed", seen[-2][1], seen[-2][2]) in seen

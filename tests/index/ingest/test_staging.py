"""Ingest through its staging database: merging on keys gives what merging the articles gives, the rows come
in (published, URL) order, unchanged articles are read from the live generation one at a time, and the
input is a stream that is not kept."""

import gc
import weakref
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from index.embedding.fake import HashEmbedder
from index.ingest.indexer import Indexer
from index.ingest.merge import merge_batch
from index.ingest.report import IngestReport
from index.ingest.staging import STAGING_PREFIX, Staging, sort_key
from index.models import Article
from index.store.files import FileStore
from index.store.generation import Generation
from index.store.meta import ArticleKey

JST = timezone(timedelta(hours=9))


def art(slug: str, body: str = "", day: int = 8, hour: int = 10, tz=JST, url: str = "") -> Article:
    return Article(
        url=url or f"https://example.jp/articles/{slug}", title=f"{slug} の記事",
        published=datetime(2025, 7, day, hour, 0, tzinfo=tz),
        body=body or f"{slug}について。防衛省は7月4日に発表した。\n\n詳細は以下のとおり。" * 3,
        section="日本の防衛", source="test",
    )


def key_of(a: Article) -> ArticleKey:
    return ArticleKey(a.url, a.id, a.published.isoformat(), a.content_hash, a.body_hash, a.alt_urls)


LIVE = [art("a"), art("b", day=9), art("c", day=10),
        replace(art("d", day=11), alt_urls=("https://mirror.example/d",)),
        art("e", body=art("a").body, day=12)]  # e: a's body under another URL (indexed before this tool)
INCOMING = [
    art("a"),  # unchanged
    replace(art("b", day=9), body="新しい本文。護衛艦が入港した。"),  # updated
    art("x", body=art("c").body, url="https://mirror.example/c"),  # c syndicated: a duplicate
    art("n1", day=3), art("n2", day=3, body="二つ目。"),  # new
    art("n2", day=4, body="二つ目、改訂。"),  # the same URL again: the later wins, at its first place
    art("y", body="新しい本文。護衛艦が入港した。", url="https://mirror.example/b"),  # b's new body elsewhere
    art("z", body=art("b").body, url="https://mirror.example/b-old"),  # b's old body: still b's
    art("w", body="二つ目、改訂。", url="https://mirror.example/n2"),  # a twin of a new article
    replace(art("d", day=11), alt_urls=()),  # unchanged (alt_urls are not content)
]


def staged_merge(live: list[Article], incoming: list[Article]):
    report = IngestReport()
    with Staging() as st:
        st.add_live(key_of(a) for a in live)
        st.add_incoming(iter(incoming))
        st.merge(report)
        rows = st.db.execute("SELECT url, alt_urls, content_hash, new, changed FROM merged ORDER BY url").fetchall()
    return report, rows


def test_merging_keys_gives_what_merging_articles_gives():
    want_report = IngestReport()
    merged, changed = merge_batch({a.url: a for a in LIVE}, INCOMING, want_report)
    report, rows = staged_merge(LIVE, INCOMING)
    assert (report.added, report.updated, report.unchanged, report.duplicates) == (
        want_report.added, want_report.updated, want_report.unchanged, want_report.duplicates) == (2, 1, 2, 4)
    assert report.statuses == want_report.statuses
    import json

    got = {url: (tuple(json.loads(alt)), ch, bool(c)) for url, alt, ch, _new, c in rows}
    assert got == {url: (a.alt_urls, a.content_hash, url in changed) for url, a in merged.items()}
    new = {url for url, *_rest, n, _c in rows if n}
    assert new == {url for url in changed if url not in {a.url for a in LIVE}} | {INCOMING[1].url}


def test_rows_are_in_published_then_url_order_across_time_zones():
    utc_first = art("u", day=8, hour=0, tz=UTC)  # 09:00 JST: after 08:00 JST, before 10:00 JST
    same_instant = [art("t2", day=8, hour=9), art("t1", day=8, hour=0, tz=UTC, url="https://example.jp/articles/t1")]
    arts = [art("late", day=20), art("early", day=1, hour=8), art("jst8", day=8, hour=8), utc_first, *same_instant]
    report = IngestReport()
    with Staging() as st:
        st.add_incoming(arts)
        st.merge(report)
        st.order(None, lambda a: 1)
        got = [a.url for a in st.articles()]
    want = [a.url for a in sorted(arts, key=lambda a: (a.published, a.url))]
    assert got == want
    assert sort_key(datetime(2025, 7, 8, 9, tzinfo=JST)) == sort_key(datetime(2025, 7, 8, 0, tzinfo=UTC))


class RecordingStore(FileStore):
    """A folder store whose live generation records which articles ingest reads from it."""

    def __init__(self, folder):
        super().__init__(folder)
        self.read_ids: list[str] = []
        self.listed = 0

    def open_live(self, *, model_id=None):
        gen = super().open_live(model_id=model_id)
        store = self

        class Recording:
            def __getattr__(self, name):
                return getattr(gen, name)

            def articles(self):
                store.listed += 1
                return gen.articles()

            def article(self, article_id):
                store.read_ids.append(article_id)
                return gen.article(article_id)

        return Recording()


def live_articles(folder) -> dict[str, Article]:
    gen = Generation.open(folder)
    try:
        return {a.url: a for a in gen.articles()}
    finally:
        gen.close()


def test_unchanged_articles_are_read_from_the_live_generation_one_at_a_time(tmp_path):
    store = RecordingStore(tmp_path)
    indexer = Indexer(store, HashEmbedder(64), batch_size=8)
    indexer.ingest(LIVE)
    before = live_articles(tmp_path)
    r = indexer.ingest(INCOMING, prune=lambda a: a.url.endswith("/d"))
    assert store.listed == 0  # never the whole live generation
    after = live_articles(tmp_path)
    ids = {u.rsplit("/", 1)[1]: a.id for u, a in before.items()}
    # prune reads each unchanged article (a, d); ordering each kept one whose body is the live one (a, and c,
    # which only gained an alternative URL); the others come from the input
    assert sorted(store.read_ids) == sorted([ids["a"], ids["d"], ids["a"], ids["c"]])
    assert r.removed == 1 and "https://example.jp/articles/d" not in after
    assert after["https://example.jp/articles/a"] == before["https://example.jp/articles/a"]
    assert after["https://example.jp/articles/a"].alt_urls == ("https://example.jp/articles/e",)
    assert after["https://example.jp/articles/b"].body == INCOMING[1].body
    assert after["https://example.jp/articles/c"].alt_urls == ("https://mirror.example/c",)
    assert after["https://example.jp/articles/b"].alt_urls == ("https://mirror.example/b", "https://mirror.example/b-old")
    assert list(after) == [a.url for a in sorted(after.values(), key=lambda a: (a.published, a.id))]


def test_the_same_generation_as_ingesting_everything_again(tmp_path):
    """Incremental (bodies of unchanged articles read lazily, their English reused) = a full rebuild."""
    indexer = Indexer(tmp_path / "inc", HashEmbedder(64), batch_size=8)
    indexer.ingest(LIVE)
    indexer.ingest(INCOMING)
    final = live_articles(tmp_path / "inc")
    Indexer(tmp_path / "full", HashEmbedder(64), batch_size=8).ingest(list(final.values()), full=True)
    a, b = Generation.open(tmp_path / "inc"), Generation.open(tmp_path / "full")
    try:
        assert list(a.articles()) == list(b.articles()) and a.chunk_rows() == b.chunk_rows()
        assert {n: a.blob(n) for n in a.manifest.files if n.endswith((".json", ".npz"))} == {
            n: b.blob(n) for n in b.manifest.files if n.endswith((".json", ".npz"))}
    finally:
        a.close()
        b.close()


class FirstBatchEmbedder(HashEmbedder):
    """Records, at its first batch, how many articles the input gave and how many of them are still alive."""

    def __init__(self, refs):
        super().__init__(64)
        self.refs, self.at_first = refs, None

    def embed_passages(self, texts):
        if self.at_first is None:
            gc.collect()
            self.at_first = (len(self.refs), sum(r() is not None for r in self.refs))
        return super().embed_passages(texts)


def test_a_generator_input_is_read_once_and_not_kept(tmp_path):
    refs = []

    def stream():
        for i in range(40):
            a = art(f"s{i}", day=1 + i % 20, body=f"第{i}報。防衛省は7月{1 + i % 20}日に発表した。\n\n詳細は以下のとおり。")
            refs.append(weakref.ref(a))
            yield a

    emb = FirstBatchEmbedder(refs)
    r = Indexer(tmp_path, emb, batch_size=4).ingest(stream())
    assert r.added == 40 and r.wrote
    assert emb.at_first == (40, 0)  # all read (to order them) before the first batch, none of them kept
    assert len(live_articles(tmp_path)) == 40


def test_the_staging_files_have_no_name_and_a_crashed_opening_is_cleaned_up(tmp_path):
    stale = tmp_path / f"{STAGING_PREFIX}dead.sqlite"  # a crash between creating the file and unlinking it
    tmp_path.mkdir(exist_ok=True)
    stale.write_bytes(b"")
    seen = []

    def look(step):  # while the generation is written, from the staging file and blob files
        seen.append(sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".lock"))
        if step == "meta" and len(seen) > 20:
            raise RuntimeError("simulated crash")

    Indexer(tmp_path, HashEmbedder(64), crash_hook=look).ingest([art("a")])
    assert not stale.exists() and seen and all(names == [] for names in seen)
    seen.extend([None] * 20)
    with pytest.raises(RuntimeError):
        Indexer(tmp_path, HashEmbedder(64), crash_hook=look).ingest([art("b")])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".lock"]
    assert set(live_articles(tmp_path)) == {art("a").url}


def test_the_live_english_is_kept_for_unchanged_articles_only(caplog):
    import json

    report = IngestReport()
    with Staging() as st:
        st.add_live(key_of(a) for a in LIVE)
        st.add_incoming(INCOMING)
        st.merge(report)
        stored = {a.id: {"title_en": f"English of {a.url}", "sentences": [], "names": {}} for a in LIVE}
        st.add_previous_english(json.dumps({**stored, "unknown": {"title_en": "x"}}, ensure_ascii=False).encode())
        a, b = LIVE[0], LIVE[1]  # unchanged, updated
        assert st.previous_english(a.id) == stored[a.id]
        assert st.previous_english(b.id) is None and st.previous_english("unknown") is None
        st.add_previous_english(b'{"' + a.id.encode() + b'": {"title_en": "cut off')
        assert st.previous_english(a.id) is None  # an unreadable file: everything is rendered again
    assert "cannot read english.json" in caplog.text

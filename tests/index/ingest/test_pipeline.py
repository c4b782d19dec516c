"""The ingest pipeline: the same generation whatever the number of embedding workers, progress that only
goes up, the vectors spooled row by row, and a failing worker as one line that leaves the index alone."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from index.embedding.fake import HashEmbedder
from index.embedding.protocol import EmbedderSpec
from index.errors import DefnewsError
from index.ingest.indexer import Indexer
from index.ingest.spool import VectorSpool
from index.ingest.workers import auto_workers, resolve_workers, worker_threads
from index.store.generation import Generation
from index.store.keyword_files import KEYWORD_FILE, keyword_index_file

JST = timezone(timedelta(hours=9))
BODIES = [
    "防衛省は7月{d}日、護衛艦「もがみ」の進水式を行った。\n\n同日、防衛大臣は記者会見で説明した。",
    "令和7年7月{d}日(金)、統合幕僚長は米インド太平洋軍司令官の表敬を受けた。\n\n翌日には共同訓練が始まった。",
    "航空自衛隊はF-35Aの配備について発表した。\n\n配備は{d}日から段階的に進める。\n\n詳細は後日公表する。",
]


def corpus(n: int = 18):
    from index.models import Article

    return [
        Article(url=f"https://example.jp/a/{i}", title=f"記事{i} 防衛ニュース",
                published=datetime(2025, 7, 1 + i % 20, 9, 0, tzinfo=JST),
                body=BODIES[i % 3].format(d=1 + i % 20) + f"\n\n第{i}報。" * (1 + i % 4), section="日本の防衛")
        for i in range(n)
    ]


def snapshot(folder):
    gen = Generation.open(folder)
    try:
        rows = [(r.row, r.chunk) for r in gen.chunk_rows()]
        blobs = {n: gen.blob(n) for n in gen.manifest.files if n.endswith((".json", ".npz"))}
        return [a.id for a in gen.articles()], rows, gen.vectors(), blobs
    finally:
        gen.close()


def test_two_workers_write_the_same_generation_as_one(tmp_path):
    arts = corpus()
    one = Indexer(tmp_path / "one", HashEmbedder(64), batch_size=8).ingest(arts)
    two = Indexer(tmp_path / "two", HashEmbedder(64), batch_size=8, workers=2).ingest(arts)
    assert one.chunks_total == two.chunks_total == one.chunks_embedded == two.chunks_embedded > 16
    ids1, rows1, vec1, blobs1 = snapshot(tmp_path / "one")
    ids2, rows2, vec2, blobs2 = snapshot(tmp_path / "two")
    assert ids1 == ids2 and rows1 == rows2
    np.testing.assert_allclose(vec1, vec2, atol=1e-6)
    assert set(blobs1) == set(blobs2) >= {KEYWORD_FILE, "english.json", "events.json", "headlines.json"}
    assert blobs1 == blobs2


def test_keyword_index_built_on_the_way_equals_the_one_built_at_once(tmp_path):
    Indexer(tmp_path, HashEmbedder(64), batch_size=5).ingest(corpus(7))
    gen = Generation.open(tmp_path)
    try:
        chunks = [r.chunk for r in gen.chunk_rows()]
        assert gen.blob(KEYWORD_FILE) == keyword_index_file(list(gen.articles()), chunks)[1]
    finally:
        gen.close()


def test_warm_cache_gives_the_same_vectors_without_embedding(tmp_path):
    arts = corpus(9)
    Indexer(tmp_path, HashEmbedder(64), batch_size=4).ingest(arts)
    _, _, before, _ = snapshot(tmp_path)
    again = Indexer(tmp_path, HashEmbedder(64), batch_size=4, workers=2).ingest(arts, full=True)
    assert again.wrote and again.chunks_embedded == 0
    np.testing.assert_array_equal(snapshot(tmp_path)[2], before)


def test_progress_counts_only_go_up_and_end_at_the_totals(tmp_path):
    seen = []
    r = Indexer(tmp_path, HashEmbedder(64), batch_size=4).ingest(corpus(10), progress=lambda *a: seen.append(a))
    for stage, total in (("chunk", 10), ("embed", r.chunks_total)):
        counts = [d for s, d, t in seen if s == stage]
        assert counts == sorted(counts) and counts[0] == 0 and counts[-1] == total, stage
        assert {t for s, _, t in seen if s == stage} == {total}
        assert len(counts) > 3  # reported batch by batch, not only at the end
    assert [s for s, _, _ in seen][-2:] == ["write", "write"]


class FailingInWorkers(HashEmbedder):
    """Embeds here, but its worker processes are told to build an invalid embedder (dimension 5)."""

    def spec(self):
        return EmbedderSpec("hash", "5")


def test_a_failing_worker_is_one_line_and_the_live_index_stays(tmp_path):
    Indexer(tmp_path, HashEmbedder(64)).ingest(corpus(3))
    live = Generation.open(tmp_path).id
    with pytest.raises(DefnewsError) as err:
        Indexer(tmp_path, FailingInWorkers(64), workers=2).ingest(corpus(6)[3:])
    assert "\n" not in str(err.value) and "dimension" in str(err.value)
    assert Generation.open(tmp_path).id == live
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gen-")) == [live]


def test_spool_takes_rows_in_any_order():
    rng = np.random.default_rng(0)
    want = rng.standard_normal((10, 4)).astype(np.float32)
    with VectorSpool(10, 4) as spool:
        spool.write(6, want[6:])
        spool.write(0, want[:3])
        spool.write(3, want[3:6])
        np.testing.assert_array_equal(spool.array(), want)
        with pytest.raises(ValueError):
            spool.write(8, want[:3])
    with VectorSpool(0, 4) as empty:
        assert empty.array().shape == (0, 4)


def test_workers_setting_values():
    assert resolve_workers("3") == 3 and resolve_workers(1) == 1
    assert 1 <= resolve_workers("auto") <= 4
    assert auto_workers(2) == 1 and auto_workers(8) == 4 and auto_workers(64) == 4
    assert worker_threads(0, 2, cores=2) == 1 and worker_threads(0, 2, cores=8) == 4 and worker_threads(6, 4) == 1
    for bad in ("0", "65", "many"):
        with pytest.raises(ValueError):
            resolve_workers(bad)


def test_embedder_without_a_spec_embeds_in_this_process(tmp_path, caplog):
    class NoSpec:
        model_id, dim = "nospec:1", 16

        def __init__(self):
            self.inner = HashEmbedder(16)

        def warm_up(self):
            pass

        def embed_passages(self, texts):
            return self.inner.embed_passages(texts)

        def embed_query(self, text):
            return self.inner.embed_query(text)

    r = Indexer(tmp_path, NoSpec(), workers=2).ingest([replace(a, section="") for a in corpus(2)])
    assert r.wrote and r.chunks_embedded == r.chunks_total
    assert "cannot run in worker processes" in caplog.text

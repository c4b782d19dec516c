"""The PostgreSQL store against a real server: same answers as the folder store, generations, named blobs,
pruning under readers, the writer lock, the shared cache and documents."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import psycopg
import pytest

from index.embedding.fake import HashEmbedder
from index.errors import IndexCorruptError, IndexMismatchError
from index.ingest.indexer import Indexer
from index.models import Query
from index.search.searcher import Searcher
from index.service import IndexService
from index.sources.config import default_sources
from index.store.files import FileStore
from index.store.open import open_store
from index.store.postgres.store import PostgresStore, WriterBusyError
from index.store.protocol import NewGeneration
from index.text.chunking import chunk_article

from .corpus import corpus

EMB = HashEmbedder(64)
QUESTIONS = ["who visited MOD on July 4", "護衛艦の入港", "F-35 delivery", "防衛大臣 会談 豪州", "概算要求"]


def test_same_answers_as_the_folder_store(pg_url, sample_dir, tmp_path):
    emb = HashEmbedder(256)
    on_pg = IndexService(PostgresStore(pg_url), emb, default_sources(sample_dir))
    on_files = IndexService(tmp_path / "index", emb, default_sources(sample_dir))
    on_pg.reindex()
    on_files.reindex()
    assert on_pg.stats()["chunks"] == on_files.stats()["chunks"] > 50
    for q in QUESTIONS:
        a, b = on_pg.search(Query(q)), on_files.search(Query(q))
        assert [(h.chunk_id, h.passage, h.score) for h in a.hits] == [(h.chunk_id, h.passage, h.score) for h in b.hits]
        assert a.confident == b.confident
    pg_gen = on_pg.store.open_live(model_id=emb.model_id)
    file_gen = on_files.store.open_live(model_id=emb.model_id)
    assert list(pg_gen.articles()) == list(file_gen.articles())
    assert pg_gen.chunk_rows() == file_gen.chunk_rows()
    assert np.array_equal(pg_gen.vectors(), file_gen.vectors())
    assert pg_gen.chunk_rows([3, 1]) == file_gen.chunk_rows([1, 3])
    first = next(iter(file_gen.articles()))
    assert pg_gen.article(first.id) == first and pg_gen.article("nope") is None
    # an unchanged corpus: nothing embedded, no new generation; the sources' state is in the database
    live = on_pg.store.live_id()
    report, _ = on_pg.reindex()
    assert (report.chunks_embedded, report.wrote, on_pg.store.live_id()) == (0, False, live)
    assert set(on_pg.source_states()) == set(on_files.source_states()) != set()


def _new(prefix: str, **blobs: bytes) -> NewGeneration:
    arts = corpus(prefix, 4)
    chunks = [c for a in arts for c in chunk_article(a)]
    return NewGeneration(articles=arts, chunks=chunks, vectors=EMB.embed_passages([c.text for c in chunks]),
                         model_id=EMB.model_id, extra_files=dict(blobs))


def test_named_blobs_ride_along_and_are_checked(pg_url):
    store = PostgresStore(pg_url)
    with store.writer():
        gid = store.write_generation(_new("https://a.example", **{"events.json": b'{"e": 1}'}))
    gen = store.open(gid, model_id=EMB.model_id)
    assert gen.blob("events.json") == b'{"e": 1}'
    assert gen.blob("keywords.npz") is None  # not written: the searcher builds the keyword index itself
    assert Searcher(gen, EMB).search(Query("護衛艦")).hits
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE defnews.blobs SET data = 'x'")
    with pytest.raises(IndexCorruptError, match=r"events\.json .* checksum"):
        gen.blob("events.json")


def test_old_generations_pruned_but_not_while_a_reader_holds_one(pg_url):
    store = PostgresStore(pg_url, keep=2)
    names = []
    with store.writer():
        names.append(store.write_generation(_new("https://a.example")))
    held = store.open(names[0], model_id=EMB.model_id)
    with store.writer():
        for p in ("https://b.example", "https://c.example"):
            names.append(store.write_generation(_new(p)))
    gens = lambda: [n for (n,) in psycopg.connect(pg_url).execute(  # noqa: E731
        "SELECT name FROM defnews.generations ORDER BY id").fetchall()]
    assert gens() == names  # the first is beyond keep=2, but a reader holds it
    assert {a.url.split("/")[2] for a in held.articles()} == {"a.example"}  # and it still reads whole
    held.close()
    with store.writer():
        store.remove_leftovers()
    assert gens() == names[1:]
    assert store.live_id() == names[-1]
    with psycopg.connect(pg_url) as conn:
        left = conn.execute("SELECT count(*) FROM defnews.vectors WHERE generation NOT IN "
                            "(SELECT id FROM defnews.generations)").fetchone()[0]
    assert left == 0


def test_second_writer_gets_a_clear_message(pg_url):
    first, second = PostgresStore(pg_url), PostgresStore(pg_url)
    with first.writer(), pytest.raises(WriterBusyError) as err, second.writer(wait=False):
        pass
    msg = str(err.value)
    assert "another process is writing the index in postgresql://postgres@/" in msg
    assert "defnews from this host, database session" in msg and "\n" not in msg
    with second.writer(wait=False):  # free again once the first is done
        pass


def test_embedding_cache_is_shared_between_processes_stores(pg_url):
    arts = corpus("https://a.example", 6)
    Indexer(PostgresStore(pg_url), EMB).ingest(arts)
    report = Indexer(PostgresStore(pg_url), EMB).ingest(arts, full=True)
    assert report.wrote and report.chunks_embedded == 0


def test_other_model_is_refused(pg_url):
    store = PostgresStore(pg_url)
    Indexer(store, EMB).ingest(corpus("https://a.example", 3))
    with pytest.raises(IndexMismatchError, match="model"):
        store.open_live(model_id="another-model")


def test_pghnsw_generation_is_searched_by_the_database(pg_url):
    """With the vectors searched through pgvector's HNSW index the answers on a small corpus are those of
    exact search (the graph reaches every vector when ef_search exceeds the corpus)."""
    arts = corpus("https://a.example", 24)
    flat = PostgresStore(pg_url)
    Indexer(flat, EMB).ingest(arts)
    exact = Searcher(flat.open_live(model_id=EMB.model_id), EMB)
    Indexer(flat, EMB, index_type="pghnsw16:400").ingest(arts, full=True)
    gen = flat.open_live(model_id=EMB.model_id)
    assert gen.manifest.index_type == "pghnsw16:400" and gen.faiss is None
    approx = Searcher(gen, EMB)
    qv = EMB.embed_query("護衛艦の入港")
    assert list(approx.dense.top(qv, 10)) == list(exact.dense.top(qv, 10))
    rows = np.array([5, 1, 9, 20])
    assert list(approx.dense.top(qv, 3, rows)) == list(exact.dense.top(qv, 3, rows))
    assert np.allclose(approx.dense.dot(rows, qv), exact.dense.dot(rows, qv))
    assert np.array_equal(approx.dense.sample, exact.dense.sample)
    for q in QUESTIONS:
        assert [h.chunk_id for h in approx.search(Query(q)).hits] == [h.chunk_id for h in exact.search(Query(q)).hits]


def test_pghnsw_index_is_used_and_finds_the_nearest(pg_url):
    """On 3000 random vectors the planner walks the generation's HNSW index, and its top 10 are mostly the
    exact top 10 (the benchmark measures the recall on real vectors)."""
    rng = np.random.default_rng(1)
    n, dim = 3000, 32
    vecs = rng.standard_normal((n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    art = corpus("https://a.example", 1)[0]
    chunk = chunk_article(art)[0]
    store = PostgresStore(pg_url)
    with store.writer():
        store.write_generation(NewGeneration([art], [chunk] * n, vecs, "random"), index_type="pghnsw16:40")
    gen = store.open_live()
    with psycopg.connect(pg_url) as conn:
        plan = "\n".join(r[0] for r in conn.execute(
            f"EXPLAIN SELECT row FROM defnews.vectors WHERE generation = {gen.gid} ORDER BY "
            f"embedding::vector({dim}) <#> %s::vector({dim}) LIMIT 10", (str([0.1] * dim),)).fetchall())
    assert f"Index Scan using vectors_hnsw_g{gen.gid}" in plan
    dense = gen.dense_search()
    found = 0
    for qv in vecs[:20] + 0.1 * rng.standard_normal((20, dim)).astype(np.float32):
        exact = np.argsort(-(vecs @ qv), kind="stable")[:10]
        found += len(set(dense.top(qv, 10).tolist()) & set(exact.tolist()))
    assert found / 200 >= 0.8


def test_folder_store_refuses_pghnsw(tmp_path):
    with pytest.raises(Exception, match="DEFNEWS_STORE_URL"):
        Indexer(tmp_path / "i", EMB, index_type="pghnsw").ingest(corpus("https://a.example", 2))


def test_open_store_selects_by_url(pg_url, tmp_path):
    assert isinstance(open_store(None, tmp_path), FileStore)
    assert isinstance(open_store("  ", tmp_path), FileStore)
    store = open_store(pg_url, tmp_path)
    assert isinstance(store, PostgresStore) and store.kind == "postgres"
    assert not Path(tmp_path).joinpath("CURRENT").exists()


def test_a_service_follows_generations_made_live_by_another_process(pg_url):
    store = PostgresStore(pg_url)
    Indexer(store, EMB).ingest(corpus("https://a.example", 4))
    service = IndexService(PostgresStore(pg_url), EMB, default_sources(Path(".")), follow_seconds=0.1)
    assert IndexService(PostgresStore(pg_url), EMB, default_sources(Path("."))).follow_seconds == 30.0
    first = service.searcher.gen.id
    Indexer(store, EMB).ingest(corpus("https://b.example", 4), full=True)  # "another process" writes
    deadline = time.monotonic() + 10
    while service.searcher.gen.id == first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.searcher.gen.id == store.live_id() != first
    assert {a.url.split("/")[2] for a in service.searcher.articles.values()} == {"b.example"}
    service.close()


def test_dropped_connections_are_opened_again(pg_url):
    """The server ends every defnews session (a restart, a failover): the store and a pghnsw search open
    their connections again instead of failing from then on."""
    store = PostgresStore(pg_url)
    Indexer(store, EMB, index_type="pghnsw").ingest(corpus("https://a.example", 6))
    searcher = Searcher(store.open_live(model_id=EMB.model_id), EMB)
    before = [h.chunk_id for h in searcher.search(Query("護衛艦")).hits]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        ended = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE application_name = 'defnews'").fetchone()[0]
    assert ended >= 2
    assert [h.chunk_id for h in searcher.search(Query("護衛艦")).hits] == before
    assert store.live_id() is not None and store.read_doc("nothing") is None


def test_a_streamed_incremental_ingest_writes_what_the_folder_store_writes(pg_url, tmp_path):
    """Updated, unchanged, syndicated and pruned articles, the unchanged ones read from the live generation
    one at a time, rows and blobs (written from files) streamed: the same generation in both stores."""
    from dataclasses import replace

    arts = corpus("https://s.example", 10)
    second = [replace(arts[1], body=arts[1].body + "追記。"), arts[2],
              replace(arts[3], url="https://mirror.example/3"), *corpus("https://t.example", 12)[10:]]
    stores = {"pg": PostgresStore(pg_url), "files": FileStore(tmp_path / "index")}
    reports = {}
    for name, store in stores.items():
        indexer = Indexer(store, EMB, batch_size=4)
        indexer.ingest(iter(arts))
        reports[name] = indexer.ingest((a for a in second), prune=lambda a: a.url.endswith("/5"))
    assert reports["pg"].as_dict() | {"seconds": 0, "generation": ""} == \
        reports["files"].as_dict() | {"seconds": 0, "generation": ""}
    assert (reports["pg"].added, reports["pg"].updated, reports["pg"].unchanged, reports["pg"].duplicates,
            reports["pg"].removed) == (2, 1, 1, 1, 1)
    pg_gen = stores["pg"].open_live(model_id=EMB.model_id)
    file_gen = stores["files"].open_live(model_id=EMB.model_id)
    assert list(pg_gen.articles()) == list(file_gen.articles())
    assert list(pg_gen.article_keys()) == list(file_gen.article_keys())
    assert pg_gen.chunk_rows() == file_gen.chunk_rows()
    assert np.array_equal(pg_gen.vectors(), file_gen.vectors())
    names = set(file_gen.manifest.files) - {"manifest.json", "meta.sqlite", "vectors.faiss"}
    assert names == set(pg_gen.manifest.files) == {"keywords.npz", "headlines.json", "english.json", "events.json"}
    assert {n: pg_gen.blob(n) for n in names} == {n: file_gen.blob(n) for n in names}
    assert pg_gen.manifest.info["stored_bytes"] > pg_gen.vectors().nbytes
    pg_gen.close()
    file_gen.close()

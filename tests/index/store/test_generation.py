"""index.store: atomic writes, generations, pruning, the embedding cache, the writer lock, fault points."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from index.durable import (
    CRASH_TRACE_ENV,
    atomic_write_bytes,
    ensure_index_folder,
    fault_point,
    writer_lock,
)
from index.embedding.fake import HashEmbedder
from index.errors import DefnewsError, IndexCorruptError, IndexFolderError, IndexMissingError
from index.ingest.indexer import Indexer
from index.models import Article
from index.store.cache import EmbeddingCache
from index.store.generation import (
    Generation,
    NewGeneration,
    current_generation,
    previous_generations,
    prune_generations,
    remove_leftovers,
    write_generation,
)
from index.store.manifest import CURRENT, MANIFEST, META, Manifest
from index.store.vectors import build_faiss, write_faiss
from index.text.chunking import chunk_article

JST = timezone(timedelta(hours=9))
EMB = HashEmbedder(64)
STEPS = ["mkdir", "vectors", "meta", "fsync", "manifest", "renamed", "rename", "current", "pruned"]


def art(slug: str) -> Article:
    return Article(
        url=f"https://example.jp/{slug}", title=f"{slug}の記事", published=datetime(2025, 7, 8, 10, tzinfo=JST),
        body=f"{slug}について防衛省が発表した。\n\n護衛艦が入港した。", section="日本の防衛",
    )


def new_gen(*slugs: str) -> NewGeneration:
    arts = [art(s) for s in slugs]
    chunks = [c for a in arts for c in chunk_article(a)]
    return NewGeneration(articles=arts, chunks=chunks, vectors=EMB.embed_passages([c.text for c in chunks]),
                         model_id=EMB.model_id)


def urls(index_dir: Path) -> set[str]:
    gen = Generation.open(index_dir, model_id=EMB.model_id)
    try:
        return {a.url for a in gen.articles()}
    finally:
        gen.close()


# --------------------------------------------------------------------------- atomic writes


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "state.json"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_atomic_write_failure_keeps_old_content_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    atomic_write_bytes(target, b"old")

    def boom(*a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_stale_temp_files_of_crashed_writers_are_removed_fresh_ones_kept(tmp_path):
    target = tmp_path / "CURRENT"
    stale, fresh = tmp_path / ".CURRENT.dead0001.tmp", tmp_path / ".CURRENT.live0002.tmp"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"y")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    atomic_write_bytes(target, b"gen\n")
    assert not stale.exists() and fresh.exists()


# --------------------------------------------------------------------------- generations


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_leaves_old_or_new_and_the_next_write_cleans_up(tmp_path, step):
    write_generation(tmp_path, new_gen("a", "b"))

    def hook(name):
        if name == step:
            raise RuntimeError(f"simulated crash at {name}")

    with pytest.raises(RuntimeError):
        write_generation(tmp_path, new_gen("b", "c"), crash_hook=hook)
    after_switch = STEPS.index(step) >= STEPS.index("current")
    expected = {"https://example.jp/b", "https://example.jp/c"} if after_switch else {
        "https://example.jp/a", "https://example.jp/b"}
    assert urls(tmp_path) == expected
    for prev in previous_generations(tmp_path):  # every complete-named generation is whole
        Generation.open_path(prev, model_id=EMB.model_id).close()
    with writer_lock(tmp_path):
        remove_leftovers(tmp_path)
    assert not list(tmp_path.glob("gen-*.tmp")) and not list(tmp_path.glob("gen-*.trash"))
    write_generation(tmp_path, new_gen("b", "c"))
    assert urls(tmp_path) == {"https://example.jp/b", "https://example.jp/c"}


def test_metadata_is_bound_to_its_manifest(tmp_path):
    gen = write_generation(tmp_path, new_gen("a"))
    manifest = Manifest.from_json((gen / MANIFEST).read_text("utf-8"), gen / MANIFEST)
    db = sqlite3.connect(gen / META)
    (value,) = db.execute("SELECT value FROM info WHERE key = 'generation'").fetchone()
    db.close()
    assert manifest.generation == gen.name == json.loads(value)


def test_prune_keeps_live_and_newest_and_removes_debris_and_orphans(tmp_path):
    gens = [write_generation(tmp_path, new_gen("a"), keep=10) for _ in range(4)]
    live = gens[2]
    (tmp_path / CURRENT).write_text(live.name + "\n")  # gens[3] is now an orphan: never made live
    (tmp_path / (gens[0].name + ".tmp")).mkdir()
    (tmp_path / (gens[0].name + ".trash")).mkdir()
    (tmp_path / ".CURRENT.abcd1234.tmp").write_text("x")
    prune_generations(tmp_path, keep=2)
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("gen-", ".CURRENT")))
    assert left == [gens[1].name, gens[2].name]
    assert current_generation(tmp_path) == live
    assert previous_generations(tmp_path) == [gens[1]]


def test_prune_with_a_damaged_pointer_removes_only_unfinished_folders(tmp_path):
    gens = [write_generation(tmp_path, new_gen("a"), keep=10) for _ in range(3)]
    (tmp_path / (gens[0].name + ".tmp")).mkdir()
    (tmp_path / CURRENT).write_bytes(b"\xff\xfe")
    prune_generations(tmp_path, keep=1)
    assert all(g.exists() for g in gens)
    assert not (tmp_path / (gens[0].name + ".tmp")).exists()


def test_full_rebuild_works_over_a_damaged_pointer(tmp_path):
    Indexer(tmp_path, EMB).ingest([art("a")])
    (tmp_path / CURRENT).write_text("gen-20990101T000000000000Z-abcdef\n")
    with pytest.raises(IndexCorruptError):
        Indexer(tmp_path, EMB).ingest([art("b")])
    Indexer(tmp_path, EMB).ingest([art("b")], full=True)
    assert urls(tmp_path) == {"https://example.jp/b"}


def test_no_index_is_reported_as_missing(tmp_path):
    with pytest.raises(IndexMissingError):
        Generation.open(tmp_path, model_id=EMB.model_id)


@pytest.mark.parametrize(
    "text",
    ["[]", '{"schema_version": 1}', '{"schema_version": 1, "model_id": "m", "dim": 4, "articles": 0, '
     '"chunks": 0, "created_at": "x", "files": {"../../etc/passwd": {}}}',
     '{"schema_version": "x", "model_id": "m", "dim": 4, "articles": 0, "chunks": 0, "created_at": "x"}',
     "[" * 100_000],
)
def test_bad_manifests_are_corrupt_with_one_line(tmp_path, text):
    with pytest.raises(IndexCorruptError) as info:
        Manifest.from_json(text, tmp_path / MANIFEST)
    assert str(tmp_path / MANIFEST) in str(info.value) and "\n" not in str(info.value)


# --------------------------------------------------------------------------- embedding cache


def test_cache_uses_wal_and_survives_a_restart(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = EmbeddingCache(path)
    vecs = EMB.embed_passages(["護衛艦", "潜水艦"])
    cache.put_many(EMB.model_id, ["護衛艦", "潜水艦"], vecs)
    (mode,) = cache._db.execute("PRAGMA journal_mode").fetchone()
    cache.close()
    assert mode == "wal"
    again = EmbeddingCache(path)
    got = again.get_many(EMB.model_id, ["潜水艦", "戦車", "護衛艦"], EMB.dim)
    again.close()
    assert got[1] is None
    np.testing.assert_array_equal(got[0], vecs[1])
    np.testing.assert_array_equal(got[2], vecs[0])


def test_cache_ignores_other_models_and_dimensions(tmp_path):
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    cache.put_many("other-model", ["a"], np.ones((1, EMB.dim), np.float32))
    cache.put_many(EMB.model_id, ["b"], np.ones((1, 8), np.float32))
    assert cache.get_many(EMB.model_id, ["a", "b"], EMB.dim) == [None, None]
    cache.close()


def test_a_damaged_cache_is_set_aside_and_rebuilt(tmp_path, caplog):
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not a database" * 200)
    cache = EmbeddingCache(path)
    cache.put_many(EMB.model_id, ["a"], EMB.embed_passages(["a"]))
    assert cache.get_many(EMB.model_id, ["a"], EMB.dim)[0] is not None
    cache.close()
    assert list(tmp_path.glob("cache.sqlite.corrupt-*"))
    assert "unreadable" in caplog.text


def test_a_cache_that_cannot_be_opened_is_not_taken_for_damaged(tmp_path):
    (tmp_path / "cache.sqlite").mkdir()  # SQLite cannot open it; setting it aside would hide the real problem
    with pytest.raises(sqlite3.OperationalError):
        EmbeddingCache(tmp_path / "cache.sqlite")
    assert not list(tmp_path.glob("cache.sqlite.corrupt-*"))


def test_a_cache_write_interrupted_inside_its_transaction_stores_nothing(tmp_path, monkeypatch):
    import index.store.cache as store

    cache = EmbeddingCache(tmp_path / "cache.sqlite")

    def interrupted(step):
        if step == "cache:insert":  # rows inserted, not yet committed
            raise KeyboardInterrupt

    monkeypatch.setattr(store, "fault_point", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.put_many(EMB.model_id, ["a", "b"], EMB.embed_passages(["a", "b"]))
    assert cache.get_many(EMB.model_id, ["a", "b"], EMB.dim) == [None, None]
    cache.close()


# --------------------------------------------------------------------------- lock and fault points


def test_writer_lock_excludes_a_second_writer(tmp_path):
    with writer_lock(tmp_path), pytest.raises(DefnewsError, match="another process"), \
            writer_lock(tmp_path, wait=False):
        pass
    with writer_lock(tmp_path, wait=False):  # released
        pass


def test_the_index_folder_is_created_or_refused_with_one_line(tmp_path):
    ensure_index_folder(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir() and not [p for p in (tmp_path / "a" / "b").iterdir() if p.name != ".lock"]
    (tmp_path / "afile").write_text("x")
    for where in (tmp_path / "afile", tmp_path / "afile" / "sub"):
        with pytest.raises(IndexFolderError, match=f"^{tmp_path / 'afile'} is a file, not a folder"):
            ensure_index_folder(where)
        with pytest.raises(IndexFolderError, match="is a file, not a folder"), writer_lock(where):
            pass
        with pytest.raises(IndexFolderError, match="is a file, not a folder"):
            current_generation(where)


def test_a_faiss_write_on_a_full_disk_is_the_oserror_it_is():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with pytest.raises(OSError) as info:
        write_faiss(build_faiss(EMB.embed_passages(["護衛艦"] * 3000), EMB.dim), Path("/dev/full"))
    assert info.value.errno == errno.ENOSPC and info.value.filename == "/dev/full"


def test_fault_points_are_inert_unless_a_test_sets_them(tmp_path, monkeypatch):
    import index.durable as store

    before = store._fault_steps
    fault_point("gen:mkdir")
    assert store._fault_steps == before
    trace = tmp_path / "trace.txt"
    monkeypatch.setenv(CRASH_TRACE_ENV, str(trace))
    write_generation(tmp_path / "idx", new_gen("a"))
    steps = [ln.split(" ", 1)[1] for ln in trace.read_text().splitlines()]
    assert steps[0] == "gen:mkdir" and "atomic:CURRENT:replaced" in steps and steps[-1] == "gen:pruned"

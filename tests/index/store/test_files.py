"""The folder store behind the store protocol: the same files as always, generations by id, documents."""

from __future__ import annotations

import pytest

from index.embedding.fake import HashEmbedder
from index.errors import IndexMissingError
from index.ingest.collect import STATE_FILE
from index.ingest.indexer import Indexer
from index.models import Query
from index.search.searcher import Searcher
from index.store.files import FileStore, as_store
from index.store.generation import Generation, current_generation

from .test_generation import art

EMB = HashEmbedder(64)


def test_a_generation_holds_the_same_files_and_opens_both_ways(tmp_path):
    store = FileStore(tmp_path)
    report = Indexer(store, EMB).ingest([art("a"), art("b")])
    live = current_generation(tmp_path)
    assert store.live_id() == report.generation == live.name
    assert sorted(p.name for p in live.iterdir()) == [
        "english.json", "events.json", "headlines.json", "keywords.npz", "manifest.json", "meta.sqlite", "vectors.faiss"]
    by_store = store.open(report.generation, model_id=EMB.model_id)
    by_path = Generation.open(tmp_path, model_id=EMB.model_id)
    assert by_store.id == by_path.id == live.name
    assert by_store.blob("keywords.npz") == (live / "keywords.npz").read_bytes()
    assert by_store.blob("meta.sqlite") is None and by_store.blob("nope") is None
    assert by_store.dense_search() is None
    assert Searcher.load(tmp_path, EMB).search(Query("護衛艦")).hits
    assert store.size_bytes(live.name) == sum(p.stat().st_size for p in live.iterdir())


def test_documents_are_files_of_the_folder(tmp_path):
    store = as_store(tmp_path)
    assert store.read_doc(STATE_FILE) is None
    store.write_doc(STATE_FILE, b'{"sources": []}')
    assert (tmp_path / STATE_FILE).read_bytes() == store.read_doc(STATE_FILE)
    for bad in ("", "../x", ".lock", "gen-20250101T000000000000Z-abcdef"):
        with pytest.raises(ValueError):
            store.write_doc(bad, b"x")


def test_open_an_unknown_generation(tmp_path):
    with pytest.raises(IndexMissingError):
        FileStore(tmp_path).open("not-a-generation")
    assert FileStore(tmp_path).live_id() is None

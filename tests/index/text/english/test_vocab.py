"""The rendering tables of glossary.toml: well formed, and apart from what search reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.text.english.vocab import POS, default_vocab, load_vocab
from index.text.glossary import default_glossary


def test_tables_are_well_formed():
    v = default_vocab()
    assert len(v.entries) > 300 and len(v.verbs) > 40
    for ja, e in v.entries.items():
        assert e.pos in POS, ja
        if e.pos == "suffix":
            assert "{}" in e.en, ja
        elif e.pos != "skip":
            assert e.en.strip(), ja
    for ja, verb in v.verbs.items():
        assert verb.past and verb.present, ja
        assert set(verb.args) <= {"を", "に", "で", "と", "から", "まで", "について", "として"}, ja
    assert v.countries["エストニア"] == "Estonia"


def test_search_does_not_read_the_rendering_tables():
    g = default_glossary()
    assert not any("Mitsubishi Heavy Industries" in t.en for t in g.terms)  # only a [[render]] entry


def test_a_bad_pos_is_refused(tmp_path: Path):
    bad = tmp_path / "g.toml"
    bad.write_text('[[render]]\npos = "verbish"\nja = ["試験"]\nen = "test"\n', "utf-8")
    with pytest.raises(ValueError):
        load_vocab(bad)

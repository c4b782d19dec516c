"""The English rendering vocabulary: the ``[[render]]`` and ``[[verb]]`` tables of ``glossary.toml`` (read
only here, never by search), and the glossary's own terms as a fallback (their first English spelling)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

POS = ("org", "post", "rank", "place", "unit", "noun", "adj", "suffix", "skip", "when")


@dataclass(frozen=True)
class Entry:
    pos: str
    en: str


@dataclass(frozen=True)
class Verb:
    past: str
    present: str
    args: dict[str, str] = field(default_factory=dict)  # particle -> preposition ("" = direct object)
    carry: bool = False  # a missing subject may be the previous sentence's
    passive: str = ""  # past passive ("was appointed"); the present passive follows in passive_present
    passive_present: str = ""


@dataclass
class Vocab:
    entries: dict[str, Entry]
    verbs: dict[str, Verb]
    countries: dict[str, str] = field(default_factory=dict)  # 豪州 -> Australia (adjectival render entries)

    def __post_init__(self) -> None:
        surfaces = set(self.entries)
        for ja in self.verbs:
            surfaces.add(ja[:-2] if ja.endswith("する") else ja)
        keys = sorted((s for s in surfaces if s), key=len, reverse=True)
        self.surface_rx = re.compile("|".join(map(surface_pattern, keys))) if keys else None

    def verb(self, lemma: str) -> Verb | None:
        return self.verbs.get(lemma) or self.verbs.get(lemma + "する")


_KATAKANA = re.compile(r"[ァ-ヺー・]+")


def surface_pattern(ja: str) -> str:
    """A katakana word matches only as a whole word (タイ is not in マリタイム); others anywhere."""
    esc = re.escape(ja)
    if _KATAKANA.fullmatch(ja):
        return rf"(?<![ァ-ヺー]){esc}(?![ァ-ヺー])"
    return esc


def load_vocab(path: Path | None = None) -> Vocab:
    data = (resources.files("index.text").joinpath("glossary.toml").read_bytes() if path is None
            else Path(path).read_bytes())
    raw = tomllib.loads(data.decode("utf-8"))
    entries: dict[str, Entry] = {}
    for term in raw.get("term", []):  # fallback: the glossary's first English spelling
        en = [s for s in term.get("en", []) if s.strip()]
        for ja in term.get("ja", []):
            if en and len(ja) >= 2 and not re.fullmatch(r"[A-Za-z0-9\- ]+", ja) and not re.search(r"[ぁ-ゖ]$", ja):
                entries.setdefault(ja, Entry("noun", en[0]))
    for item in raw.get("render", []):
        pos = item.get("pos", "noun")
        if pos not in POS:
            raise ValueError(f"glossary render entry has unknown pos {pos!r}")
        for ja in item.get("ja", []):
            entries[ja] = Entry(pos, str(item.get("en", "")))
    first_en = {ja: next(x for x in t.get("en", []) if x.strip()) for t in raw.get("term", []) for ja in t.get("ja", [])
                if [x for x in t.get("en", []) if x.strip()]}
    countries = {ja: first_en.get(ja, e.en) for ja, e in entries.items()
                 if e.pos == "adj" and e.en[:1].isupper() and "-" not in e.en and "'" not in e.en}
    verbs: dict[str, Verb] = {}
    for item in raw.get("verb", []):
        v = Verb(str(item["past"]), str(item["present"]), {str(k): str(x) for k, x in item.get("args", {}).items()},
                 bool(item.get("carry", False)), str(item.get("passive", "")), str(item.get("passive_present", "")))
        for ja in item.get("ja", []):
            verbs[ja] = v
    return Vocab(entries, verbs, countries)


@lru_cache(maxsize=1)
def default_vocab() -> Vocab:
    return load_vocab()

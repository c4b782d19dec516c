"""The reviewed glossary (``glossary.toml``): equivalent names, abbreviations and translations.

A question is matched against every spelling of every term (English: case-insensitive on word
boundaries; Japanese: anywhere, longest first, one-character spellings are never triggers). Each match
becomes a :class:`Concept` whose spellings all stand for the same thing in keyword search and highlights.
Capitalised romanised Japanese words (``Takase``, ``Nakatani``) also get their kana spellings, so that
English questions reach ship names and name readings written in kana.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

ALIAS_WEIGHT = 1.0
VOCAB_WEIGHT = 0.6
ROMAJI_WEIGHT = 0.8
READING_MARK = "~"  # the keyword index's prefix for readings of proper nouns (see index.tokenize)


@dataclass(frozen=True)
class Term:
    kind: str  # alias | vocab
    en: tuple[str, ...]
    ja: tuple[str, ...]
    home: bool = False  # the sources' own country (Japan): articles leave it unsaid

    @property
    def spellings(self) -> tuple[str, ...]:
        return (*self.en, *self.ja)

    @property
    def weight(self) -> float:
        return ALIAS_WEIGHT if self.kind == "alias" else VOCAB_WEIGHT


@dataclass(frozen=True)
class Concept:
    """One thing the question names: its spellings (the question's own first) and where it was found."""

    spellings: tuple[str, ...]
    start: int
    end: int
    weight: float
    source: str  # alias | vocab | romaji


def normalise(text: str) -> str:
    """NFKC, lower case, hyphens and dashes as spaces (1:1 in length is not kept)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\-‐‑‒–—―]", " ", text)


def _is_latin(s: str) -> bool:
    return bool(re.fullmatch(r"[\x00-\x7f]+", s))


class Glossary:
    def __init__(self, terms: list[Term]) -> None:
        self.terms = terms
        triggers: dict[str, list[int]] = {}
        for i, t in enumerate(terms):
            for s in t.en:
                triggers.setdefault(normalise(s).strip(), []).append(i)
            for s in t.ja:
                key = normalise(s).strip()
                if len(key) >= 2 or _is_latin(key):
                    triggers.setdefault(key, []).append(i)
        self._triggers = triggers
        latin = sorted((k for k in triggers if _is_latin(k)), key=len, reverse=True)
        other = sorted((k for k in triggers if not _is_latin(k)), key=len, reverse=True)
        parts = [r"(?<![a-z0-9])" + re.escape(k).replace(r"\ ", r"\s+") + r"(?![a-z0-9])" for k in latin]
        parts += [re.escape(k) for k in other]
        self._rx = re.compile("|".join(parts)) if parts else None

    @classmethod
    def load(cls, path: Path | None = None) -> Glossary:
        if path is None:
            data = resources.files("index.text").joinpath("glossary.toml").read_bytes()
        else:
            data = Path(path).read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
        terms = []
        for entry in raw.get("term", []):
            kind = entry.get("kind", "vocab")
            if kind not in ("alias", "vocab"):
                raise ValueError(f"glossary term has unknown kind {kind!r}")
            en = tuple(str(s) for s in entry.get("en", []))
            ja = tuple(str(s) for s in entry.get("ja", []))
            if not en and not ja:
                raise ValueError("glossary term without spellings")
            terms.append(Term(kind, en, ja, bool(entry.get("home", False))))
        return cls(terms)

    @functools.cached_property
    def home_spellings(self) -> frozenset[str]:
        """The spellings (lower case) of the sources' own country: a question's name that is one of them
        does not name anything an article must hold."""
        return frozenset(s.lower() for t in self.terms if t.home for s in t.spellings)

    def match(self, text: str) -> list[Concept]:
        """Concepts named in ``text`` (non-overlapping, longest first, in text order).

        Offsets refer to the normalised text, which has the same length as NFKC(text) for typical input;
        they are used only to cut the matched words out of the keyword query.
        """
        if self._rx is None:
            return []
        norm = normalise(text)
        out: list[Concept] = []
        for m in self._rx.finditer(norm):
            key = re.sub(r"\s+", " ", m.group())
            ids = self._triggers.get(key, [])
            spellings: list[str] = [m.group()]
            weight = 0.0
            kinds = set()
            for i in ids:
                t = self.terms[i]
                spellings.extend(t.spellings)
                weight = max(weight, t.weight)
                kinds.add(t.kind)
            out.append(Concept(tuple(dict.fromkeys(spellings)), m.start(), m.end(), weight or VOCAB_WEIGHT,
                               "alias" if "alias" in kinds else "vocab"))
        return out


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return Glossary.load()


# ------------------------------------------------------------------ romanised Japanese -> kana

_ROMAJI = {
    "kya": "きゃ", "kyu": "きゅ", "kyo": "きょ", "sha": "しゃ", "shu": "しゅ", "sho": "しょ", "chi": "ち",
    "cha": "ちゃ", "chu": "ちゅ", "cho": "ちょ", "tsu": "つ", "shi": "し", "nya": "にゃ", "nyu": "にゅ",
    "nyo": "にょ", "hya": "ひゃ", "hyu": "ひゅ", "hyo": "ひょ", "mya": "みゃ", "myu": "みゅ", "myo": "みょ",
    "rya": "りゃ", "ryu": "りゅ", "ryo": "りょ", "gya": "ぎゃ", "gyu": "ぎゅ", "gyo": "ぎょ", "ja": "じゃ",
    "ju": "じゅ", "jo": "じょ", "ji": "じ", "bya": "びゃ", "byu": "びゅ", "byo": "びょ", "pya": "ぴゃ",
    "pyu": "ぴゅ", "pyo": "ぴょ",
    "ka": "か", "ki": "き", "ku": "く", "ke": "け", "ko": "こ", "sa": "さ", "su": "す", "se": "せ", "so": "そ",
    "ta": "た", "te": "て", "to": "と", "na": "な", "ni": "に", "nu": "ぬ", "ne": "ね", "no": "の",
    "ha": "は", "hi": "ひ", "fu": "ふ", "he": "へ", "ho": "ほ", "ma": "ま", "mi": "み", "mu": "む",
    "me": "め", "mo": "も", "ya": "や", "yu": "ゆ", "yo": "よ", "ra": "ら", "ri": "り", "ru": "る",
    "re": "れ", "ro": "ろ", "wa": "わ", "wo": "を", "ga": "が", "gi": "ぎ", "gu": "ぐ", "ge": "げ", "go": "ご",
    "za": "ざ", "zu": "ず", "ze": "ぜ", "zo": "ぞ", "da": "だ", "de": "で", "do": "ど", "ba": "ば", "bi": "び",
    "bu": "ぶ", "be": "べ", "bo": "ぼ", "pa": "ぱ", "pi": "ぴ", "pu": "ぷ", "pe": "ぺ", "po": "ぽ",
    "a": "あ", "i": "い", "u": "う", "e": "え", "o": "お",
}


def romaji_to_hiragana(word: str) -> str | None:
    """Hepburn romanisation -> hiragana, or None when ``word`` is not plausible romaji."""
    w = word.lower()
    out: list[str] = []
    i = 0
    while i < len(w):
        if w[i] == "n" and (i + 1 == len(w) or w[i + 1] not in "aeiouy"):
            out.append("ん")
            i += 1
            continue
        if i + 1 < len(w) and w[i] == w[i + 1] and w[i] in "kstpgzdbc" and w[i] != "n":
            out.append("っ")
            i += 1
            continue
        for n in (3, 2, 1):
            kana = _ROMAJI.get(w[i : i + n])
            if kana:
                out.append(kana)
                i += n
                break
        else:
            return None
    return "".join(out)


def hiragana_to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


_CAP_WORD = re.compile(r"(?<![A-Za-z])([A-Z][a-z]{3,})(?![A-Za-z])")


def romaji_concepts(text: str, taken: list[tuple[int, int]]) -> list[Concept]:
    """Capitalised words of ``text`` that read as romanised Japanese, with their kana spellings."""
    out = []
    for m in _CAP_WORD.finditer(text):
        if m.start() == 0 or any(s <= m.start() < e for s, e in taken):
            continue
        hira = romaji_to_hiragana(m.group(1))
        if not hira or len(hira) < 2:
            continue
        variants = [m.group(1).lower(), hira, hiragana_to_katakana(hira)]
        if "ず" in hira:
            variants.append(hira.replace("ず", "づ"))
        if "じ" in hira:
            variants.append(hira.replace("じ", "ぢ"))
        # readings of kanji names (~オオツキ for 大月): Hepburn drops long vowels, so try each one long
        readings = {hiragana_to_katakana(hira)}
        for i, ch in enumerate(hira):
            if ch in "おこそとのほもよろごぞどぼぽょ":
                readings.update({hiragana_to_katakana(hira[: i + 1] + v + hira[i + 1 :]) for v in "おう"})
            elif ch in "うくすつぬふむゆるぐずづぶぷゅ":
                readings.add(hiragana_to_katakana(hira[: i + 1] + "う" + hira[i + 1 :]))
        variants.extend(READING_MARK + r for r in sorted(readings))
        out.append(Concept(tuple(dict.fromkeys(variants)), m.start(), m.end(), ROMAJI_WEIGHT, "romaji"))
    return out

"""English names and the katakana that Japanese articles write them in, matched by their consonants.

Japanese defence news writes foreign names of exercises, ships and places in katakana (Resolute Dragon ->
レゾリュート・ドラゴン, Orient Shield -> オリエント・シールド, Khaan Quest -> カーン・クエスト). No dictionary of
them can be complete, but the transcription keeps the consonants in a predictable way, so both sides are
reduced to a consonant skeleton: vowels dropped (katakana adds them, English spells them freely); l and r
one sound; v as b, z as s, th as s, q and hard c as k; w and a silent h dropped; an English r before a
consonant or at the end dropped (katakana writes it as a long vowel: sword ソード, sabre セイバー). A skeleton
of fewer than three consonants says too little to match on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_CONSONANTS = 3

# katakana -> its consonant ("" for a vowel, a long-vowel mark, small kana, the moraic nasal as n)
_ROWS = {
    "k": "カキクケコ", "g": "ガギグゲゴ", "s": "サスセソザズゼゾ", "j": "ジ", "t": "タテトツ", "c": "チ",
    "d": "ダヂヅデド", "n": "ナニヌネノン", "h": "ハヒヘホ", "f": "フ", "b": "バビブベボヴ", "p": "パピプペポ",
    "m": "マミムメモ", "r": "ラリルレロ", "x": "シ",
}
_KANA = {ch: c for c, chars in _ROWS.items() for ch in chars}
_KATAKANA_WORD = re.compile(r"[ァ-ヺー]{3,}")
_VOWELS = set("aeiouy")


def kana_skeletons(word: str) -> set[str]:
    """The consonant skeletons of a katakana word (with and without a final r: マラバール, Malabar)."""
    if not _KATAKANA_WORD.fullmatch(word):
        return set()
    sk = "".join(_KANA.get(ch, "") for ch in word).replace("x", "s")
    sk = re.sub(r"(.)\1+", r"\1", sk)
    out = {sk}
    if sk.endswith("r"):
        out.add(sk[:-1])
    return {s for s in out if len(s) >= MIN_CONSONANTS}


def latin_skeleton(word: str) -> str:
    """The consonant skeleton of an English word ("" when it has fewer than three consonants)."""
    w = word.lower()
    if not w.isascii() or not w.isalpha():
        return ""
    for a, b in (("ph", "f"), ("th", "s"), ("sh", "s"), ("ch", "1"), ("ck", "k"), ("x", "ks"), ("q", "k"),
                 ("wh", "w"), ("gh", "")):
        w = w.replace(a, b)
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k").replace("1", "c")  # soft and hard c; ch as チ
    w = re.sub(r"r(?![aeiouy])", "", w)  # non-rhotic: sword ソード, sabre セイバー (the final e already silent)
    w = re.sub(r"(?<=[a-z])h", "", w)  # a silent h after a letter: Khaan カーン
    w = w.replace("w", "").replace("l", "r").replace("v", "b").replace("z", "s")
    sk = "".join(ch for ch in w if ch not in _VOWELS)
    sk = re.sub(r"(.)\1+", r"\1", sk)
    return sk if len(sk) >= MIN_CONSONANTS else ""


class KatakanaIndex:
    """The katakana words of a vocabulary by consonant skeleton, to find the ones an English word may be."""

    def __init__(self, words: Iterable[str]) -> None:
        self._by: dict[str, list[str]] = {}
        for w in words:
            for sk in kana_skeletons(w):
                self._by.setdefault(sk, []).append(w)

    def spellings(self, english: str) -> list[str]:
        """The katakana words whose skeleton is ``english``'s."""
        sk = latin_skeleton(english)
        return sorted(self._by.get(sk, ())) if sk else []

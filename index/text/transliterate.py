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
import unicodedata
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
    w = _latin_sounds(word)
    sk = "".join(ch for ch in w if ch not in _VOWELS)
    sk = re.sub(r"(.)\1+", r"\1", sk)
    return sk if len(sk) >= MIN_CONSONANTS else ""


def _latin_sounds(word: str) -> str:
    """An English word with its letters mapped to the sounds katakana writes (consonants as in
    ``latin_skeleton``, vowels kept): "" when it is not an alphabetic ASCII word."""
    w = word.lower()
    if not w.isascii() or not w.isalpha():
        return ""
    for a, b in (("ph", "f"), ("th", "s"), ("sh", "s"), ("ch", "1"), ("ck", "k"), ("x", "ks"), ("q", "k"),
                 ("wh", "w"), ("gh", "")):
        w = w.replace(a, b)
    w = re.sub(r"c(?=[eiy])", "s", w).replace("c", "k").replace("1", "c")  # soft and hard c; ch as チ
    w = re.sub(r"r(?![aeiouy])", "", w)  # non-rhotic: sword ソード, sabre セイバー (the final e already silent)
    w = re.sub(r"(?<=[a-z])h", "", w)  # a silent h after a letter: Khaan カーン
    return w.replace("w", "").replace("l", "r").replace("v", "b").replace("z", "s")


# the kana vowels an English vowel letter may be written with (a as in Malabar マ, Sabre セイ, ball ボー...)
_VOWEL_KANA = {"a": "aeo", "e": "eia", "i": "iae", "o": "oau", "u": "uao", "y": "ia"}
_EPENTHETIC = set("uoi")  # the vowel katakana adds after a consonant the English does not voice (ドラゴン, ト)


def _latin_groups(word: str) -> tuple[set[str], list[tuple[str, set[str]]]]:
    """(the leading vowels, [(consonant, the vowel letters after it)]) of an English word, a doubled or
    repeated consonant merged as in its skeleton (a final silent e counts as no vowel or an e)."""
    w = _latin_sounds(word)
    lead: set[str] = set()
    groups: list[tuple[str, set[str]]] = []
    for k, ch in enumerate(w):
        if ch in _VOWELS:
            if not groups:
                lead.add(ch)
            elif ch == "e" and k == len(w) - 1 and not groups[-1][1]:
                groups[-1][1].add("~")  # a final e: silent or not (Resolute ト, Kiviste テ)
            else:
                groups[-1][1].add(ch)
        elif groups and groups[-1][0] == ch:
            continue
        else:
            groups.append((ch, set()))
    return lead, groups


def _kana_groups(word: str) -> tuple[set[str], list[tuple[str, set[str]]]]:
    """The same for a katakana word: each consonant kana with the vowels of its mora (small kana change it:
    シャ a, ティ i; a plain vowel kana after it joins it: セイ e, i), ン a consonant without a vowel."""
    lead: set[str] = set()
    groups: list[tuple[str, set[str]]] = []
    for ch in word:
        name = unicodedata.name(ch, "")
        if not name.startswith("KATAKANA LETTER"):
            continue  # ー, ・
        vowel = name[-1].lower() if name[-1] in "AEIOU" else ""
        cons = _KANA.get(ch, "").replace("x", "s")
        if "SMALL" in name:
            if groups and vowel and not name.endswith("SMALL TU"):  # (ッ doubles: no vowel of its own)
                groups[-1] = (groups[-1][0], {vowel})  # シャ, ティ: the small kana's vowel is the mora's
            continue
        if not cons:
            (groups[-1][1] if groups else lead).add(vowel)
        elif groups and groups[-1][0] == cons:
            groups[-1][1].add(vowel)  # a consonant repeated: one, as in the skeleton
        else:
            groups.append((cons, {vowel} if vowel else set()))
    return lead, groups


def vowels_agree(english: str, katakana: str) -> bool:
    """Whether the vowels of a katakana word can be the English word's, consonant by consonant: the
    skeleton alone takes ルソン (Luzon) for Lithuania and レベル (level) for Louvre. A word's first vowel
    stands where the other's does (Sapporo is not オスプレイ); a consonant the English does not voice
    takes an added u, o or i (ドラゴン); the last consonant's vowel is free (Mongolia モンゴル). Words whose
    consonants do not line up one for one are not judged (True)."""
    e_lead, e_groups = _latin_groups(english)
    k_lead, k_groups = _kana_groups(katakana)
    if bool(e_lead) != bool(k_lead):
        return False
    if e_lead and not k_lead & {v for ch in e_lead for v in _VOWEL_KANA[ch]}:
        return False
    if [c for c, _ in e_groups] != [c for c, _ in k_groups]:
        return True
    for (_, ev), (_, kv) in list(zip(e_groups, k_groups, strict=True))[:-1]:
        allowed = set(_EPENTHETIC) if not ev or ev == {"~"} else set()
        allowed |= {v for ch in ev if ch != "~" for v in _VOWEL_KANA[ch]}
        if kv and not kv & allowed:
            return False
    return True


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
        return sorted(w for w in self._by.get(sk, ()) if vowels_agree(english, w)) if sk else []

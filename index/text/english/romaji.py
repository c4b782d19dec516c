"""Kana -> Hepburn romanisation, without macrons (long vowels folded: おお/おう -> o, うう -> u, ー dropped),
the way English-language Japanese news writes names: なかたに・げん -> Nakatani Gen, おおかわら -> Okawara.

Pure and table-driven; foreign sounds written with small kana (ティ, ファ, ヴァ, ウィ...) are covered so that
katakana names of foreign people and ships read plausibly (ウスマン・ハルン -> Usuman Harun).
"""

from __future__ import annotations

import re

_DIGRAPHS = {
    "きゃ": "kya", "きゅ": "kyu", "きょ": "kyo", "しゃ": "sha", "しゅ": "shu", "しょ": "sho", "しぇ": "she",
    "ちゃ": "cha", "ちゅ": "chu", "ちょ": "cho", "ちぇ": "che", "にゃ": "nya", "にゅ": "nyu", "にょ": "nyo",
    "ひゃ": "hya", "ひゅ": "hyu", "ひょ": "hyo", "みゃ": "mya", "みゅ": "myu", "みょ": "myo",
    "りゃ": "rya", "りゅ": "ryu", "りょ": "ryo", "ぎゃ": "gya", "ぎゅ": "gyu", "ぎょ": "gyo",
    "じゃ": "ja", "じゅ": "ju", "じょ": "jo", "じぇ": "je", "びゃ": "bya", "びゅ": "byu", "びょ": "byo",
    "ぴゃ": "pya", "ぴゅ": "pyu", "ぴょ": "pyo", "てぃ": "ti", "でぃ": "di", "とぅ": "tu", "どぅ": "du",
    "でゅ": "dyu", "てゅ": "tyu", "ふぁ": "fa", "ふぃ": "fi", "ふぇ": "fe", "ふぉ": "fo", "ふゅ": "fyu",
    "うぃ": "wi", "うぇ": "we", "うぉ": "wo", "ゔぁ": "va", "ゔぃ": "vi", "ゔぇ": "ve", "ゔぉ": "vo",
    "つぁ": "tsa", "つぃ": "tsi", "つぇ": "tse", "つぉ": "tso", "いぇ": "ye", "くぁ": "kwa", "ぐぁ": "gwa",
    "すぃ": "si", "ずぃ": "zi",
}
_MONO = dict(zip(
    "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわゐゑをん"
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゔぁぃぅぇぉゃゅょゎ",
    ["a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi", "tsu",
     "te", "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu", "me", "mo",
     "ya", "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "i", "e", "o", "n",
     "ga", "gi", "gu", "ge", "go", "za", "ji", "zu", "ze", "zo", "da", "ji", "zu", "de", "do", "ba", "bi", "bu",
     "be", "bo", "pa", "pi", "pu", "pe", "po", "vu", "a", "i", "u", "e", "o", "ya", "yu", "yo", "wa"],
    strict=True,
))
_KANA = re.compile(r"[ぁ-ゖァ-ヺー・゠]+")


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def is_kana(text: str) -> bool:
    return bool(text) and bool(_KANA.fullmatch(text))


def _syllables(hira: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(hira):
        pair = hira[i : i + 2]
        if pair in _DIGRAPHS:
            out.append(_DIGRAPHS[pair])
            i += 2
            continue
        ch = hira[i]
        if ch == "っ":
            out.append("\x00")  # doubles the next consonant
        elif ch == "ー":
            out.append("\x01")  # long vowel mark: dropped
        else:
            out.append(_MONO.get(ch, ""))
        i += 1
    return out


def _fold_long(word: str) -> str:
    """ou/oo -> o and uu -> u (Tōkyō -> Tokyo), never across what was a syllable boundary of a new word."""
    word = re.sub(r"o[ou]", "o", word)
    return word.replace("uu", "u")


def hepburn(kana: str, *, fold_long: bool = True) -> str:
    """Lower-case Hepburn of a kana string (non-kana characters are dropped). ``・`` becomes a space."""
    words = []
    for part in re.split(r"[・゠\s]+", to_hiragana(kana)):
        syl = _syllables(part)
        buf: list[str] = []
        for k, s in enumerate(syl):
            if s == "\x00":
                nxt = next((x for x in syl[k + 1 :] if x not in ("\x00", "\x01")), "")
                if nxt.startswith("ch"):
                    buf.append("t")
                elif nxt and nxt[0] not in "aeiouy":
                    buf.append(nxt[0])
                continue
            if s == "\x01":
                continue
            if s == "n" and k + 1 < len(syl) and syl[k + 1][:1] in ("a", "e", "i", "o", "u", "y"):
                buf.append("n'")
                continue
            buf.append(s)
        w = "".join(buf)
        if w:
            words.append(_fold_long(w) if fold_long else w)
    return " ".join(words)


def romanise_name(kana: str) -> str:
    """Title-cased Hepburn: ``なかたに・げん`` -> ``Nakatani Gen``."""
    return " ".join(w[:1].upper() + w[1:] for w in hepburn(kana).replace("'", "").split())

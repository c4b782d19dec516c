"""Keyword tokens for BM25: a Japanese morphological analyser for Japanese, plain words for Latin script.

Backends (chosen by measurement with ``python -m benchmarks.retrieval --tokenizers``):

- ``sudachi-AC`` (default): SudachiPy core dictionary, short units (mode A) so that parts of compounds
  match, plus the long unit (mode C) when it differs, so that an exact compound (陸上自衛隊, 防衛大臣)
  scores higher than its parts scattered over a passage.
- ``sudachi-A`` / ``sudachi-B`` / ``sudachi-C``: one SudachiPy mode only.
- ``mecab``: MeCab (fugashi) with UniDic-lite.
- ``bigram``: character bigrams of CJK runs (no dictionary).

Particles, auxiliaries, symbols and white space are dropped; nouns are kept in surface form (so names,
ship names and unit names match exactly), inflected words by their dictionary form. Latin words are lower
case; a few English stop words are dropped and a plural ``s`` is stripped.
"""

from __future__ import annotations

import re
import threading
import unicodedata

from ..errors import ConfigError
from .sudachi import sudachi_tokenizer

_DROP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_LATIN = re.compile(r"[a-z0-9][a-z0-9\-'.]*[a-z0-9]|[a-z0-9]")
_LATIN_RUN = re.compile(r"[a-z0-9][a-z0-9\-'.]*")
_MIXED = re.compile(r"([a-z0-9][a-z0-9\-'.]*)")
_HAS_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヶー]+|[a-z0-9][a-z0-9\-'.]*")
_EN_STOP = frozenset(
    ["a", "an", "the", "of", "on", "in", "at", "to", "for", "and", "or", "by", "with", "from", "as", "is", "are", "was", "were", "be", "been", "being", "did", "do", "does", "done", "what", "which", "who", "whom", "whose", "when", "where", "how", "why", "that", "this", "these", "those", "it", "its", "into", "about", "after", "before", "during", "than", "then", "there", "their", "they", "he", "she", "his", "her", "we", "our", "you", "your", "i", "me", "my", "has", "have", "had", "will", "would", "can", "could", "should", "may", "might", "shall", "not", "no", "yes", "any", "all", "some", "many", "much", "more", "most", "such", "also", "just", "only", "so", "very", "according", "according"]
)
READING_MARK = "~"  # prefix of reading tokens (katakana reading of proper nouns: 中谷 -> ~ナカタニ)
BACKENDS = ("sudachi-AC", "sudachi-A", "sudachi-B", "sudachi-C", "mecab", "bigram")
DEFAULT_BACKEND = "sudachi-AC"


def latin_token(word: str) -> str | None:
    word = word.strip("-'.")
    if not word or word in _EN_STOP:
        return None
    if len(word) > 3 and word.endswith("s") and word[-2] not in "siu" and not word[-2].isdigit():
        word = word[:-1]
    return word


def latin_tokens(word: str) -> list[str]:
    """A Latin word's tokens: the word, and for ``mogami-class`` also its alphabetic parts."""
    t = latin_token(word)
    if t is None:
        return []
    out = [t]
    if "-" in t:
        parts = [p for p in t.split("-") if p.isalpha() and len(p) > 1]
        if len(parts) > 1:
            out.extend(x for p in parts if (x := latin_token(p)))
    return out


class KeywordTokenizer:
    """Thread-safe, lazily loaded tokenizer (one analyser per thread)."""

    def __init__(self, backend: str = DEFAULT_BACKEND, *, readings: bool = True) -> None:
        if backend in ("A", "B", "C"):  # the old constructor took a SudachiPy mode
            backend = f"sudachi-{backend}"
        if backend not in BACKENDS:
            raise ValueError(f"unknown tokenizer backend {backend!r} (one of {', '.join(BACKENDS)})")
        self.backend = backend
        self.readings = readings and backend.startswith("sudachi")
        self._local = threading.local()

    @property
    def name(self) -> str:
        # (the version after "readings" marks what they are: 2 = a compound name's parts read too, 大月市 ->
        # ~オオツキ; a keyword index built with another version is rebuilt when it is loaded)
        return self.backend + ("+readings2" if self.readings else "")

    # -- analysers

    def _sudachi(self):
        return sudachi_tokenizer()  # one dictionary per process, a tokenizer per thread

    def _mecab(self):
        tagger = getattr(self._local, "mecab", None)
        if tagger is None:
            try:
                import fugashi
                import unidic_lite  # noqa: F401 - the dictionary fugashi.Tagger() finds
            except ImportError as exc:
                raise ConfigError('the mecab tokenizer needs the mecab extra: pip install -e ".[mecab]"') from exc
            tagger = fugashi.Tagger()
            self._local.mecab = tagger
        return tagger

    def _japanese(self, piece: str) -> list[str]:
        if self.backend == "bigram":
            out = []
            for run in _CJK_RUN.findall(piece):
                if not _HAS_CJK.search(run):
                    t = latin_token(run)
                    if t:
                        out.append(t)
                elif len(run) == 1:
                    out.append(run)
                else:
                    out.extend(run[i : i + 2] for i in range(len(run) - 1))
            return out
        if self.backend == "mecab":
            out = []
            for w in self._mecab()(piece):
                pos = w.feature.pos1
                if pos in _DROP_POS:
                    continue
                s = w.surface
                if pos in ("動詞", "形容詞") and w.feature.lemma:
                    s = w.feature.lemma
                out.append(self._latin_or(s))
            return [t for t in out if t]
        from sudachipy import SplitMode

        mode = self.backend[-1] if self.backend != "sudachi-AC" else "C"
        split = {"A": SplitMode.A, "B": SplitMode.B, "C": SplitMode.C}[mode]
        out = []
        for m in self._sudachi().tokenize(piece, split):
            pos = m.part_of_speech()[0]
            if pos in _DROP_POS:
                continue
            if self.readings and m.part_of_speech()[1] == "固有名詞":
                out.append(READING_MARK + m.reading_form())
            long = m.dictionary_form() if pos in ("動詞", "形容詞") else m.surface()
            if self.backend == "sudachi-AC":
                parts = m.split(SplitMode.A) if len(m.surface()) > 1 else [m]
                if len(parts) > 1:
                    for p in parts:
                        if p.part_of_speech()[0] in _DROP_POS:
                            continue
                        if self.readings and p.part_of_speech()[1] == "固有名詞" and out[-1:] != [READING_MARK + p.reading_form()]:
                            out.append(READING_MARK + p.reading_form())  # a name's own reading: 大月市 -> ~オオツキ
                        out.append(p.dictionary_form() if p.part_of_speech()[0] in ("動詞", "形容詞")
                                   else p.surface())
                    if pos not in ("動詞", "形容詞"):
                        out.append(long)
                    continue
            out.append(self._latin_or(long))
        return [t for t in out if t]

    @staticmethod
    def _latin_or(s: str) -> str | None:
        if _LATIN.fullmatch(s):
            return latin_token(s)
        return s

    def tokens(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        out: list[str] = []
        for piece in re.split(r"\s+", text):
            if not piece:
                continue
            if not _HAS_CJK.search(piece):
                for w in _LATIN.findall(piece):
                    out.extend(latin_tokens(w))
                continue
            # Latin runs inside Japanese text (P-3C, NMESIS, 2024) are tokenised as Latin words
            for run in _MIXED.split(piece[:20000]):
                if not run:
                    continue
                if _LATIN_RUN.fullmatch(run):
                    for w in _LATIN.findall(run):
                        out.extend(latin_tokens(w))
                else:
                    out.extend(self._japanese(run))
        return out

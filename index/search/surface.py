"""Surface matching: the question's character bigrams against the text of the best candidates.

The keyword side matches the question's words as the tokenizer cut them; a Japanese compound cut otherwise
in the question than in the text (コンゴ共和国, 共和国議会) or a phrase repeated verbatim is matched better on
the surface. The bigrams are weighed by how few of the candidates hold them (an IDF taken among the
candidates, so nothing is stored and a bigram every candidate has counts for nothing), and the scores join
the fusion as one more ranking of those candidates. Only bigrams with a Japanese character: across
languages the surface has nothing to match, and English words are the keyword side's to match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_BREAK = re.compile(r"[\s?？!！。、,.・「」『』()（）]")


def question_bigrams(question: str) -> list[str]:
    """The distinct character bigrams of the question that hold a Japanese character and no break."""
    q = unicodedata.normalize("NFKC", question).lower()
    grams = (q[i:i + 2] for i in range(len(q) - 1))
    return list(dict.fromkeys(g for g in grams if _JAPANESE.search(g) and not _BREAK.search(g)))


def bigram_scores(grams: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """Per text, the summed IDF (among ``texts``) of the bigrams it holds."""
    if not grams or not texts:
        return np.zeros(len(texts))
    norm = [unicodedata.normalize("NFKC", t).lower() for t in texts]
    has = np.asarray([[g in t for g in grams] for t in norm], bool)
    n = len(texts)
    df = has.sum(axis=0)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    return has @ idf

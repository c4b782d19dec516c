"""Passage spans and highlights: where in a chunk the question's words (and their aliases) occur."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .chunking import split_sentences

_LATIN = re.compile(r"^[\x00-\x7f]+$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _useful(term: str) -> bool:
    term = term.strip()
    if not term or term.startswith("~"):
        return False
    if _LATIN.match(term):
        return len(term) >= 2 and not term.isdigit() or (term.isdigit() and len(term) >= 2)
    # one kana is noise; one kanji (艦, 島) is too common to be worth marking
    return len(term) >= 2


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    keys = sorted({t.strip() for t in terms if _useful(t)}, key=len, reverse=True)
    if not keys:
        return None
    parts = []
    for k in keys:
        esc = re.escape(k).replace(r"\ ", r"[\s\-]+")
        if _LATIN.match(k):
            esc = r"(?<![A-Za-z0-9])" + esc + r"(?:s|es)?(?![A-Za-z0-9])"
        parts.append(esc)
    return re.compile("|".join(parts), re.IGNORECASE)


def highlight_spans(text: str, terms: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Sorted, non-overlapping (start, end) offsets in ``text`` of the given terms."""
    rx = _pattern([unicodedata.normalize("NFKC", t) for t in terms])
    if rx is None:
        return ()
    # NFKC keeps most characters 1:1; match on the original when the lengths differ
    hay = unicodedata.normalize("NFKC", text)
    if len(hay) != len(text):
        hay = text
    return tuple((m.start(), m.end()) for m in rx.finditer(hay) if m.end() > m.start())


def best_span(text: str, terms: Sequence[str], max_chars: int) -> tuple[int, int]:
    """The window of whole sentences (at most ``max_chars``, at least one sentence) of ``text`` that
    covers the most distinct highlighted terms, ties to the earliest."""
    if len(text) <= max_chars:
        return 0, len(text)
    sents = split_sentences(text)
    if not sents:
        return 0, len(text)
    spans = highlight_spans(text, terms)
    best, best_key = (sents[0][0], sents[0][1]), (-1, 0)
    for i in range(len(sents)):
        j = i
        while j + 1 < len(sents) and sents[j + 1][1] - sents[i][0] <= max_chars:
            j += 1
        s, e = sents[i][0], sents[j][1]
        found = {text[a:b].lower() for a, b in spans if s <= a and b <= e}
        key = (len(found), -i)
        if key > best_key:
            best, best_key = (s, e), key
    return best

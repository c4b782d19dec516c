"""Passage spans and highlights: where in a chunk the question's words (and their aliases) occur."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from ..text.chunking import split_sentences
from .kinds import answer_type_match, missing_types

_LATIN = re.compile(r"^[\x00-\x7f]+$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _useful(term: str) -> bool:
    term = term.strip()
    if not term or term.startswith("~"):
        return False
    if _LATIN.match(term):
        return (len(term) >= 2 and not term.isdigit()) or (term.isdigit() and len(term) >= 2)
    # one kana is noise; one kanji (艦, 島) is too common to be worth marking
    return len(term) >= 2


def _pattern(terms: Sequence[str], keep=None) -> re.Pattern[str] | None:
    keep = keep or _useful
    return _compiled(tuple(sorted({t.strip() for t in terms if keep(t)}, key=lambda t: (-len(t), t))))


def _weighable(term: str) -> bool:
    """A term worth weighing a sentence by: the marked ones, and single kanji too (鶏, 羽: too common to
    mark, but a question's rare one-kanji word tells its sentence apart; its rarity weighs it)."""
    term = term.strip()
    return _useful(term) or bool(term and _CJK.fullmatch(term))


def _holds(text: str, terms: Sequence[str]) -> bool:
    rx = _pattern(_nfkc_terms(tuple(terms)), _weighable)
    return bool(rx and rx.search(unicodedata.normalize("NFKC", text)))


@functools.lru_cache(maxsize=256)
def _compiled(keys: tuple[str, ...]) -> re.Pattern[str] | None:
    """The alternation of ``keys`` (longest first), compiled once per set of terms."""
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
    rx = _pattern(_nfkc_terms(tuple(terms)))
    if rx is None:
        return ()
    # NFKC keeps most characters 1:1; match on the original when the lengths differ
    hay = unicodedata.normalize("NFKC", text)
    if len(hay) != len(text):
        hay = text
    return tuple((m.start(), m.end()) for m in rx.finditer(hay) if m.end() > m.start())


@functools.lru_cache(maxsize=256)
def _nfkc_terms(terms: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFKC", t) for t in terms)


class Window(NamedTuple):
    """The answering span of an article and how well it answers."""

    start: int
    end: int
    piece: int  # the index of the piece it lies in (-1: none, the core)
    cover: float = 0.0  # the share of the question's term weight (rarity) the span holds
    type_match: float = 0.0  # the kind of answer asked for, found in the span (see ``answer_type_match``)
    missing_types: frozenset[str] = frozenset()  # the kinds asked for that the span does not hold
    aside: float = 0.0  # the share of the question's names the article holds only aside (see ``names_aside``)


TITLE_WEIGHT = 0.5  # a question term the title holds, in telling the article's sentences apart
Groups = Sequence[tuple[Sequence[str], float]]  # the spellings of one question term, and its weight


def as_groups(terms: Sequence[str]) -> list[tuple[tuple[str, ...], float]]:
    """Plain terms as groups of one spelling each, all of weight 1."""
    return [((t,), 1.0) for t in dict.fromkeys(terms)]


def answer_window(body: str, pieces: Sequence[tuple[int, int]], core: tuple[int, int], groups: Groups,
                  types: frozenset[str], max_chars: int, max_sentences: int = 0,
                  renderings: Sequence[tuple[int, int, str]] = (), title: str = "") -> Window:
    """The best span of whole sentences of ``body`` (at most ``max_chars``, and ``max_sentences`` when
    given) that lies inside one of ``pieces``: the sentence with the most question evidence and the kind of
    answer asked for (then overlap with the ``core`` chunk), with a neighbour when both fit, as a :class:`Window`.

    ``groups``: the question's terms, each with its spellings and weight (its rarity in the corpus). A term
    counts once however spelt, and counts more the fewer of the article's sentences hold it: the words that
    found the article (its date, the people of its lead) stand in many of its sentences, the detail asked
    about in few, and the sentence that answers is the one holding that detail.

    ``renderings``: (start, end, text) of the body's sentences in another language (the English the index
    renders from the article): a question term found in the rendering of a sentence counts as found there,
    so that an English question reaches the Japanese sentence that answers it.

    ``title``: the article's title (and its rendering): a term it holds names what the article is about,
    which found the article; it weighs half in telling its sentences apart."""
    groups = [(tuple(sp), w) for sp, w in groups if w > 0 and any(_weighable(t) for t in sp)]
    sents = [(ps + a, ps + b, k) for k, (ps, pe) in enumerate(pieces)
             for a, b in (split_sentences(body[ps:pe]) or [(0, pe - ps)])]
    held = [_held(body, s, e, groups, renderings) for s, e, _ in sents]  # the groups each sentence holds
    n = len(sents)
    df = [sum(1 for h in held if g in h) for g in range(len(groups))]
    titled = _held(title, 0, len(title), groups, ()) if title else set()
    weight = [w * (math.log1p(n / df[g]) / math.log1p(n) if df[g] and n > 1 else 1.0)
              * (TITLE_WEIGHT if g in titled else 1.0) for g, (_, w) in enumerate(groups)]
    total = sum(w for _, w in groups) or 1.0
    def evidence(i: int, j: int) -> float:
        s, e = sents[i][0], min(sents[j][1], sents[i][0] + max_chars)
        found = set().union(*held[i:j + 1])
        return sum(weight[g] for g in found) / total + 0.5 * answer_type_match(types, body[s:e])

    def overlap(i: int) -> float:
        s, e = sents[i][0], sents[i][1]
        return max(0, min(e, core[1]) - max(s, core[0])) / max(1, core[1] - core[0])

    if not sents:
        return Window(core[0], core[1], -1)
    # the sentence that answers best (then the one in the hit's chunk, then the first); then, when the two
    # fit, the neighbour (in the same piece) that adds the most evidence, the preceding one on a tie: a
    # Japanese sentence often leaves out the subject that the one before it names
    i = max(range(n), key=lambda x: (evidence(x, x) + 0.2 * overlap(x), -x))
    j, k = i, sents[i][2]
    base = evidence(i, i)
    options = [(a, b) for a, b in ((i, i + 1), (i - 1, i)) if a >= 0 and b < n and sents[a][2] == sents[b][2] == k
               and sents[b][1] - sents[a][0] <= max_chars and (not max_sentences or max_sentences >= 2)]
    gains = [(round(evidence(a, b) - base, 9), -a, a, b) for a, b in options]
    if gains:
        _, _, i, j = max(gains)
    start, end = sents[i][0], min(sents[j][1], sents[i][0] + max_chars)
    found = set().union(*held[i:j + 1])
    text = body[start:end]
    return Window(start, end, k, sum(groups[g][1] for g in found) / total, answer_type_match(types, text),
                  missing_types(types, text))


def names_aside(body: str, window: tuple[int, int], names: Sequence[Sequence[str]], title: str = "",
                renderings: Sequence[tuple[int, int, str]] = ()) -> float:
    """The share of the question's ``names`` (the spellings of each) that the article holds, but neither in
    its ``title`` nor in the answering ``window``: named aside ("the rain also reached Akita"), the article
    and its answer are about another one."""
    groups = [(tuple(sp), 1.0) for sp in names if sp]
    if not groups:
        return 0.0
    in_body = _held(body, 0, len(body), groups, renderings)
    shown = _held(body, window[0], window[1], groups, renderings) | (_held(title, 0, len(title), groups, ())
                                                                     if title else set())
    return len(in_body - shown) / len(groups)


def _held(body: str, s: int, e: int, groups: list[tuple[tuple[str, ...], float]],
          renderings: Sequence[tuple[int, int, str]]) -> set[int]:
    """The groups with a spelling in ``body[s:e]`` or in the rendering of a sentence within it."""
    text = body[s:e]
    rendered = " ".join(t for a, b, t in renderings if s <= a and b <= e + 1)
    return {g for g, (spellings, _) in enumerate(groups)
            if _holds(text, spellings) or (rendered and _holds(rendered, spellings))}


def context_window(body: str, start: int, end: int, max_chars: int) -> tuple[int, int]:
    """The span ``start:end`` widened by whole sentences on both sides (the following one first) while it
    stays within ``max_chars``: the surrounding text of a passage, for "More" / ``--context``."""
    sents = split_sentences(body) or [(0, len(body))]
    i = next((k for k, (_, b) in enumerate(sents) if b > start), len(sents) - 1)
    j = next((k for k in range(len(sents) - 1, -1, -1) if sents[k][0] < end), i)
    s, e = min(start, sents[i][0]), max(end, sents[j][1])
    grew = True
    while grew:
        grew = False
        if j + 1 < len(sents) and sents[j + 1][1] - s <= max_chars:
            j += 1
            e = sents[j][1]
            grew = True
        if i > 0 and e - sents[i - 1][0] <= max_chars:
            i -= 1
            s = sents[i][0]
            grew = True
    return s, e


def best_answer_row(rows: Sequence[int], texts: Sequence[str], rel: Sequence[float], terms: Sequence[str],
                    types: frozenset[str]) -> int:
    """Among an article's chunks (``rows`` with their ``texts`` and fused scores relative to the article's
    best, ``rel``), the one that best answers: its relative score, plus the share of the question's terms
    it contains, plus whether it holds the kind of thing asked for (a number for "how many", a name for
    "who", a date for "when"...)."""
    terms = [t for t in terms if len(t) > 1]
    n_terms = max(1, len({t.lower() for t in terms}))
    best, best_s = rows[0], -1.0
    for r, text, rs in zip(rows, texts, rel, strict=True):
        found = {text[a:b].lower() for a, b in highlight_spans(text, terms)}
        s = rs + 0.5 * len(found) / n_terms + 0.5 * answer_type_match(types, text)
        if s > best_s:
            best, best_s = r, s
    return best

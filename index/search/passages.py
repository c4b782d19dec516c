"""Passage spans and highlights: where in a chunk the question's words (and their aliases) occur."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from ..text.chunking import split_sentences

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


# ------------------------------------------------------------------ what kind of answer a question wants

# an English wh-word asks when it opens the question or a clause of it ("In the test ..., how many"), not
# as a relative word inside it ("the grant whose exchange of notes ...")
_OPENS = r"(?:^|[,;:]\s*|\b(?:tell me|know|and|but|to|with|by|for|from|of|in|on|at)\s+)"
_Q_TYPES = {
    "count": re.compile(r"how\s+(?:many|much|long|far)|number\s+of|何(?:人|回|隻|機|名|羽|両|発|件|台|か所|日間|年間|トン|キロ|メートル)"
                        r"|いくつ|どれ(?:くらい|ぐらい|だけ)|何割|何%", re.I),
    "who": re.compile(_OPENS + r"who(?:m|se)?\b|誰|だれ|どなた", re.I),
    "when": re.compile(_OPENS + r"(?:when\b|(?:during|in|on|for|from)?\s*what\s+(?:date|day|time|month|year|period|"
                       r"dates|days)\b)|いつ|何日|何月|何年|何時|期間", re.I),
    "where": re.compile(_OPENS + r"(?:where\b|(?:which|what)\s+(?:[\w-]+\s+){0,2}(?:camp|base|port|city|area|"
                        r"training\s+area|shipyard|airport|prefecture|island|sea|venue|place|location|country)s?\b)"
                        r"|どこ|どの(?:駐屯地|基地|港|演習場|訓練場|造船所|海域|国)", re.I),
}
_A_TYPES = {
    "count": re.compile(r"\d[\d,.]*\s*(?:人|名|回|隻|機|羽|両|発|件|台|か所|日間|年間|トン|キロ|km|メートル|m\b|times|"
                        r"personnel|people|aircraft|ships|vessels|sorties|flights|tons|days|percent|%)"
                        r"|[一二三四五六七八九十]+(?:人|名|回|隻|機)", re.I),
    "who": re.compile(r"[(（][ぁ-ゖ]+・[ぁ-ゖ]+[)）]|(?:陸将|海将|空将|中将|大将|少将|准将|大佐|中佐|少佐|大臣|長官|司令官|総監|相)(?:補)?[がはのに、をと]"
                      r"|[ァ-ヺー・]{2,}\s?[(（][A-Z][a-z]+|[一-龥]{1,3}\s?[一-龥]{1,3}\s?(?:氏|さん)|[1-3][佐尉]"
                      r"|\b(?:General|Admiral|Minister|Colonel|Commander|Captain|Ambassador|President|Secretary|"
                      r"Mr\.|Ms\.|Dr\.)\s+[A-Z]", re.I),
    "when": re.compile(r"\d{1,2}月\d{1,2}日|\d{4}年|令和\d+年|(?:January|February|March|April|May|June|July|August|"
                       r"September|October|November|December)\s+\d", re.I),
    "where": re.compile(r"駐屯地|基地|演習場|訓練場|造船所|空港|港|沖|海域|[都道府県市町村]\b|\b(?:Camp|Base|Area|Airport|Port)\b"),
}


# what a figure asked for measures: a count of people is not answered by a count of ships, a cost not by a date
_N = r"\d[\d,.]*\s*"
_MEASURES = {  # name: (the question asks for it, the answer holds it)
    "money": (r"how\s+much\b.*\b(?:cost|costs|price|budget|worth|spend|spent|pay|paid|grant|amount)\b|"
              r"\b(?:cost|price|budget|amount)\b.*\bhow\s+much\b|建造費|費用|予算|金額|価格|供与額|総額|いくら",
              _N + r"(?:億|万)?\s*円|\d+(?:億|万)円|(?:yen|dollars|USD)\s*\d|\$\s*\d|"
              + _N + r"(?:million|billion)?\s*(?:yen|dollars)"),
    "people": (r"how\s+many\s+(?:[\w-]+\s+){0,2}(?:people|personnel|troops|soldiers|members|sailors|staff|officers|"
               r"crew|participants|attendees|students|instructors|guests)\b|何人|何名",
               _N + r"(?:人|名)|" + _N + r"(?:people|personnel|troops|soldiers|members|sailors|officers)|"
               r"[一二三四五六七八九十百千]+(?:人|名)"),
    "ships": (r"how\s+many\s+(?:[\w-]+\s+){0,2}(?:ships|vessels|destroyers|frigates|submarines|boats)\b|何隻",
              _N + r"隻|" + _N + r"(?:ships|vessels|destroyers|frigates|submarines|boats)|[一二三四五六七八九十]+隻"),
    "aircraft": (r"how\s+many\s+(?:[\w-]+\s+){0,2}(?:aircraft|planes|jets|fighters|helicopters|drones|launchers|"
                 r"missiles|units)\b|何機|何基|何発",
                 _N + r"(?:機|基|発)|" + _N + r"(?:aircraft|planes|jets|fighters|helicopters|drones|launchers|missiles)"),
    "times": (r"how\s+many\s+(?:[\w-]+\s+){0,2}(?:times|sorties|flights|scrambles|launches|rounds)\b|何回|何度",
              _N + r"(?:回|度)|" + _N + r"(?:times|sorties|flights|scrambles|launches|rounds)"),
    "distance": (r"\b(?:range|how\s+far|distance)\b|射程|距離|何キロ",
                 _N + r"(?:km|キロ|海里|マイル|miles|nautical\s+miles|kilometers|kilometres)"),
    "speed": (r"\b(?:speed|velocity|how\s+fast)\b|速力|速度|マッハ",
              _N + r"(?:ノット|knots|km/h|キロ毎時|m/s|メートル毎秒)|マッハ\s*\d|Mach\s*\d"),
}
_MEASURE_Q = {k: re.compile(q, re.I) for k, (q, _) in _MEASURES.items()}
_A_TYPES.update({k: re.compile(a, re.I) for k, (_, a) in _MEASURES.items()})


def answer_types(question: str) -> frozenset[str]:
    """The kinds of answer a question asks for: count, who, when, where; and what a figure asked for
    measures (money, people, ships, aircraft, times, distance, speed: a "count" then too)."""
    types = {k for k, rx in _Q_TYPES.items() if rx.search(question)}
    measures = {k for k, rx in _MEASURE_Q.items() if rx.search(question)}
    return frozenset(types | measures | ({"count"} if measures else set()))


def answer_type_match(types: frozenset[str], text: str) -> float:
    """1.0 when ``text`` contains something of every kind asked for, a share otherwise (0 if none asked).
    A count whose measure is asked for is found only as that measure (people for "how many troops")."""
    kinds = [t for t in types if not (t == "count" and types & _MEASURES.keys())]
    if not kinds:
        return 0.0
    return sum(1 for t in kinds if _A_TYPES[t].search(text)) / len(kinds)


def missing_types(types: frozenset[str], text: str) -> frozenset[str]:
    """The kinds of answer asked for that ``text`` does not hold (a count whose measure is asked: as that
    measure)."""
    return frozenset(t for t in types if not (t == "count" and types & _MEASURES.keys())
                     and not _A_TYPES[t].search(text))


# the kinds of answer a passage must hold to be an answer: what a figure measures, dates and people (a name
# with its reading, title or rank), which the text writes in few ways (a place in too many to require one)
REQUIRED_TYPES = frozenset({"when", "who", *_MEASURES})


class Window(NamedTuple):
    """The answering span of an article and how well it answers."""

    start: int
    end: int
    piece: int  # the index of the piece it lies in (-1: none, the core)
    cover: float = 0.0  # the share of the question's term weight (rarity) the span holds
    type_match: float = 0.0  # the kind of answer asked for, found in the span (see ``answer_type_match``)
    missing_types: frozenset[str] = frozenset()  # the kinds asked for that the span does not hold


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

"""Ordinals: the one item of a series a question names (the 13th ship of a class, the 55th rotation).

Like a name, an ordinal the article does not hold means the article is about another item of the series
(the 12th ship's launch does not tell when the 13th was launched). Matched on the text, in any of the
ordinal forms articles write (13th, 13番艦, 13番機, 第13次, 第13回). So is an edition: the number after an
exercise's or a series' name (Cope North 25, キーン・ソード23), which the article must hold too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# an ordinal names one item of a series: the 13th ship of a class (13番艦), the 55th rotation (第55次)
# (an English ordinal qualifies a word: "the 13th frigate", not "on the 13th" or "the 13th of July")
_Q_ORDINAL = re.compile(r"(?<![0-9])(\d{1,3})(?:st|nd|rd|th)\s+(?!of\b)[A-Za-z]"
                        r"|(?<![0-9])(\d{1,3})(?:番艦|番機)|第(\d{1,3})(?:次|回)", re.I)


def question_ordinals(question: str, date_spans: Sequence[tuple[int, int]] = ()) -> tuple[int, ...]:
    """The numbers of the ordinals the question names, outside its date expressions ("the 13th")."""
    return tuple(dict.fromkeys(int(m.group(1) or m.group(2) or m.group(3)) for m in _Q_ORDINAL.finditer(question)
                               if not any(s <= m.start() < e for s, e in date_spans)))


def ordinals_missing(ordinals: Sequence[int], text: str) -> tuple[int, ...]:
    """The ordinals of the question that ``text`` does not hold in any ordinal form (13th, 13番艦, 第13次)."""
    return tuple(n for n in ordinals if not re.search(
        rf"(?<![0-9]){n}(?:st|nd|rd|th|番艦|番機|次|回)|第{n}(?![0-9])", text, re.I))


# an edition: a two- or four-digit number right after a name (a capitalised word, katakana, a closing quote)
_Q_EDITION = re.compile(r"(?:\b[A-Z][A-Za-z]+|[ァ-ヺー・]{2,}|[」』])\s?(\d{2}|\d{4})(?![0-9年月日度])")


def question_editions(question: str, date_spans: Sequence[tuple[int, int]] = ()) -> tuple[int, ...]:
    """The editions the question names (Cope North 25 -> 25), outside its date expressions."""
    return tuple(dict.fromkeys(int(m.group(1)) for m in _Q_EDITION.finditer(question)
                               if not any(s <= m.start(1) < e for s, e in date_spans)))


def editions_missing(editions: Sequence[int], text: str) -> tuple[int, ...]:
    """The editions ``text`` does not hold as a number of their own (not a date's day, month or year)."""
    return tuple(n for n in editions if not re.search(rf"(?<![0-9]){n}(?![0-9]|年|月|日)", text))

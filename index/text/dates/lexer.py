"""Normalised text -> date parts: each regex match of :mod:`.lexicon` becomes a :class:`Part` (a year, a
month, a day, an English date or an already complete span), and adjacent Japanese components
(``2024年`` + ``11月`` + ``12日``) merge into one part. Parts are resolved to dates by :mod:`.resolver`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ...models import DateSpan
from .lexicon import (
    ARTICLE_DIGIT_RE,
    ARTICLE_KANJI_RE,
    ARTICLE_LATIN_RE,
    BAD_BARE_PREFIX_RE,
    DIGITS_RE,
    LIST_GAP_RE,
    MONTH_NUM,
    REL_DAY,
    REL_MONTH,
    REL_YEAR,
    TRIGGER_RE,
)
from .periods import era_year, fiscal_year_span, make_date, valid_year, year_span


@dataclass(slots=True)
class Part:
    start: int
    end: int
    kind: str  # "Y", "M", "D": Japanese components (merged: Y+M -> M, M+D -> D); "E" English; "X" complete
    y: int | None = None
    yrel: str = ""  # "" | "pub" | "anchor"
    yoff: int = 0
    ysuf: str = ""  # a key of periods.YEAR_PARTS or "代" (decade)
    m: int | None = None
    mrel: str = ""
    moff: int = 0
    msuf: str = ""
    d: int | None = None
    drel: str = ""  # "" | "same" | "next" | "prev" | "today" | "next_n" | "same_n"
    d2: int | None = None
    span: DateSpan | None = None  # already resolved
    qrel: str = ""  # question-only relative phrase
    qn: int = 0
    has_y: bool = False
    has_m: bool = False
    has_d: bool = False
    bare: bool = False  # a plain day number without month


def article_matches(norm: str) -> Iterator[re.Match[str]]:
    """Leftmost non-overlapping matches of the article patterns, attempted only at trigger characters."""
    pos, n = 0, len(norm)
    search, digits = TRIGGER_RE.search, DIGITS_RE.match
    dmatch, kmatch, lmatch = ARTICLE_DIGIT_RE.match, ARTICLE_KANJI_RE.match, ARTICLE_LATIN_RE.match
    while pos < n:
        t = search(norm, pos)
        if t is None:
            return
        s = t.start()
        c = norm[s]
        is_digit = "0" <= c <= "9"
        m = dmatch(norm, s) if is_digit else (lmatch(norm, s) if c in "JFMASONDf" else kmatch(norm, s))
        if m is not None and m.end() > s:
            yield m
            pos = m.end()
        elif is_digit:  # no match can start inside a run of digits
            pos = digits(norm, s).end()
        else:
            pos = s + 1


# --- one part per match, by the name of the alternative that matched ----------------------------------


def _year(m: re.Match[str]) -> Part | None:
    g = m.group
    p = Part(m.start(), m.end(), "Y", has_y=True, ysuf=g("ysuf") or "")
    if g("era"):
        p.y = era_year(g("era"), g("ey"))
        if p.y is None:
            return None
    elif g("wy"):
        p.y = valid_year(int(g("wy")))
        if p.y is None:
            return None
    else:
        p.yrel, p.yoff = REL_YEAR[g("ry")]
        if p.ysuf == "代":
            return None
    if p.ysuf == "代" and (p.y or 1) % 10:
        return None
    return p


def _month(m: re.Match[str]) -> Part | None:
    g = m.group
    p = Part(m.start(), m.end(), "M", has_m=True, msuf=g("msuf") or "")
    if g("mon"):
        p.m = int(g("mon"))
        if not 1 <= p.m <= 12:
            return None
    else:
        p.mrel, p.moff = REL_MONTH[g("rm")]
    return p


def _day(m: re.Match[str]) -> Part | None:
    g = m.group
    p = Part(m.start(), m.end(), "D", has_d=True)
    if g("dre"):
        p.drel = REL_DAY[g("dre")]
    elif g("dpre"):
        p.drel = "next_n" if g("dpre") == "翌" else "same_n"
        p.d = int(g("dd"))
    else:
        p.d = int(g("day"))
        p.bare = True
    if p.d is not None and not 1 <= p.d <= 31:
        return None
    return p


def _year_range(m: re.Match[str]) -> Part | None:
    g = m.group
    if g("yr_era"):
        y1 = era_year(g("yr_era"), g("yr_a"))
        b = g("yr_b")
        if b != "元" and len(b) > 2:
            return None
        y2 = era_year(g("yr_erab") or g("yr_era"), b)
    else:
        y1 = valid_year(int(g("yr_wa")))
        b = g("yr_b")
        if g("yr_erab"):
            y2 = era_year(g("yr_erab"), b)
        elif b == "元" or len(b) not in (2, 4):
            return None
        elif len(b) == 2 and y1 is not None:
            y2 = y1 // 100 * 100 + int(b)
            if y2 < y1:
                y2 += 100
        else:
            y2 = valid_year(int(b))
    if y1 is None or y2 is None or y2 < y1:
        return None
    if g("yr_fy") or g("yr_fya"):
        a, z = fiscal_year_span(y1), fiscal_year_span(y2)
    else:
        a, z = year_span(y1), year_span(y2)
    if a is None or z is None:
        return None
    return Part(m.start(), m.end(), "X", span=DateSpan(a.first, z.last, "range"))


def _iso(m: re.Match[str]) -> Part | None:
    g = m.group
    d = make_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
    return Part(m.start(), m.end(), "X", span=DateSpan(d, d, "day")) if d else None


def _english(m: re.Match[str]) -> Part | None:
    """``May 26, 2025`` (EMD), ``26 May 2025`` (EDM), ``May 2025`` (EMY)."""
    kind, g = m.lastgroup, m.group
    i = {"EMD": "1", "EDM": "2", "EMY": "3"}[kind]  # type: ignore[index]
    p = Part(m.start(), m.end(), "E", has_m=True, m=MONTH_NUM[g("em" + i).lower()])
    if kind != "EMY":
        p.has_d, p.d = True, int(g("ed" + i))
        if kind == "EMD" and g("ed1b"):
            p.d2 = int(g("ed1b"))
    year = g("ey" + i)
    if year:
        p.y = valid_year(int(year))
        if p.y is None:
            return None
        p.has_y = True
    return p


def _english_fiscal_year(m: re.Match[str]) -> Part | None:
    fy = m.group("efy") or m.group("efy2")
    y = int(fy) + (2000 if len(fy) == 2 else 0)
    span = fiscal_year_span(y)
    return Part(m.start(), m.end(), "X", span=span) if span else None


def _plain_year(m: re.Match[str]) -> Part | None:
    """A bare western year: ``in 2024`` (EYY) in articles, ``2024`` (QY) in questions."""
    grp = "eyy" if m.lastgroup == "EYY" else "qy"
    span = year_span(int(m.group(grp)))
    return Part(m.start(grp), m.end(), "X", span=span) if span else None


def _question_phrase(m: re.Match[str]) -> Part | None:
    g = m.group
    n = g("qn1") or g("qn2") or g("qn3")
    return Part(m.start(), m.end(), "X", qrel=" ".join(g(0).lower().split()), qn=int(n) if n else 0)


def _question_month(m: re.Match[str]) -> Part | None:
    return Part(m.start("qm"), m.end(), "M", has_m=True, m=MONTH_NUM[m.group("qm").lower()])


_PART_OF: dict[str, Callable[[re.Match[str]], Part | None]] = {
    "Y": _year, "M": _month, "D": _day, "YR": _year_range, "ISO": _iso,
    "EMD": _english, "EDM": _english, "EMY": _english, "EFY": _english_fiscal_year,
    "EYY": _plain_year, "QY": _plain_year, "QREL": _question_phrase, "QM": _question_month,
}


def _part_from_match(m: re.Match[str]) -> Part | None:
    make = _PART_OF.get(m.lastgroup or "")
    return make(m) if make is not None else None  # every alternative is named


# --- merging ----------------------------------------------------------------------------------------


def _is_blank(s: str) -> bool:
    return not s or s.isspace()


def _absorb(prev: Part, p: Part) -> bool:
    """Merge ``p`` into ``prev`` written just before it (年 + 月 -> a month, 月 + 日 -> a day)."""
    if p.kind == "M" and prev.kind == "Y" and not prev.has_m and not prev.ysuf and not p.qrel:
        prev.end, prev.kind, prev.has_m = p.end, "M", True
        prev.m, prev.mrel, prev.moff, prev.msuf = p.m, p.mrel, p.moff, p.msuf
        return True
    if p.kind == "D" and p.bare and prev.kind == "M" and prev.has_m and not prev.msuf and not prev.has_d:
        prev.end, prev.kind, prev.has_d, prev.d = p.end, "D", True, p.d
        return True
    return False


def lex(norm: str, matches: Iterable[re.Match[str]]) -> list[Part]:
    """Merge lexed pieces: adjacent Japanese components (年 + 月 + 日) become one date expression."""
    out: list[Part] = []
    rejected_end = -1
    for m in matches:
        p = _part_from_match(m)
        if p is None:  # e.g. 13月: its day goes with it
            rejected_end = m.end()
            continue
        prev = out[-1] if out else None
        if prev is not None and _is_blank(norm[prev.end : p.start]) and _absorb(prev, p):
            continue
        if p.kind == "D" and p.bare and (
            BAD_BARE_PREFIX_RE.search(norm, max(0, p.start - 4), p.start)
            or (rejected_end >= 0 and LIST_GAP_RE.fullmatch(norm, rejected_end, p.start))
        ):
            rejected_end = p.end  # a count of days ("約3日"), not a date
            continue
        out.append(p)
    return out

"""Dates in article text and in questions (Japanese and English), resolved to :class:`DateSpan`.

Pure functions, stdlib only; all regexes are compiled at import.

* :func:`find_dates` finds date mentions in an article passage and resolves them against the article's
  publication date (``令和6(2024)年11月12日(火)``, ``11月12日``, ``同日``, ``翌13日``, bare ``13日``,
  ``8月下旬``, ``令和7年度``, ranges such as ``8月26日から11月15日まで``, English ``May 26, 2025``...).
* :func:`parse_question_dates` finds dates in a question (absolute or relative to ``today``) as
  :class:`QueryDate` objects whose :meth:`QueryDate.matches` scores a passage's :class:`DateSpan`.
* :func:`era_variants` gives equivalent era/western year spellings for keyword query expansion.

Offsets always refer to the caller's original text: the text is normalised with a 1:1 character
translation (full-width digits, letters, brackets, tildes and dashes to ASCII), so lengths never change.

Resolution rules for article text (heuristics, see the tests for examples):

* A month/day without a year takes the year of a mention with a stated year earlier in the same sentence;
  otherwise it is the most recent such date not more than 31 days after publication.
* A bare ``13日`` takes the month of a mention with a stated month earlier in the same sentence, or earlier
  in the text when that month is the publication month or the one before (reports on recent events);
  otherwise it is the 13th of the publication month or of the month before, whichever is closer to
  publication. (An old background date, ``2022年12月に改定。…19日、発表した``, does not capture it.)
* A date written after a later anchor stays before it (``10日、…9日に``) unless the next month/year has
  already happened at publication and is closer to it (``11月28日に会談し、2日に…`` published 5 Dec).
* ``同日``/``翌日``/``前日``/``翌13日``/``同月``/``同年``/``前年`` refer to the previous mention in the
  text (or to ``context``, e.g. the last date of the preceding chunk, or else to the publication date).
* The second end of a range (``12月28日~1月5日``, ``28日から2日まで``) is rolled forward past the first;
  a range is one mention with granularity ``range``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from index.models import DateSpan

__all__ = ["DateMention", "QueryDate", "era_variants", "find_dates", "parse_question_dates"]

MIN_YEAR = 1950
MAX_YEAR = 2100
_INFER_AHEAD = timedelta(days=31)  # an undated mention may lie this far after publication

_ERA_BASE = {"令和": 2018, "㋿": 2018, "平成": 1988, "㍻": 1988, "昭和": 1925, "㍼": 1925}
_ERA_MAX = {2018: 99, 1988: 31, 1925: 64}

# --- normalisation (length preserving) ---------------------------------------------------------------

_TRANS: dict[str, str] = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}  # full-width ASCII
_TRANS.update({"\u3000": " ", "\u301c": "~", "\u223c": "~", "\uff65": "・"})
_TRANS.update(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63", "-"))
_TRANS_RE = re.compile("[" + "".join(map(re.escape, _TRANS)) + "]")


def _normalise(text: str) -> str:
    """Full-width digits/letters/punctuation to ASCII, one character for one (offsets are kept)."""
    return _TRANS_RE.sub(lambda m: _TRANS[m.group()], text)


# --- lexer ------------------------------------------------------------------------------------------

_S = r"[ \t]*"
_NG = r"(?<![0-9,.\-/A-Za-z])"  # a number not glued to another number, code or decimal
_ERA = r"令和|平成|昭和|㋿|㍻|㍼"
_EY = r"(?:元|\d{1,2})(?!\d)"
_ERA_OR_Y = r"(?:(?:令和|平成|昭和)" + _S + r"(?:元|\d{1,2})|\d{4})"

_P_YR = (
    r"(?P<YR>(?:(?P<yr_era>" + _ERA + r")" + _S + r"(?P<yr_a>" + _EY + r")"
    + r"|" + _NG + r"(?P<yr_wa>\d{4})(?!\d))"
    + _S + r"(?:年(?P<yr_fya>度)?)?" + _S + r"[~\-]" + _S
    + r"(?:(?P<yr_erab>" + _ERA + r")" + _S + r")?(?P<yr_b>元|\d{1,4})" + _S + r"年(?P<yr_fy>度)?"
    + r"(?!間|前|後|以上|以内|ぶり))"
)
_P_ISO = (
    r"(?P<ISO>(?<![\d./\-])(?P<iso_y>\d{4})(?P<iso_sep>[\-/.])(?P<iso_m>\d{1,2})(?P=iso_sep)"
    r"(?P<iso_d>\d{1,2})(?!\d|[./\-]\d))"
)
_P_Y = (
    r"(?P<Y>(?:(?P<era>" + _ERA + r")" + _S + r"(?P<ey>" + _EY + r")" + _S
    + r"(?:\(" + _S + r"\d{4}" + _S + r"\)" + _S + r")?年"
    + r"|" + _NG + r"(?P<wy>\d{4})" + _S + r"(?:\(" + _S + _ERA_OR_Y + _S + r"\)" + _S + r")?年"
    + r"|(?P<ry>一昨年|再来年|今年|(?<!日)本年|昨年|去年|来年|前年|翌年|同年))"
    + r"(?P<ysuf>度末|度上半期|度下半期|度第[1-4]四半期|度|代|末|上半期|下半期|前半|後半)?"
    + r"(?:" + _S + r"\(" + _S + _ERA_OR_Y + _S + r"年度?" + _S + r"\))?"
    + r"(?!間|前(?!後|半)|後(?!半)|以上|以内|ぶり|余り|近く|比|同期|連続|目|生))"
)
_P_M = (
    r"(?P<M>(?:" + _NG + r"(?P<mon>\d{1,2})" + _S + r"月|(?P<rm>先々月|今月|先月|来月|同月|翌月|前月))"
    + r"(?P<msuf>上旬|中旬|下旬|初旬|初め|はじめ|末|前半|後半|半ば|中ごろ|中頃)?(?!間|比))"
)
_DAY_STOP = r"(?!間|目|以内|以上|後|前(?!後)|ぶり|分|連続|程度|余り|弱|強|超|ほど|未満|おき|ごと|毎|比|あたり|当たり|平均)"
_P_D = (
    r"(?P<D>(?:(?P<dre>同日|当日|翌日|前日|本日)|(?P<dpre>翌|同)" + _S + r"(?P<dd>\d{1,2})" + _S + r"日"
    + r"|" + _NG + r"(?P<day>\d{1,2})" + _S
    + r"(?:(?P<dsuf>両?日)|(?=" + _S + r"[~、・,]" + _S + r"\d{1,2}" + _S + r"両?日)))"
    + _DAY_STOP
    + r"(?:" + _S + r"\(" + _S + r"[月火水木金土日祝](?:曜日?)?(?:" + _S + r"[・,]" + _S + r"[祝休]日?)?" + _S
    + r"\))?)"
)

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_MONTH_NUM = {
    name.lower(): i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ORD = r"(?:st|nd|rd|th)?"
# words after which a bare 4-digit number is a year ("in 2024"); lookbehinds, so a match starts at the digits
_YEAR_PREPS = (
    "in ", "by ", "since ", "during ", "until ", "through ", "before ", "after ", "from ", "early ", "late ",
    "end of ", "mid-", "mid ",
)
_WDAY_EN = r"(?:\s*\((?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\))?"


def _english_patterns(months: str) -> list[str]:
    mon = r"(?<![A-Za-z])(?P<{g}>" + months + r")(?![A-Za-z])\.?"
    return [
        r"(?P<EMD>" + mon.format(g="em1") + r"\s+(?P<ed1>\d{1,2})" + _ORD + r"(?![\d:A-Za-z])"
        + r"(?:\s*(?:-|to|through|until)\s*(?P<ed1b>\d{1,2})" + _ORD + r"(?![\d:A-Za-z]))?"
        + r"(?:,?\s+(?P<ey1>\d{4})(?!\d))?" + _WDAY_EN + r")",
        r"(?P<EDM>(?<![\d.,:])(?P<ed2>\d{1,2})" + _ORD + r"\s+(?:of\s+)?" + mon.format(g="em2")
        + r"(?:,?\s+(?P<ey2>\d{4})(?!\d))?)",
        r"(?P<EMY>" + mon.format(g="em3") + r",?\s+(?P<ey3>\d{4})(?!\d))",
        r"(?P<EFY>(?<![A-Za-z])(?:(?i:fy)\s?'?(?P<efy>\d{4}|\d{2})"
        r"|(?i:fiscal)\s+(?:(?i:year)\s+)?(?P<efy2>\d{4}))(?!\d))",
        r"(?P<EYY>(?i:" + "|".join(f"(?<={w})" for w in _YEAR_PREPS) + r")"
        r"(?P<eyy>\d{4})(?!\d|[,./\-]\d|\s*年))",
    ]


_JA_PATTERNS = [_P_YR, _P_ISO, _P_Y, _P_M, _P_D]
_Q_PATTERNS = [
    r"(?P<QREL>(?i:\b(?:the\s+day\s+before\s+yesterday|yesterday|today|tonight"
    r"|this\s+week|last\s+week|past\s+week|this\s+month|last\s+month|past\s+month"
    r"|this\s+fiscal\s+year|last\s+fiscal\s+year|this\s+year|last\s+year"
    r"|(?:past|last)\s+(?P<qn1>\d{1,3})\s+days|(?P<qn2>\d{1,3})\s+days?\s+ago"
    r"|(?P<qn3>\d{1,2})\s+weeks?\s+ago)\b)"
    r"|一昨日|おととい|昨日|きのう|今日|きょう|先々週|先週|今週)",
    r"(?P<QM>(?i:\b(?:in|during|since|early|mid|late|end\s+of)[\s-]+)"
    r"(?P<qm>(?i:January|February|March|April|May"
    r"|June|July|August|September|October|November|December))(?![A-Za-z])(?!\.?\s*\d))",
]
_P_QY = r"(?P<QY>(?<![0-9A-Za-z.,/\-])(?P<qy>(?:19|20|21)\d{2})(?![0-9A-Za-z]|[,./\-]\d|\s*年))"

_EMD, _EDM, _EMY, _EFY, _EYY = _english_patterns(_MONTHS)
# article text: one pattern per kind of first character (see _article_matches), alternatives in priority order
_ARTICLE_DIGIT_RE = re.compile("|".join([_P_YR, _P_ISO, _P_Y, _P_M, _P_D, _EDM, _EYY]), re.ASCII)
_ARTICLE_KANJI_RE = re.compile("|".join([_P_YR, _P_Y, _P_M, _P_D]), re.ASCII)
_ARTICLE_LATIN_RE = re.compile("|".join([_EMD, _EMY, _EFY]), re.ASCII)
_QUESTION_RE = re.compile(
    "|".join(_Q_PATTERNS + _JA_PATTERNS + _english_patterns("(?i:" + _MONTHS + ")") + [_P_QY]), re.ASCII
)

_QUICK_RE = re.compile(r"[0-9年月日]")
# every article match starts at one of these characters: patterns are only tried there
_DIGITS_RE = re.compile(r"[0-9]+")
_TRIGGER_RE = re.compile(r"[0-9令平昭㋿㍻㍼一再今本昨去来前翌同先当JFMASONDf]")
_SENT_END_RE = re.compile(r"[。！？!?\n]")
_CONNECTOR_RE = re.compile(r"\s*(?:から|より|ないし|~|-|to|until|through|till)\s*", re.ASCII)
_LIST_GAP_RE = re.compile(r"\s*(?:から|~|-|、|・|,|および|及び|と)?\s*")
_BAD_BARE_PREFIX_RE = re.compile(
    r"(?:約|計|最大|最長|最短|延べ|毎|第|数|過去|わずか|ほぼ|およそ|各|丸|ここ|向こう|今後|残り|[+＋])\s*$"
)

_MSUF = {
    "上旬": (1, 10), "初旬": (1, 10), "初め": (1, 10), "はじめ": (1, 10),
    "中旬": (11, 20), "半ば": (11, 20), "中ごろ": (11, 20), "中頃": (11, 20),
    "下旬": (21, 31), "末": (21, 31), "前半": (1, 15), "後半": (16, 31),
}
_REL_YEAR = {
    "一昨年": ("pub", -2), "昨年": ("pub", -1), "去年": ("pub", -1), "今年": ("pub", 0), "本年": ("pub", 0),
    "来年": ("pub", 1), "再来年": ("pub", 2), "前年": ("anchor", -1), "同年": ("anchor", 0), "翌年": ("anchor", 1),
}
_REL_MONTH = {
    "先々月": ("pub", -2), "先月": ("pub", -1), "今月": ("pub", 0), "来月": ("pub", 1),
    "前月": ("anchor", -1), "同月": ("anchor", 0), "翌月": ("anchor", 1),
}
_REL_DAY = {"同日": "same", "当日": "same", "翌日": "next", "前日": "prev", "本日": "today"}


def _article_matches(norm: str) -> Iterator[re.Match[str]]:
    """Leftmost non-overlapping matches of the article patterns, attempted only at trigger characters."""
    pos, n = 0, len(norm)
    search, digits = _TRIGGER_RE.search, _DIGITS_RE.match
    dmatch, kmatch, lmatch = _ARTICLE_DIGIT_RE.match, _ARTICLE_KANJI_RE.match, _ARTICLE_LATIN_RE.match
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


# --- small date helpers -----------------------------------------------------------------------------


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_end(y: int, m: int) -> int:
    return 29 if m == 2 and calendar.isleap(y) else _MONTH_DAYS[m]


def _mk(y: int, m: int, d: int) -> date | None:
    if MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12 and 1 <= d <= _month_end(y, m):
        return date(y, m, d)
    return None


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def _fiscal_year_of(d: date) -> int:
    return d.year if d.month >= 4 else d.year - 1


def _fy_span(fy: int) -> DateSpan | None:
    if not MIN_YEAR <= fy < MAX_YEAR:
        return None
    return DateSpan(date(fy, 4, 1), date(fy + 1, 3, 31), "fiscal_year")


def _year_span(y: int) -> DateSpan | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    return DateSpan(date(y, 1, 1), date(y, 12, 31), "year")


def _month_span(y: int, m: int, suf: str = "") -> DateSpan | None:
    if not (MIN_YEAR <= y <= MAX_YEAR and 1 <= m <= 12):
        return None
    end = _month_end(y, m)
    if suf:
        lo, hi = _MSUF[suf]
        return DateSpan(date(y, m, lo), date(y, m, min(hi, end)), "range")
    return DateSpan(date(y, m, 1), date(y, m, end), "month")


# parts of a (fiscal) year: suffix -> (months after January / April, number of months)
_YSUF = {
    "": (0, 12), "末": (11, 1), "上半期": (0, 6), "前半": (0, 6), "下半期": (6, 6), "後半": (6, 6),
    "度": (0, 12), "度末": (11, 1), "度上半期": (0, 6), "度下半期": (6, 6),
    "度第1四半期": (0, 3), "度第2四半期": (3, 3), "度第3四半期": (6, 3), "度第4四半期": (9, 3),
}


def _year_part_span(y: int, suf: str) -> DateSpan | None:
    """The span of year (or fiscal year, suffix 度...) ``y`` with a part suffix such as 末 or 上半期."""
    if suf == "代":
        if not MIN_YEAR <= y <= MAX_YEAR - 9:
            return None
        return DateSpan(date(y, 1, 1), date(y + 9, 12, 31), "range")
    fiscal = suf.startswith("度")
    if fiscal and suf == "度":
        return _fy_span(y)
    if not fiscal and suf == "":
        return _year_span(y)
    off, n = _YSUF[suf]
    y0, m0 = _add_months(y, 4 if fiscal else 1, off)
    y1, m1 = _add_months(y0, m0, n - 1)
    if y0 < MIN_YEAR or y1 > MAX_YEAR:
        return None
    return DateSpan(date(y0, m0, 1), date(y1, m1, _month_end(y1, m1)), "range")


def _era_year(era: str, n: str) -> int | None:
    base = _ERA_BASE[era]
    k = 1 if n == "元" else int(n)
    if not 1 <= k <= _ERA_MAX[base]:
        return None
    y = base + k
    return y if MIN_YEAR <= y <= MAX_YEAR else None


def _as_date(d: datetime | date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _shift_years(d: date, k: int) -> date:
    try:
        return d.replace(year=d.year + k)
    except ValueError:  # 29 February
        return d.replace(year=d.year + k, day=28)


# --- parts: lexed pieces, merged into date expressions ------------------------------------------------


@dataclass(slots=True)
class _Part:
    start: int
    end: int
    kind: str  # "Y", "M", "D": Japanese components (merged: Y+M -> M, M+D -> D); "E" English; "X" complete
    y: int | None = None
    yrel: str = ""  # "" | "pub" | "anchor"
    yoff: int = 0
    ysuf: str = ""  # a key of _YSUF or "代" (decade)
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


def _valid_year(y: int) -> int | None:
    return y if MIN_YEAR <= y <= MAX_YEAR else None


def _part_from_match(m: re.Match[str]) -> _Part | None:
    kind = m.lastgroup
    g = m.group
    s, e = m.start(), m.end()
    if kind == "Y":
        p = _Part(s, e, "Y", has_y=True, ysuf=g("ysuf") or "")
        if g("era"):
            p.y = _era_year(g("era"), g("ey"))
            if p.y is None:
                return None
        elif g("wy"):
            p.y = _valid_year(int(g("wy")))
            if p.y is None:
                return None
        else:
            p.yrel, p.yoff = _REL_YEAR[g("ry")]
            if p.ysuf == "代":
                return None
        if p.ysuf == "代" and (p.y or 1) % 10:
            return None
        return p
    if kind == "M":
        p = _Part(s, e, "M", has_m=True, msuf=g("msuf") or "")
        if g("mon"):
            p.m = int(g("mon"))
            if not 1 <= p.m <= 12:
                return None
        else:
            p.mrel, p.moff = _REL_MONTH[g("rm")]
        return p
    if kind == "D":
        p = _Part(s, e, "D", has_d=True)
        if g("dre"):
            p.drel = _REL_DAY[g("dre")]
        elif g("dpre"):
            p.drel = "next_n" if g("dpre") == "翌" else "same_n"
            p.d = int(g("dd"))
        else:
            p.d = int(g("day"))
            p.bare = True
        if p.d is not None and not 1 <= p.d <= 31:
            return None
        return p
    if kind == "YR":
        return _year_range_part(m)
    if kind == "ISO":
        d = _mk(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
        return _Part(s, e, "X", span=DateSpan(d, d, "day")) if d else None
    if kind in ("EMD", "EDM", "EMY"):
        i = {"EMD": "1", "EDM": "2", "EMY": "3"}[kind]
        p = _Part(s, e, "E", has_m=True, m=_MONTH_NUM[g("em" + i).lower()])
        if kind != "EMY":
            p.has_d, p.d = True, int(g("ed" + i))
            if kind == "EMD" and g("ed1b"):
                p.d2 = int(g("ed1b"))
        year = g("ey" + i)
        if year:
            p.y = _valid_year(int(year))
            if p.y is None:
                return None
            p.has_y = True
        return p
    if kind == "EFY":
        fy = g("efy") or g("efy2")
        y = int(fy) + (2000 if len(fy) == 2 else 0)
        span = _fy_span(y)
        return _Part(s, e, "X", span=span) if span else None
    if kind in ("EYY", "QY"):
        grp = "eyy" if kind == "EYY" else "qy"
        span = _year_span(int(g(grp)))
        return _Part(m.start(grp), e, "X", span=span) if span else None
    if kind == "QREL":
        n = g("qn1") or g("qn2") or g("qn3")
        return _Part(s, e, "X", qrel=" ".join(g(0).lower().split()), qn=int(n) if n else 0)
    if kind == "QM":
        return _Part(m.start("qm"), e, "M", has_m=True, m=_MONTH_NUM[g("qm").lower()])
    return None  # pragma: no cover - every alternative is named


def _year_range_part(m: re.Match[str]) -> _Part | None:
    g = m.group
    if g("yr_era"):
        y1 = _era_year(g("yr_era"), g("yr_a"))
        b = g("yr_b")
        if b != "元" and len(b) > 2:
            return None
        y2 = _era_year(g("yr_erab") or g("yr_era"), b)
    else:
        y1 = _valid_year(int(g("yr_wa")))
        b = g("yr_b")
        if g("yr_erab"):
            y2 = _era_year(g("yr_erab"), b)
        elif b == "元" or len(b) not in (2, 4):
            return None
        elif len(b) == 2 and y1 is not None:
            y2 = y1 // 100 * 100 + int(b)
            if y2 < y1:
                y2 += 100
        else:
            y2 = _valid_year(int(b))
    if y1 is None or y2 is None or y2 < y1:
        return None
    if g("yr_fy") or g("yr_fya"):
        a, z = _fy_span(y1), _fy_span(y2)
    else:
        a, z = _year_span(y1), _year_span(y2)
    if a is None or z is None:
        return None
    return _Part(m.start(), m.end(), "X", span=DateSpan(a.first, z.last, "range"))


def _is_blank(s: str) -> bool:
    return not s or s.isspace()


def _lex(norm: str, matches: Iterable[re.Match[str]]) -> list[_Part]:
    """Merge lexed pieces: adjacent Japanese components (年 + 月 + 日) become one date expression."""
    out: list[_Part] = []
    rejected_end = -1
    for m in matches:
        p = _part_from_match(m)
        if p is None:  # e.g. 13月: its day goes with it
            rejected_end = m.end()
            continue
        prev = out[-1] if out else None
        gap = norm[prev.end : p.start] if prev else ""
        if prev is not None and _is_blank(gap):
            if p.kind == "M" and prev.kind == "Y" and not prev.has_m and not prev.ysuf and not p.qrel:
                prev.end, prev.kind, prev.has_m = p.end, "M", True
                prev.m, prev.mrel, prev.moff, prev.msuf = p.m, p.mrel, p.moff, p.msuf
                continue
            if (
                p.kind == "D" and p.bare and prev.kind == "M" and prev.has_m and not prev.msuf
                and not prev.has_d
            ):
                prev.end, prev.kind, prev.has_d, prev.d = p.end, "D", True, p.d
                continue
        if p.kind == "D" and p.bare and (
            _BAD_BARE_PREFIX_RE.search(norm, max(0, p.start - 4), p.start)
            or (rejected_end >= 0 and _LIST_GAP_RE.fullmatch(norm, rejected_end, p.start))
        ):
            rejected_end = p.end  # a count of days ("約3日"), not a date
            continue
        out.append(p)
    return out


# --- article resolution ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DateMention:
    """A date mentioned in a text: ``text[start:end]`` is the expression, ``span`` its resolved dates."""

    start: int
    end: int
    span: DateSpan


@dataclass(slots=True)
class _Res:
    span: DateSpan
    year: int | None = None  # calendar year stated or used (None for fiscal years / complete spans)
    month: int | None = None
    day_level: bool = False  # the span ends on a specific day
    year_stated: bool = False
    month_stated: bool = False


class _ArticleResolver:
    def __init__(self, pub: date, context: date | None) -> None:
        self.pub = pub
        self.last_day: date | None = context
        self.last_ym: tuple[int, int] | None = (context.year, context.month) if context else None
        self.last_y: int | None = context.year if context else None
        # the last mention in the current sentence that states a year / a month (its first day)
        self.sent_y_at: date | None = None
        self.sent_m_at: date | None = None
        self.text_m_at: date | None = None  # ... and in the whole text

    # year inference for an undated month/day
    def _infer_year(self, first_of: Callable[[int], date | None]) -> int | None:
        limit = self.pub + _INFER_AHEAD
        for y in range(self.pub.year + 1, self.pub.year - 5, -1):
            d = first_of(y)
            if d is not None and d <= limit:
                return y
        return None

    def _bare_day_from_pub(self, d: int) -> date | None:
        pub = self.pub
        best: date | None = None
        for k in (0, -1):
            y, m = _add_months(pub.year, pub.month, k)
            c = _mk(y, m, d)
            if c is not None and (best is None or abs((c - pub).days) < abs((best - pub).days)):
                best = c
        return best

    def _rolls(self, same: date | None, nxt: date | None) -> bool:
        """Whether a date written before its anchor means the next month/year: only when that has
        already happened at publication and is closer to it."""
        if nxt is None or nxt > self.pub + timedelta(days=1):
            return False
        return same is None or abs((nxt - self.pub).days) < abs((same - self.pub).days)

    def _month_anchor(self) -> date | None:
        """The explicit month a bare day belongs to: one named earlier in the same sentence, or earlier
        in the text if that is the publication month or the month before (a report on recent events)."""
        if self.sent_m_at is not None:
            return self.sent_m_at
        a = self.text_m_at
        if a is not None and 0 <= (self.pub.year - a.year) * 12 + self.pub.month - a.month <= 1:
            return a
        return None

    def resolve(self, p: _Part, anchor: _Res | None) -> _Res | None:
        """Resolve one part; ``anchor`` is the first end when ``p`` is the second end of a range."""
        pub = self.pub
        if p.span is not None:
            sp = p.span
            if sp.granularity == "day":
                return _Res(sp, sp.last.year, sp.last.month, True, True, True)
            return _Res(sp, year=None if sp.granularity == "fiscal_year" else sp.last.year, year_stated=True)
        year: int | None = p.y
        if p.yrel == "pub":
            year = pub.year + p.yoff
        elif p.yrel == "anchor":
            year = (self.last_y if self.last_y is not None else pub.year) + p.yoff
        if not p.has_m and not p.has_d:  # year only
            if p.ysuf.startswith("度"):
                if p.yrel == "pub":
                    fy = _fiscal_year_of(pub) + p.yoff
                elif p.yrel == "anchor":
                    fy = (_fiscal_year_of(self.last_day) if self.last_day else _fiscal_year_of(pub)) + p.yoff
                else:
                    fy = year  # type: ignore[assignment]
                sp = _year_part_span(fy, p.ysuf)
                return _Res(sp) if sp else None
            if year is None:
                return None
            sp = _year_part_span(year, p.ysuf)
            return _Res(sp, year=year, year_stated=True) if sp else None
        year_stated = year is not None
        if p.has_m:
            month_stated = True
            if p.mrel:
                base = (pub.year, pub.month) if p.mrel == "pub" or self.last_ym is None else self.last_ym
                y0, mo = _add_months(base[0], base[1], p.moff)
                if year is None:
                    year = y0
                    year_stated = True
            else:
                mo = p.m  # type: ignore[assignment]
            lo = p.d if p.has_d else (_MSUF[p.msuf][0] if p.msuf else 1)
            if year is None:
                if anchor is not None:
                    year = anchor.span.last.year
                    first = _mk(year, mo, lo)
                    if first is not None and first < anchor.span.first:
                        year += 1
                elif self.sent_y_at is not None:
                    a = self.sent_y_at
                    year = a.year
                    if mo < a.month and self._rolls(_mk(year, mo, lo), _mk(year + 1, mo, lo)):
                        year += 1  # "2024年12月に出国し、1月中旬に到着"
                else:
                    year = self._infer_year(lambda y: _mk(y, mo, lo))
                if year is None:
                    return None
            if p.has_d:
                first = _mk(year, mo, p.d)  # type: ignore[arg-type]
                if first is None:
                    return None
                if p.d2 is not None:
                    last = _mk(year, mo, p.d2)
                    if last is None or last <= first:
                        return None
                    return _Res(DateSpan(first, last, "range"), year, mo, True, year_stated, month_stated)
                return _Res(DateSpan(first, first, "day"), year, mo, True, year_stated, month_stated)
            sp = _month_span(year, mo, p.msuf)
            return _Res(sp, year, mo, False, year_stated, month_stated) if sp else None
        # a day without a month
        base_day = self.last_day if self.last_day is not None else pub
        if p.drel == "same":
            d = base_day
        elif p.drel == "next":
            d = base_day + timedelta(days=1)
        elif p.drel == "prev":
            d = base_day - timedelta(days=1)
        elif p.drel == "today":
            d = pub
        elif p.drel == "next_n":
            d = _mk(base_day.year, base_day.month, p.d)  # type: ignore[arg-type]
            if d is None or d <= base_day:
                y, mo = _add_months(base_day.year, base_day.month, 1)
                d = _mk(y, mo, p.d)  # type: ignore[arg-type]
        elif p.drel == "same_n":
            y, mo = self.last_ym if self.last_ym is not None else (pub.year, pub.month)
            d = _mk(y, mo, p.d)  # type: ignore[arg-type]
        elif anchor is not None and anchor.month is not None:
            a = anchor.span.last
            d = _mk(a.year, a.month, p.d)  # type: ignore[arg-type]
            if d is None or d < anchor.span.first:
                y, mo = _add_months(a.year, a.month, 1)
                d = _mk(y, mo, p.d)  # type: ignore[arg-type]
        elif (a := self._month_anchor()) is not None:
            d = _mk(a.year, a.month, p.d)  # type: ignore[arg-type]
            if d is not None and d < a:  # "11月28日に会談し、2日に…" (but "10日、…9日に" stays)
                nxt = _mk(*_add_months(a.year, a.month, 1), p.d)  # type: ignore[arg-type, call-arg]
                if self._rolls(d, nxt):
                    d = nxt
            if d is None:
                d = self._bare_day_from_pub(p.d)  # type: ignore[arg-type]
        else:
            d = self._bare_day_from_pub(p.d)  # type: ignore[arg-type]
        if d is None or not MIN_YEAR <= d.year <= MAX_YEAR:
            return None
        return _Res(DateSpan(d, d, "day"), d.year, d.month, True)

    def update(self, res: _Res) -> None:
        sp = res.span
        if res.day_level:
            self.last_day = sp.last
        if res.month is not None:
            self.last_ym = (sp.last.year, sp.last.month)
        if res.year is not None:
            self.last_y = sp.last.year
        if res.year_stated and res.year is not None and sp.first.year == sp.last.year:
            self.sent_y_at = sp.first
        if res.month_stated and res.month is not None:
            self.sent_m_at = self.text_m_at = sp.first if res.day_level else sp.first.replace(day=1)


def _merge_range(a: DateSpan, b: DateSpan) -> DateSpan | None:
    if b.last < a.first or b.first < a.first:
        return None
    return DateSpan(a.first, b.last, "range")


def find_dates(text: str, published: datetime | date, *, context: date | None = None) -> list[DateMention]:
    """Date mentions in ``text`` resolved against ``published``, in text order.

    ``context`` is the date the text continues from (e.g. the last day mentioned in the preceding
    chunk): ``同日``/``翌日``/``同月`` refer to it until the text mentions a date itself.
    """
    norm = _normalise(text)
    if not _QUICK_RE.search(norm):
        return []
    pub = _as_date(published)
    rs = _ArticleResolver(pub, context)
    out: list[DateMention] = []
    prev_res: _Res | None = None
    prev_end = 0
    prev_mergeable = False
    for p in _lex(norm, _article_matches(norm)):
        gap = norm[prev_end : p.start]
        if _SENT_END_RE.search(gap):
            rs.sent_y_at = rs.sent_m_at = None
        in_range = prev_mergeable and prev_res is not None and bool(_CONNECTOR_RE.fullmatch(gap))
        res = rs.resolve(p, prev_res if in_range else None)
        if res is None:
            prev_mergeable = False
            continue
        if in_range and prev_res is not None:
            merged = _merge_range(prev_res.span, res.span)
            if merged is not None:
                last = out.pop()
                out.append(DateMention(last.start, p.end, merged))
                rs.update(res)
                prev_end, prev_mergeable = p.end, False
                continue
        out.append(DateMention(p.start, p.end, res.span))
        rs.update(res)
        prev_res, prev_end, prev_mergeable = res, p.end, True
    return out


# --- questions --------------------------------------------------------------------------------------


def _span_days(s: DateSpan) -> int:
    return (s.last - s.first).days + 1


def _overlap_score(q: DateSpan, o: DateSpan) -> float:
    lo, hi = max(q.first, o.first), min(q.last, o.last)
    if hi < lo:
        return 0.0
    if q.first <= o.first and o.last <= q.last:
        return 1.0  # the passage's date lies inside the queried period
    qn, on = _span_days(q), _span_days(o)
    if o.first <= q.first and q.last <= o.last:  # the passage's period contains the queried one
        return max(0.1, min(0.9, 0.5 * (30.0 * qn / on) ** 0.2))
    return max(0.1, 0.8 * ((hi - lo).days + 1) / on)


@dataclass(frozen=True)
class QueryDate:
    """A date in a question. Without an explicit year, ``span`` is the most recent such date on/before
    ``today`` and :meth:`matches` ignores the year."""

    span: DateSpan
    year_explicit: bool
    start: int
    end: int

    def matches(self, other: DateSpan) -> float:
        """1.0 when ``other`` lies within the queried period, partial (0.1-0.9) for overlaps, else 0.0."""
        q = self.span
        if self.year_explicit:
            return _overlap_score(q, other)
        best = 0.0
        lo = other.first.year - q.last.year
        hi = other.last.year - q.first.year
        if hi - lo > 3:
            hi = lo + 3
        for k in range(lo, hi + 1):
            try:
                shifted = DateSpan(_shift_years(q.first, k), _shift_years(q.last, k), q.granularity)
            except (ValueError, OverflowError):  # beyond datetime's years
                continue
            best = max(best, _overlap_score(shifted, other))
            if best >= 1.0:
                break
        return best


def _week(d: date) -> DateSpan:
    mon = d - timedelta(days=d.weekday())
    return DateSpan(mon, mon + timedelta(days=6), "range")


def _qrel_span(phrase: str, n: int, today: date) -> DateSpan | None:
    t = today
    if phrase in ("today", "tonight", "今日", "きょう"):
        return DateSpan(t, t, "day")
    if phrase in ("yesterday", "昨日", "きのう"):
        d = t - timedelta(days=1)
        return DateSpan(d, d, "day")
    if phrase in ("the day before yesterday", "一昨日", "おととい"):
        d = t - timedelta(days=2)
        return DateSpan(d, d, "day")
    if phrase in ("this week", "今週"):
        return _week(t)
    if phrase in ("last week", "先週"):
        return _week(t - timedelta(days=7))
    if phrase == "先々週":
        return _week(t - timedelta(days=14))
    if phrase == "past week":
        return DateSpan(t - timedelta(days=6), t, "range")
    if phrase == "this month":
        return _month_span(t.year, t.month)
    if phrase == "last month":
        return _month_span(*_add_months(t.year, t.month, -1))
    if phrase == "past month":
        return DateSpan(t - timedelta(days=30), t, "range")
    if phrase == "this year":
        return _year_span(t.year)
    if phrase == "last year":
        return _year_span(t.year - 1)
    if phrase == "this fiscal year":
        return _fy_span(_fiscal_year_of(t))
    if phrase == "last fiscal year":
        return _fy_span(_fiscal_year_of(t) - 1)
    if phrase.endswith("days ago") or phrase.endswith("day ago"):
        d = t - timedelta(days=n)
        return DateSpan(d, d, "day")
    if "week" in phrase:  # n weeks ago
        return _week(t - timedelta(days=7 * n))
    if phrase.endswith("days"):  # past/last n days
        return DateSpan(t - timedelta(days=max(n - 1, 0)), t, "range")
    return None  # pragma: no cover


def _resolve_question_part(p: _Part, today: date, anchor: QueryDate | None) -> tuple[DateSpan, bool] | None:
    if p.qrel:
        sp = _qrel_span(p.qrel, p.qn, today)
        return (sp, True) if sp else None
    if p.span is not None:
        return p.span, True
    if p.drel and p.drel != "today":
        return None  # 同日/翌日... need a text to refer to
    if p.yrel == "anchor" or p.mrel == "anchor":
        return None
    # reuse the article resolver with publication = today, then fix undated months/days
    rs = _ArticleResolver(today, None)
    if not p.has_y and p.has_m and not p.mrel:
        lo = p.d if p.has_d else (_MSUF[p.msuf][0] if p.msuf else 1)
        mo = p.m
        if anchor is not None:
            a = anchor.span
            year = a.last.year
            first = _mk(year, mo, lo)  # type: ignore[arg-type]
            if first is not None and first < a.first:
                year += 1
            explicit = anchor.year_explicit
        else:
            year = next((y for y in range(today.year, today.year - 5, -1)
                         if (c := _mk(y, mo, lo)) is not None and c <= today), None)  # type: ignore[arg-type]
            explicit = False
        if year is None:
            return None
        q = _Part(p.start, p.end, "M", y=year, has_y=True, has_m=True, m=mo, msuf=p.msuf,
                  has_d=p.has_d, d=p.d, d2=p.d2)
        res = rs.resolve(q, None)
        return (res.span, explicit) if res else None
    if p.bare and not p.has_m:
        if anchor is not None:
            a = anchor.span.last
            d = _mk(a.year, a.month, p.d)  # type: ignore[arg-type]
            if d is None or d < anchor.span.first:
                d = _mk(*_add_months(a.year, a.month, 1), p.d)  # type: ignore[arg-type, call-arg]
        else:
            d = None
            for k in range(0, -3, -1):
                c = _mk(*_add_months(today.year, today.month, k), p.d)  # type: ignore[arg-type, call-arg]
                if c is not None and c <= today:
                    d = c
                    break
        return (DateSpan(d, d, "day"), anchor.year_explicit if anchor else True) if d else None
    res = rs.resolve(p, None)
    return (res.span, True) if res else None


def parse_question_dates(question: str, today: date) -> list[QueryDate]:
    """Dates in a question (English or Japanese), relative ones resolved against ``today``."""
    norm = _normalise(question)
    out: list[QueryDate] = []
    prev_end = 0
    mergeable = False
    for p in _lex(norm, _QUESTION_RE.finditer(norm)):
        gap = norm[prev_end : p.start]
        in_range = mergeable and bool(out) and bool(_CONNECTOR_RE.fullmatch(gap))
        r = _resolve_question_part(p, today, out[-1] if in_range else None)
        if r is None:
            mergeable = False
            continue
        span, explicit = r
        if in_range:
            merged = _merge_range(out[-1].span, span)
            if merged is not None:
                first = out.pop()
                out.append(QueryDate(merged, first.year_explicit, first.start, p.end))
                prev_end, mergeable = p.end, False
                continue
        out.append(QueryDate(span, explicit, p.start, p.end))
        prev_end, mergeable = p.end, True
    return out


# --- era variants -----------------------------------------------------------------------------------

_ERA_VAR_RE = re.compile(
    r"(?P<era>令和|平成|昭和)" + _S + r"(?P<ey>元|\d{1,2})(?!\d)" + _S
    + r"(?:\(" + _S + r"\d{4}" + _S + r"\)" + _S + r")?年(?P<efy>度)?"
    r"|" + _NG + r"(?P<wy>\d{4})" + _S + r"年(?P<wfy>度)?"
    r"|(?<![A-Za-z])(?:(?i:fy)\s?'?(?P<fy>\d{4})|(?i:fiscal)\s+(?:(?i:year)\s+)?(?P<fy2>\d{4}))(?!\d)"
    r"|(?<![0-9A-Za-z.,/\-])(?P<y>\d{4})(?![0-9A-Za-z]|[,./\-]\d)",
    re.ASCII,
)


def _era_names(y: int) -> list[str]:
    """Japanese era spellings of a western year (two around an era change)."""
    out: list[str] = []
    for name, base in (("令和", 2018), ("平成", 1988), ("昭和", 1925)):
        k = y - base
        if 1 <= k <= _ERA_MAX[base] and (name != "昭和" or y >= MIN_YEAR):
            out.append(f"{name}{'元' if k == 1 else k}")
    return out


def era_variants(text: str) -> list[str]:
    """Equivalent spellings of the years in ``text``: ``令和7年`` -> ``2025年``, ``2025`` -> ``令和7年``,
    ``FY2024`` -> ``令和6年度``/``2024年度``, ``令和6年度`` -> ``2024年度``/``FY2024``.

    Spellings already present in the text are left out; order follows the text.
    """
    norm = _normalise(text)
    out: list[str] = []
    for m in _ERA_VAR_RE.finditer(norm):
        g = m.group
        if g("era"):
            y = _era_year(g("era"), g("ey"))
            if y is None:
                continue
            cands = [f"{y}年度", f"FY{y}"] if g("efy") else [f"{y}年"]
        else:
            raw = g("wy") or g("fy") or g("fy2") or g("y")
            y = int(raw)
            if not MIN_YEAR <= y <= MAX_YEAR:
                continue
            if g("wfy"):
                cands = [f"{e}年度" for e in _era_names(y)] + [f"FY{y}"]
            elif g("fy") or g("fy2"):
                cands = [f"{e}年度" for e in _era_names(y)] + [f"{y}年度"]
            else:
                cands = [f"{e}年" for e in _era_names(y)]
        for c in cands:
            if c not in out and c not in norm:
                out.append(c)
    return out

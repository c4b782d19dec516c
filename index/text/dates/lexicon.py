"""The vocabulary of dates in Japanese and English text: length-preserving normalisation, the regular
expressions of date expressions (article text and questions) and the tables of relative words.

Declarative, stdlib only; every regex is compiled at import. :mod:`.lexer` turns matches into parts.
"""

from __future__ import annotations

import re

# --- normalisation (length preserving) ---------------------------------------------------------------

_TRANS: dict[str, str] = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}  # full-width ASCII
_TRANS.update({"\u3000": " ", "\u301c": "~", "\u223c": "~", "\uff65": "・"})
_TRANS.update(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63", "-"))
_TRANS_RE = re.compile("[" + "".join(map(re.escape, _TRANS)) + "]")


def normalise(text: str) -> str:
    """Full-width digits/letters/punctuation to ASCII, one character for one (offsets are kept)."""
    return _TRANS_RE.sub(lambda m: _TRANS[m.group()], text)


# --- date patterns (pieces joined into the compiled expressions below) --------------------------------

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
MONTH_NUM = {
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
# article text: one pattern per kind of first character (see lexer.article_matches), alternatives in priority order
ARTICLE_DIGIT_RE = re.compile("|".join([_P_YR, _P_ISO, _P_Y, _P_M, _P_D, _EDM, _EYY]), re.ASCII)
ARTICLE_KANJI_RE = re.compile("|".join([_P_YR, _P_Y, _P_M, _P_D]), re.ASCII)
ARTICLE_LATIN_RE = re.compile("|".join([_EMD, _EMY, _EFY]), re.ASCII)
QUESTION_RE = re.compile(
    "|".join(_Q_PATTERNS + _JA_PATTERNS + _english_patterns("(?i:" + _MONTHS + ")") + [_P_QY]), re.ASCII
)

# --- scanning helpers ------------------------------------------------------------------------------

QUICK_RE = re.compile(r"[0-9年月日]")  # a text without any of these has no date
# every article match starts at one of these characters: patterns are only tried there
TRIGGER_RE = re.compile(r"[0-9令平昭㋿㍻㍼一再今本昨去来前翌同先当JFMASONDf]")
DIGITS_RE = re.compile(r"[0-9]+")  # a run of digits: no match starts inside one
SENT_END_RE = re.compile(r"[。！？!?\n]")
CONNECTOR_RE = re.compile(r"\s*(?:から|より|ないし|~|-|to|until|through|till)\s*", re.ASCII)
LIST_GAP_RE = re.compile(r"\s*(?:から|~|-|、|・|,|および|及び|と)?\s*")
BAD_BARE_PREFIX_RE = re.compile(
    r"(?:約|計|最大|最長|最短|延べ|毎|第|数|過去|わずか|ほぼ|およそ|各|丸|ここ|向こう|今後|残り|[+＋])\s*$"
)

# --- relative words: ("pub" = from publication | "anchor" = from the previous mention, offset) ---

REL_YEAR = {
    "一昨年": ("pub", -2), "昨年": ("pub", -1), "去年": ("pub", -1), "今年": ("pub", 0), "本年": ("pub", 0),
    "来年": ("pub", 1), "再来年": ("pub", 2), "前年": ("anchor", -1), "同年": ("anchor", 0), "翌年": ("anchor", 1),
}
REL_MONTH = {
    "先々月": ("pub", -2), "先月": ("pub", -1), "今月": ("pub", 0), "来月": ("pub", 1),
    "前月": ("anchor", -1), "同月": ("anchor", 0), "翌月": ("anchor", 1),
}
REL_DAY = {"同日": "same", "当日": "same", "翌日": "next", "前日": "prev", "本日": "today"}

# --- year spellings for query expansion (see question.era_variants) ---------------------------------

ERA_VARIANT_RE = re.compile(
    r"(?P<era>令和|平成|昭和)" + _S + r"(?P<ey>元|\d{1,2})(?!\d)" + _S
    + r"(?:\(" + _S + r"\d{4}" + _S + r"\)" + _S + r")?年(?P<efy>度)?"
    r"|" + _NG + r"(?P<wy>\d{4})" + _S + r"年(?P<wfy>度)?"
    r"|(?<![A-Za-z])(?:(?i:fy)\s?'?(?P<fy>\d{4})|(?i:fiscal)\s+(?:(?i:year)\s+)?(?P<fy2>\d{4}))(?!\d)"
    r"|(?<![0-9A-Za-z.,/\-])(?P<y>\d{4})(?![0-9A-Za-z]|[,./\-]\d)",
    re.ASCII,
)

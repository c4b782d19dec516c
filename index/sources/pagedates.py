"""The publication date of a saved page: date lines near the top, in the forms sites write them.

A *date line* is a line whose content is a day-precise date: ``2025-10-21 08:55``, ``2025/10/21``,
``2025.10.21``, ``2025年10月21日``, ``令和7年10月21日(火)``, ``令和7(2025)年10月21日``,
``(2025年10月21日)``, ``2025年10月21日更新``, ``公開日: …``, ``日時 令和7年10月17日(金)11:00~``,
``October 21, 2025``, ``21 Oct 2025``, ``10/21(火) 8:55配信`` and a bare ``10月21日`` — with at most a
label, a weekday, a time, an issuer or a byline beside it. A sentence that mentions a date is not one.
Dates are found by :func:`index.text.dates.article.find_dates`; this module decides which lines are date
lines, reads the time of day, and gives a year to a date written without one (from the URL, else the first
date with a year on the page, else the most recent such day up to ``today``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from ..text.dates.article import find_dates
from .furniture import clean
from .records import JST

MAX_DATE_LINE_CHARS = 80
_LABELS = re.compile(
    r"最終更新日?時?|更新日時|更新日|公開日時|公開日|掲載日時|掲載日|投稿日時|投稿日|配信日時|配信日|発表日|作成日|"
    r"発行日|日時|日付|更新|公開|配信|掲載|投稿|発表|発行|時点|現在|ごろ|頃|午前|午後|"
    r"(?i:last\s+updated|updated(?:\s+on)?|published(?:\s+on)?|posted(?:\s+on)?|released(?:\s+on)?|date|"
    r"by|jst|utc|gmt|a\.m\.|p\.m\.|am|pm|on|at)(?![A-Za-z])"
)
_UPDATED = re.compile(r"更新|(?i:updated)")
_WEEKDAY = re.compile(
    r"[(（]\s*[月火水木金土日祝](?:曜日?)?(?:\s*[・,、]\s*[祝休]日?)?\s*[)）]|"
    r"(?i:(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:mon|tue|wed|thu|fri|sat|sun)\.?)(?![A-Za-z])"
)
_TIME = re.compile(
    r"(?P<ampm>午前|午後)?\s*(?P<h>\d{1,2})\s*(?:[:：]|時)\s*(?P<m>\d{1,2})?\s*分?(?:[:：]\d{2})?"
    r"(?:\s*(?P<en>(?i:a\.?m\.?|p\.?m\.?)))?"
)
_NOISE = re.compile(r"[\s()（）\[\]【】「」『』〈〉<>:：|｜/／・,、~〜\-–—.]+")
_NOT_META = re.compile(r"[、。をがはでへと]|付け?|予定|まで|から|開催|実施|以降|以来")
_EXPLICIT_YEAR = re.compile(r"\d{4}|令和|平成|昭和|元年|㋿")
_OTHER_DAYS = re.compile(
    r"(?:(?:令和|平成)\s*(?:\d{1,2}|元)\s*(?:\(\s*\d{4}\s*\))?\s*年|\d{4}\s*[年/.\-])\s*\d{1,2}\s*[月/.\-]\s*\d{1,2}\s*日?"
)
_HAS_MONTH = re.compile(r"月|\d\s*[-/.]\s*\d|[A-Za-z]{3}")  # not a bare "21日" nor "本日"
_SLASH_MD = re.compile(r"(?<![\d/.])(?P<mo>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])(?![\d/])")
_URL_YEAR = re.compile(r"/((?:19|20)\d{2})(?:[/_-]?(?:0[1-9]|1[0-2]))?(?:[/_-]?\d{2})?(?=[/_.-]|$)")
MAX_REMAINDER_CHARS = 10


@dataclass(frozen=True)
class PageDate:
    """A date line: the day (JST; time of day if written), whether the year was written, the label."""

    when: datetime
    explicit_year: bool
    updated: bool  # labelled 更新 / updated


def year_context(url: str, text: str, today: date) -> int | None:
    """The year a date without one belongs to: from the URL path, else the first dated mention."""
    m = _URL_YEAR.search(url or "")
    if m and 1990 <= int(m.group(1)) <= today.year + 1:
        return int(m.group(1))
    for mention in find_dates(text[:5000], today):
        if mention.span.granularity == "day" and _EXPLICIT_YEAR.search(text[mention.start : mention.end]):
            return mention.span.first.year
    return None


def _with_year(month: int, day: int, year: int | None, today: date) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        this_year = date(today.year, month, day)
    except ValueError:
        return None
    return this_year if this_year <= today else _safe_date(today.year - 1, month, day)


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _time_after(text: str) -> tuple[int, int]:
    m = _TIME.search(text)
    if not m:
        return 0, 0
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    pm = m.group("ampm") == "午後" or (m.group("en") or "").lower().startswith("p")
    if pm and hour < 12:
        hour += 12
    if (m.group("en") or "").lower().startswith("a") and hour == 12:
        hour = 0
    return (hour, minute) if hour < 24 and minute < 60 else (0, 0)


def _day_mention(text: str, today: date) -> tuple[int, int, date, bool] | None:
    """The first day-precise date in ``text``: (start, end, day as written or resolved, year written)."""
    for m in find_dates(text, today):
        if m.span.granularity == "day" and _HAS_MONTH.search(text[m.start : m.end]):
            return m.start, m.end, m.span.first, bool(_EXPLICIT_YEAR.search(text[m.start : m.end]))
    m = _SLASH_MD.search(text)
    if m:
        day = _safe_date(today.year, int(m.group("mo")), int(m.group("d")))
        if day is not None:
            return m.start(), m.end(), day, False
    return None


def date_line(line: str, *, year: int | None, today: date) -> PageDate | None:
    """The date of ``line`` if the line is a date line (see the module docstring), else None."""
    text = clean(line)
    if not text or len(text) > MAX_DATE_LINE_CHARS or "。" in text:
        return None
    found = _day_mention(text, today)
    if found is None:
        return None
    start, end, day, explicit = found
    after = text[end:]
    rest = text[:start] + " " + _OTHER_DAYS.sub(" ", after)  # "(2025年10月21日 9時30分 更新)" beside it
    remainder = _NOISE.sub("", _LABELS.sub("", _WEEKDAY.sub("", _TIME.sub(" ", rest))))
    if len(remainder) > MAX_REMAINDER_CHARS or _NOT_META.search(_LABELS.sub("", rest)):
        return None
    if not explicit:
        resolved = _with_year(day.month, day.day, year, today)
        if resolved is None:
            return None
        day = resolved
    hour, minute = _time_after(after)
    when = datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST)
    return PageDate(when=when, explicit_year=explicit, updated=bool(_UPDATED.search(text)))

"""Time helpers: the clock, time zones, ``since``/``until`` options (durations and dates) and schedules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from index.errors import ConfigError

from .errors import InvalidInputError

MAX_LOOKBACK = timedelta(days=366)
SINCE_HELP = "use a duration like 12h, 7d or 2w, or a date like 2025-07-01"


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r} (use an IANA name such as Asia/Tokyo)") from exc


# --------------------------------------------------------------------------- since / until

_DURATION = re.compile(
    r"^\s*(\d{1,4})\s*(h|hr|hrs|hours?|d|days?|w|wk|wks|weeks?)\s*$", re.IGNORECASE
)
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_duration(text: str) -> timedelta | None:
    m = _DURATION.match(text or "")
    if not m:
        return None
    return int(m.group(1)) * _UNIT[m.group(2)[0].lower()]


def _parse_date(text: str, option: str) -> date | None:
    m = _DATE.match(text or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise InvalidInputError(f"`{option}`: {text.strip()} is not a valid date") from exc


def parse_since(text: str, now: datetime, tz: ZoneInfo, *, option: str = "since", future: bool = False) -> datetime:
    """``12h``/``7d``/``2w`` before ``now``, or the start of a day (``2025-07-01``) in ``tz``. Aware result.
    A day after ``now`` is refused unless ``future`` (events can be planned: a commissioning next year)."""
    text = (text or "").strip()
    if not text:
        raise InvalidInputError(f"`{option}` is empty: {SINCE_HELP}")
    span = parse_duration(text)
    if span is not None:
        if span <= timedelta(0):
            raise InvalidInputError(f"`{option}` must be longer than zero ({SINCE_HELP})")
        if span > MAX_LOOKBACK:
            raise InvalidInputError(f"`{option}` can reach back at most 366 days")
        return now - span
    d = _parse_date(text, option)
    if d is None:
        raise InvalidInputError(f"`{option}` {text!r} is not understood: {SINCE_HELP}")
    start = datetime.combine(d, time(0), tzinfo=tz)
    if start > now and not future:
        raise InvalidInputError(f"`{option}` {d.isoformat()} is in the future")
    return start


def parse_until(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A date means the end of that day in ``tz``; a duration means that long before ``now``."""
    text = (text or "").strip()
    span = parse_duration(text)
    if span is not None:
        return now - span
    d = _parse_date(text, "until")
    if d is None:
        raise InvalidInputError(f"`until` {text!r} is not understood: {SINCE_HELP}")
    return datetime.combine(d, time.max, tzinfo=tz)


def parse_period(
    since: str | None, until: str | None, now: datetime, tz: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """The ``since``/``until`` options of /ask, /digest and the CLI (each may be absent: None)."""
    since_dt = parse_since(since, now, tz) if since and since.strip() else None
    until_dt = parse_until(until, now, tz) if until and until.strip() else None
    if since_dt and until_dt and since_dt > until_dt:
        raise InvalidInputError("`since` is after `until`")
    return since_dt, until_dt


# --------------------------------------------------------------------------- schedules

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY_GROUPS = {"daily": range(7), "everyday": range(7), "weekdays": range(5), "weekends": (5, 6)}
SCHEDULE_HELP = "use e.g. 'mon 09:00', 'mon,thu 08:30', 'weekdays 18:00' or 'daily 07:00'"


@dataclass(frozen=True)
class Schedule:
    days: frozenset[int]  # 0 = Monday
    at: time
    tz: ZoneInfo

    def _slot(self, d: date) -> datetime:
        return datetime.combine(d, self.at, tzinfo=self.tz)

    def next_after(self, t: datetime) -> datetime:
        """The first slot strictly after ``t``."""
        local = t.astimezone(self.tz)
        for i in range(8):
            d = local.date() + timedelta(days=i)
            if d.weekday() in self.days and self._slot(d) > t:
                return self._slot(d)
        raise AssertionError("a schedule has at least one day a week")  # pragma: no cover

    def last_at_or_before(self, t: datetime) -> datetime:
        local = t.astimezone(self.tz)
        for i in range(8):
            d = local.date() - timedelta(days=i)
            if d.weekday() in self.days and self._slot(d) <= t:
                return self._slot(d)
        raise AssertionError("a schedule has at least one day a week")  # pragma: no cover


def parse_schedule(text: str, tz_name: str) -> Schedule | None:
    """``"mon 09:00"``, ``"mon,thu 08:30"``, ``"daily 07:00"``, ``"09:00"`` (daily). Empty = no schedule."""
    text = (text or "").strip().lower()
    if not text:
        return None
    parts = text.split()
    if len(parts) == 1:
        parts = ["daily", parts[0]]
    if len(parts) != 2:
        raise ConfigError(f"digest schedule {text!r} is not understood: {SCHEDULE_HELP}")
    days: set[int] = set()
    for tok in parts[0].split(","):
        tok = tok.strip()
        if tok in _DAY_GROUPS:
            days.update(_DAY_GROUPS[tok])
        elif tok[:3] in _DAYS and (tok == tok[:3] or tok in ("monday", "tuesday", "wednesday", "thursday",
                                                             "friday", "saturday", "sunday")):
            days.add(_DAYS[tok[:3]])
        else:
            raise ConfigError(f"digest schedule: unknown day {tok!r}: {SCHEDULE_HELP}")
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", parts[1])
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ConfigError(f"digest schedule: bad time {parts[1]!r}: {SCHEDULE_HELP}")
    return Schedule(frozenset(days), time(int(m.group(1)), int(m.group(2))), zone(tz_name))

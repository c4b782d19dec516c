"""Digests: parsing ``since``/``until``, choosing and grouping articles, extractive summaries, schedules.

Everything here is pure (no Discord, no I/O) except :class:`DigestScheduler`, which only awaits the
callables it is given, so tests drive it with a fake clock and fake persistence.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from index.errors import ConfigError, DefnewsError
from index.models import Article

log = logging.getLogger(__name__)

MAX_LOOKBACK = timedelta(days=366)
OTHER_SECTION = "Other"
SINCE_HELP = "use a duration like 12h, 7d or 2w, or a date like 2025-07-01"


class InvalidInputError(DefnewsError):
    """A command option the user typed cannot be understood (one-line message)."""


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


def parse_since(text: str, now: datetime, tz: ZoneInfo, *, option: str = "since") -> datetime:
    """``12h``/``7d``/``2w`` before ``now``, or the start of a day (``2025-07-01``) in ``tz``. Aware result."""
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
    if start > now:
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


# --------------------------------------------------------------------------- extractive summaries

_ABBREV = frozenset(
    ["mr", "mrs", "ms", "dr", "gen", "lt", "col", "adm", "capt", "cmdr", "maj", "sgt", "st", "jr", "sr", "no", "vs", "etc", "inc", "co", "corp", "dept", "gov", "rep", "sen", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e"]
)
_JA_END = "。！？"


def sentences(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``body`` (Japanese and English), in order."""
    out: list[tuple[int, int]] = []
    n = len(body)
    start = 0
    i = 0

    def flush(end: int) -> None:
        s, e = start, end
        while s < e and body[s].isspace():
            s += 1
        while e > s and body[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))

    while i < n:
        ch = body[i]
        if ch == "\n":
            flush(i)
            start = i + 1
        elif ch in _JA_END or ch in "!?":
            j = i + 1
            while j < n and body[j] in _JA_END + "!?":
                j += 1
            if j < n and body[j] in "」』）)\"”’":  # the end of a quotation, not of the sentence
                i = j
                continue
            flush(j)
            start = i = j
            continue
        elif ch == "." and (i + 1 == n or body[i + 1] in " \t"):
            word = re.search(r"([\w.]+)$", body[start:i])
            prev = word.group(1).lower() if word else ""
            nxt = body[i + 1 :].lstrip(" \t")[:1]
            if prev not in _ABBREV and not (len(prev) == 1 and prev.isalpha()) and (not nxt or not nxt.islower()):
                flush(i + 1)
                start = i + 1
        i += 1
    flush(n)
    return out


def summarise(body: str, max_chars: int = 280, min_sentence: int = 20) -> str:
    """One or two leading sentences of the article, verbatim (a too-long sentence is cut with "…").

    News leads carry the who/what/when; short fragments (datelines, bylines) are skipped.
    """
    spans = sentences(body)
    picked = [sp for sp in spans if sp[1] - sp[0] >= min_sentence] or spans
    if not picked:
        return ""
    s, e = picked[0]
    first = body[s:e]
    if len(first) > max_chars:
        cut = first[: max_chars - 1]
        soft = max(cut.rfind("、"), cut.rfind(", "), cut.rfind(" "))
        if soft >= max_chars // 2:
            cut = cut[:soft]
        return cut.rstrip(" 、,") + "…"
    if len(picked) > 1:
        s2, e2 = picked[1]
        joiner = "" if first[-1] in _JA_END else " "
        second = body[s2:e2]
        if len(first) + len(joiner) + len(second) <= max_chars:
            return first + joiner + second
    return first


# --------------------------------------------------------------------------- digest model


@dataclass(frozen=True)
class DigestEntry:
    title: str
    url: str
    published: str  # YYYY-MM-DD in the digest's time zone
    section: str
    summary: str


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    tz: str
    groups: tuple[tuple[str, tuple[DigestEntry, ...]], ...]
    total: int  # articles in the period
    omitted: int = 0  # beyond max_articles, not listed

    @property
    def empty(self) -> bool:
        return self.total == 0

    def period_text(self) -> str:
        tz = zone(self.tz)
        fmt = "%Y-%m-%d %H:%M"
        return f"{self.since.astimezone(tz).strftime(fmt)} – {self.until.astimezone(tz).strftime(fmt)} ({self.tz})"

    def heading(self) -> str:
        if self.empty:
            return f"No new articles were published in {self.period_text()}."
        n = "1 article" if self.total == 1 else f"{self.total} articles"
        return f"Defence news digest: {n}, {self.period_text()}"


def build_digest(
    articles: Iterable[Article],
    since: datetime,
    until: datetime,
    *,
    tz: str = "Asia/Tokyo",
    max_articles: int = 100,
    summary_chars: int = 280,
) -> Digest:
    """Group the articles published in [since, until] by section (largest first), newest first within."""
    zi = zone(tz)
    chosen = sorted(
        (a for a in articles if since <= a.published <= until), key=lambda a: (a.published, a.url), reverse=True
    )
    total = len(chosen)
    listed = chosen[:max_articles]
    groups: dict[str, list[DigestEntry]] = {}
    for a in listed:
        section = a.section or OTHER_SECTION
        groups.setdefault(section, []).append(
            DigestEntry(a.title, a.url, a.published.astimezone(zi).date().isoformat(), section,
                        summarise(a.body, summary_chars))
        )
    order = sorted(groups, key=lambda s: (s == OTHER_SECTION, -len(groups[s]), s))
    return Digest(since, until, tz, tuple((s, tuple(groups[s])) for s in order), total, total - len(listed))


def render_digest_terminal(d: Digest) -> str:
    lines = [d.heading()]
    for section, entries in d.groups:
        lines += ["", f"== {section} ({len(entries)})"]
        for e in entries:
            lines += [f"- {e.title} ({e.published})", f"  {e.url}", f"  {e.summary}"]
    if d.omitted:
        lines += ["", f"... and {d.omitted} more articles not listed."]
    return "\n".join(lines)


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


class DigestScheduler:
    """Posts the digest of what was published since the last scheduled digest, once per slot.

    The time of the last posted digest is persisted by ``save_last`` *after* a successful post, and the next
    slot is always computed from it, so a restart neither repeats a slot nor skips one that was missed
    while the bot was down (a missed slot is posted once, as soon as the bot is back). On the very first run
    the baseline is the most recent slot, so the first digest covers one whole period.
    """

    def __init__(
        self,
        schedule: Schedule,
        *,
        load_last: Callable[[], Awaitable[datetime | None]],
        save_last: Callable[[datetime], Awaitable[None]],
        post: Callable[[datetime, datetime], Awaitable[None]],
        clock: Callable[[], datetime] = utcnow,
        retry_after: timedelta = timedelta(minutes=15),
        max_sleep: float = 300.0,
    ) -> None:
        self.schedule = schedule
        self.load_last = load_last
        self.save_last = save_last
        self.post = post
        self.clock = clock
        self.retry_after = retry_after
        self.max_sleep = max_sleep
        self.posted = 0

    async def tick(self) -> datetime:
        """Post if a slot is due; returns when to look again."""
        now = self.clock()
        last = await self.load_last()
        if last is None:
            last = self.schedule.last_at_or_before(now)
            await self.save_last(last)
        due = self.schedule.next_after(last)
        if due > now:
            return due
        try:
            await self.post(last, now)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled digest (slot %s) could not be posted; retrying in %s", due.isoformat(),
                          self.retry_after)
            return now + self.retry_after
        await self.save_last(now)
        self.posted += 1
        return self.schedule.next_after(now)

    async def run(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        while True:
            wake = await self.tick()
            while (delay := (wake - self.clock()).total_seconds()) > 0:
                await sleep(min(delay, self.max_sleep))

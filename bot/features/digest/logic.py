"""Digests without Discord: choosing and grouping articles, extractive summaries, English titles, the
period's meetings and visits, the scheduler.

Everything here is pure (no Discord, no I/O) except :class:`Digester` (it reads the index) and
:class:`DigestScheduler`, which only awaits the callables it is given, so tests drive it with a fake clock
and fake persistence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from index.models import Article, Event
from index.service import IndexService, sentence_spans

from ...core.settings import DigestSettings
from ...core.times import Schedule, parse_period, parse_schedule, utcnow, zone
from ..events.logic import meetings_of
from ..sections import check_section

log = logging.getLogger(__name__)

OTHER_SECTION = "Other"
MEETINGS_TITLE = "Meetings and visits"
_JA_END = "。！？"


def summarise(body: str, max_chars: int = 280, min_sentence: int = 20) -> str:
    """One or two leading sentences of the article, verbatim (a too-long sentence is cut with "…").

    News leads carry the who/what/when; short fragments (datelines, bylines) are skipped.
    """
    spans = sentence_spans(body)
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
        joiner = "" if first[-1] in _JA_END or s2 == e else " "
        second = body[s2:e2]
        if len(first) + len(joiner) + len(second) <= max_chars:
            return first + joiner + second
    return first


@dataclass(frozen=True)
class DigestEntry:
    title: str
    url: str
    published: str  # YYYY-MM-DD in the digest's time zone
    section: str
    summary: str
    title_en: str = ""  # the title in English ("" when unknown; the title itself when it is English)

    def titles(self, language: str = "en") -> tuple[str, str]:
        """(the title that leads, the other one or "" when they are the same) for a digest in ``language``."""
        english = " ".join(self.title_en.split()) or self.title
        lead, other = (english, self.title) if language == "en" else (self.title, english)
        return lead, ("" if " ".join(other.split()) == " ".join(lead.split()) else other)


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    tz: str
    groups: tuple[tuple[str, tuple[DigestEntry, ...]], ...]
    total: int  # articles in the period
    omitted: int = 0  # beyond max_articles, not listed
    meetings: tuple[Event, ...] = ()  # the period's courtesy calls, meetings, phone talks and visits
    language: str = "en"  # which title leads: en | ja
    newest: datetime | None = None  # of the whole index (or section): where to look when the period is empty

    @property
    def empty(self) -> bool:
        return self.total == 0

    def period_text(self) -> str:
        tz = zone(self.tz)
        fmt = "%Y-%m-%d %H:%M"
        return f"{self.since.astimezone(tz).strftime(fmt)} – {self.until.astimezone(tz).strftime(fmt)} ({self.tz})"

    def heading(self) -> str:
        if self.empty:
            hint = "" if self.newest is None else (
                f" The newest indexed article was published on {self.newest.astimezone(zone(self.tz)):%Y-%m-%d}.")
            return f"No new articles were published in {self.period_text()}.{hint}"
        n = "1 article" if self.total == 1 else f"{self.total} articles"
        return f"Defence news digest: {n}, {self.period_text()}"

    def as_dict(self) -> dict:
        """The digest as JSON (``defnews digest --json``)."""
        return {
            "since": self.since.isoformat(), "until": self.until.isoformat(), "timezone": self.tz,
            "total": self.total, "omitted": self.omitted, "heading": self.heading(),
            "language": self.language,
            "sections": [{"section": s, "articles": [e.__dict__ for e in entries]} for s, entries in self.groups],
            "meetings": [e.to_json() for e in self.meetings],
        }


def build_digest(
    articles: Iterable[Article],
    since: datetime,
    until: datetime,
    *,
    tz: str = "Asia/Tokyo",
    max_articles: int = 100,
    summary_chars: int = 280,
    title_en: Callable[[Article], str] | None = None,
    language: str = "en",
    meetings: Iterable[Event] = (),
) -> Digest:
    """Group the articles published in [since, until] by section (largest first), newest first within.
    ``title_en`` gives a listed article's English title; ``meetings`` are the period's meetings and visits."""
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
                        summarise(a.body, summary_chars), title_en(a) if title_en else "")
        )
    order = sorted(groups, key=lambda s: (s == OTHER_SECTION, -len(groups[s]), s))
    return Digest(since, until, tz, tuple((s, tuple(groups[s])) for s in order), total, total - len(listed),
                  tuple(meetings), language)


class Digester:
    """The logic of /digest and of the scheduled digest, shared by the Discord bot and ``defnews chat``."""

    def __init__(
        self, settings: DigestSettings, service: IndexService, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.settings = settings
        self.service = service
        self.clock = clock
        self.tz = zone(settings.digest_timezone)

    @property
    def schedule(self) -> Schedule | None:
        return parse_schedule(self.settings.digest_schedule, self.settings.digest_timezone)

    def period(self, since: str | None, now: datetime | None = None, until: str | None = None
               ) -> tuple[datetime, datetime]:
        """(start, end) of "since" (default 7d) until "until" (default now)."""
        now = now or self.clock()
        start, end = parse_period(since or "7d", until, now, self.tz)
        return start, end or now

    def digest(self, since: datetime, until: datetime, section: str | None = None) -> Digest:
        check_section(self.service, section)
        articles = self.service.articles_between(since, until, section or None)
        digest = build_digest(
            articles, since, until, tz=self.settings.digest_timezone,
            max_articles=self.settings.digest_max_articles, summary_chars=self.settings.digest_summary_chars,
            title_en=self.service.title_en, language=self.settings.digest_language,
            meetings=self.meetings(since, until, section),
        )
        return replace(digest, newest=self._newest(section)) if digest.empty else digest

    def _newest(self, section: str | None) -> datetime | None:
        if section:  # newest first
            articles = self.service.articles_between(None, None, section)
            return articles[0].published if articles else None
        return max(self.service.newest_by_source().values(), default=None)

    def meetings(self, since: datetime, until: datetime, section: str | None = None) -> tuple[Event, ...]:
        """The courtesy calls, meetings, phone talks and visits dated in the period (days in the digest's time
        zone), oldest first; with a ``section``, only those its articles report."""
        urls = {a.url for a in self.service.articles_between(None, None, section)} if section else None
        events = self.service.events(since.astimezone(self.tz).date(), until.astimezone(self.tz).date())
        return meetings_of(events, urls)


class DigestScheduler:
    """Posts the digest of what was published since the last scheduled digest, once per slot.

    The time of the last posted digest is persisted, and the next slot is always computed from it, so a
    restart neither repeats a slot nor skips one that was missed while the bot was down (a missed slot is
    posted once, as soon as the bot is back). On the very first run the baseline is the most recent slot, so
    the first digest covers one whole period.

    Without ``claim`` (one process) the time is saved by ``save_last`` *after* a successful post. With
    ``claim(expected, new) -> bool`` (several processes sharing the state) the slot is claimed *before* the
    post by moving the time from the one this process read to now; only the process whose claim succeeds
    posts, and a failed post hands the slot back for the retry. (A process killed in the middle of a post
    leaves that slot claimed: it is not posted again.)
    """

    def __init__(
        self,
        schedule: Schedule,
        *,
        load_last: Callable[[], Awaitable[datetime | None]],
        save_last: Callable[[datetime], Awaitable[None]],
        post: Callable[[datetime, datetime], Awaitable[None]],
        claim: Callable[[datetime | None, datetime], Awaitable[bool]] | None = None,
        clock: Callable[[], datetime] = utcnow,
        retry_after: timedelta = timedelta(minutes=15),
        max_sleep: float = 300.0,
    ) -> None:
        self.schedule = schedule
        self.load_last = load_last
        self.save_last = save_last
        self.post = post
        self.claim = claim
        self.clock = clock
        self.retry_after = retry_after
        self.max_sleep = max_sleep
        self.posted = 0
        self.lost_claims = 0  # slots another process claimed first

    async def _baseline(self, now: datetime) -> datetime:
        base = self.schedule.last_at_or_before(now)
        if self.claim is None:
            await self.save_last(base)
            return base
        await self.claim(None, base)  # (another process may have set it first: read it back)
        return await self.load_last() or base

    async def tick(self) -> datetime:
        """Post if a slot is due; returns when to look again."""
        now = self.clock()
        last = await self.load_last()
        if last is None:
            last = await self._baseline(now)
        due = self.schedule.next_after(last)
        if due > now:
            return due
        if self.claim is not None and not await self.claim(last, now):
            self.lost_claims += 1
            log.info("the digest of slot %s is posted by another process", due.isoformat())
            return now  # look again at once: the next slot follows the other process's time
        try:
            await self.post(last, now)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled digest (slot %s) could not be posted; retrying in %s", due.isoformat(),
                          self.retry_after)
            if self.claim is not None:
                await self.claim(now, last)  # hand the slot back
            return now + self.retry_after
        if self.claim is None:
            await self.save_last(now)
        self.posted += 1
        return self.schedule.next_after(now)

    async def run(self, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        while True:
            wake = await self.tick()
            while (delay := (wake - self.clock()).total_seconds()) > 0:
                await sleep(min(delay, self.max_sleep))

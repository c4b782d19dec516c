"""The logic of every bot command, without Discord: parse input, call the index, build the reply model.

The Discord adapters in ``bot.client`` and the terminal in ``bot.commands_cli`` both call :class:`Core`;
its blocking methods (search, digest selection, stats) are meant to run in a worker thread.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from index.errors import DefnewsError
from index.models import Query, validate_question
from index.service import IndexService, ReindexBusyError

from .digest import Digest, InvalidInputError, build_digest, parse_since, parse_until, utcnow, zone
from .replies import AnswerReply, SourceLine, SourcesReply, StatsReply, answer_reply
from .settings import Settings
from .state import BotState

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. The maintainers can find the details in the log."


# --------------------------------------------------------------------------- refusals


class Refusal(DefnewsError):
    """A request the bot declines (permissions, rate limits, busy). ``str`` is the user-facing line."""


class PermissionRefused(Refusal):
    pass


class CooldownRefused(Refusal):
    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"You are asking too fast: try again in {max(1, round(retry_after))} s.")


class BusyRefused(Refusal):
    pass


def error_reply(exc: BaseException) -> tuple[str, bool]:
    """What to tell the user about ``exc`` and whether it is unexpected (to be logged with context)."""
    if isinstance(exc, ReindexBusyError):
        return "A reindex is already running; wait for it to finish.", False
    if isinstance(exc, DefnewsError):
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else "That request could not be served."
        return (msg[:1].upper() + msg[1:])[:1900], False
    return APOLOGY, True


# --------------------------------------------------------------------------- permissions


class Level(enum.IntEnum):
    EVERYONE = 0
    MODERATOR = 1
    MAINTAINER = 2


LEVEL_NAMES = {Level.MODERATOR: "moderators", Level.MAINTAINER: "maintainers"}


@dataclass(frozen=True)
class Actor:
    """Who is asking, as far as permissions go."""

    user_id: int
    role_ids: frozenset[int] = frozenset()
    manage_messages: bool = False  # in the channel (administrators have every permission)
    is_owner: bool = False  # application owner or member of the owning team


def is_maintainer(actor: Actor, settings: Settings) -> bool:
    return (
        actor.is_owner
        or actor.user_id in settings.maintainer_user_ids
        or bool(actor.role_ids & set(settings.maintainer_role_ids))
    )


def is_moderator(actor: Actor, settings: Settings) -> bool:
    return actor.manage_messages or bool(actor.role_ids & set(settings.moderator_role_ids)) or is_maintainer(
        actor, settings
    )


def allowed(actor: Actor, level: Level, settings: Settings) -> bool:
    if level is Level.MAINTAINER:
        return is_maintainer(actor, settings)
    if level is Level.MODERATOR:
        return is_moderator(actor, settings)
    return True


def require(actor: Actor, level: Level, settings: Settings) -> None:
    if not allowed(actor, level, settings):
        raise PermissionRefused(f"Only {LEVEL_NAMES[level]} can use this command.")


# --------------------------------------------------------------------------- rate limits


class Cooldown:
    """At most ``rate`` uses per ``per`` seconds per key (sliding window). ``per == 0`` disables it."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._uses: dict[int, deque[float]] = {}

    def retry_after(self, key: int) -> float:
        """0 if ``key`` may go ahead now (the use is counted), else the seconds to wait (not counted)."""
        if self.per <= 0:
            return 0.0
        now = self.clock()
        uses = self._uses.setdefault(key, deque())
        while uses and uses[0] <= now - self.per:
            uses.popleft()
        if len(uses) >= self.rate:
            return uses[0] + self.per - now
        uses.append(now)
        if len(self._uses) > 10_000:  # forget idle users
            for k in [k for k, d in self._uses.items() if not d or d[-1] <= now - self.per]:
                del self._uses[k]
        return 0.0

    def check(self, key: int) -> None:
        wait = self.retry_after(key)
        if wait > 0:
            raise CooldownRefused(wait)


class SearchGate:
    """Bounds concurrent searches; refuses (rather than queues) when full. Event-loop side only."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0

    def __enter__(self) -> SearchGate:
        if self.active >= self.limit:
            raise BusyRefused("I am answering too many questions at once; try again in a few seconds.")
        self.active += 1
        return self

    def __exit__(self, *exc) -> None:
        self.active -= 1


# --------------------------------------------------------------------------- /ask


@dataclass(frozen=True)
class AskParams:
    question: str
    since: datetime | None = None
    until: datetime | None = None
    section: str | None = None
    k: int = 3

    def to_json(self) -> dict:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "section": self.section, "k": self.k,
        }

    @classmethod
    def from_json(cls, question: str, data: dict) -> AskParams:
        return cls(
            question,
            datetime.fromisoformat(data["since"]) if data.get("since") else None,
            datetime.fromisoformat(data["until"]) if data.get("until") else None,
            data.get("section") or None,
            int(data.get("k") or 3),
        )

    def query(self, offset: int = 0, today: date | None = None) -> Query:
        return Query(text=self.question, k=self.k, offset=offset, since=self.since, until=self.until,
                     section=self.section, today=today)


def strip_mention(content: str, bot_id: int) -> str:
    """The question in a message that mentions the bot (``<@id>`` / ``<@!id>`` removed)."""
    for form in (f"<@{bot_id}>", f"<@!{bot_id}>"):
        content = content.replace(form, " ")
    return " ".join(content.split())


@dataclass
class ReindexProgress:
    """Progress of a reindex, written from the worker thread and read by the event loop."""

    started: float = field(default_factory=time.monotonic)
    stages: dict[str, tuple[int, int]] = field(default_factory=dict)

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.stages[stage] = (done, total)  # one dict assignment: atomic under the GIL

    def text(self) -> str:
        parts = []
        labels = (("read", "sources read"), ("chunk", "articles chunked"), ("embed", "chunks embedded"),
                  ("write", "index written"))
        for stage, label in labels:
            if stage in self.stages:
                done, total = self.stages[stage]
                parts.append(f"{label} {done}/{total}")
        elapsed = time.monotonic() - self.started
        return "Reindexing… " + (" · ".join(parts) or "starting") + f" ({elapsed:.0f} s)"


def reindex_summary(report, states: dict, seconds: float) -> str:
    lines = [
        f"Reindex finished in {seconds:.1f} s: added {report.added} / updated {report.updated} / "
        f"unchanged {report.unchanged} / rejected {len(report.rejected)}"
        + (f" / removed {report.removed}" if report.removed else "")
        + f". The index now holds {report.articles_total} articles, {report.chunks_total} chunks "
        f"({report.chunks_embedded} embedded)."
    ]
    for st in states.values():
        if not st.ok:
            lines.append(f"Source {st.name!r} failed: {st.error}")
    return "\n".join(lines)


class Core:
    """Command logic shared by the Discord bot and ``defnews chat``."""

    def __init__(
        self,
        settings: Settings,
        service: IndexService,
        state: BotState | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.service = service
        self.state = state
        self.clock = clock
        self.tz = zone(settings.digest_timezone)
        self.cooldown = Cooldown(settings.ask_cooldown_rate, settings.ask_cooldown_seconds, monotonic)
        self.gate = SearchGate(settings.max_concurrent_searches)
        self.last_refresh = ""
        self._sections: tuple[str, tuple[str, ...]] | None = None
        self._sections_lock = threading.Lock()

    # ------------------------------------------------------------------ /ask

    def sections(self) -> tuple[str, ...]:
        """Sections present in the live index (cached per generation)."""
        searcher = self.service.searcher
        key = searcher.gen.id
        with self._sections_lock:
            if self._sections is None or self._sections[0] != key:
                counts: dict[str, int] = {}
                for a in searcher.articles.values():
                    if a.section:
                        counts[a.section] = counts.get(a.section, 0) + 1
                self._sections = (key, tuple(sorted(counts, key=lambda s: (-counts[s], s))))
            return self._sections[1]

    def parse_ask(
        self,
        question: str,
        *,
        since: str | None = None,
        until: str | None = None,
        section: str | None = None,
        k: int | None = None,
    ) -> AskParams:
        """Validate the options of /ask (cheap; no index access). Raises a DefnewsError with one line."""
        q = validate_question(question, self.settings.max_question_chars)
        now = self.clock()
        since_dt = parse_since(since, now, self.tz) if since and since.strip() else None
        until_dt = parse_until(until, now, self.tz) if until and until.strip() else None
        if since_dt and until_dt and since_dt > until_dt:
            raise InvalidInputError("`since` is after `until`")
        k = k or self.settings.results_per_page
        if not 1 <= k <= self.settings.ask_max_k:
            raise InvalidInputError(f"`k` must be between 1 and {self.settings.ask_max_k}")
        return AskParams(q, since_dt, until_dt, (section or "").strip() or None, k)

    def admit(self, user_id: int) -> None:
        """Per-user cooldown for new questions (not for paging)."""
        self.cooldown.check(user_id)

    def check_section(self, section: str | None) -> None:
        if section and section not in self.sections():
            known = ", ".join(self.sections()) or "none"
            raise InvalidInputError(f"There is no section {section!r}; the sections are: {known}.")

    def answer(self, params: AskParams, offset: int = 0) -> AnswerReply:
        """Search (blocking) and build the reply model with matched terms emphasised."""
        self.check_section(params.section)
        # "last week", "yesterday": relative to the bot's clock, in the configured (digest) time zone
        today = self.clock().astimezone(zone(self.settings.digest_timezone)).date()
        answer = self.service.search(params.query(offset, today=today))
        # the searcher marks the matched terms; tokenise the question only for hits it left unmarked
        terms = () if all(h.highlights for h in answer.hits) else self.service.searcher.tokenizer.tokens(
            params.question
        )
        reply = answer_reply(answer, offset, terms)
        if not reply.items and (params.since or params.until or params.section):
            reply = _with_tips(reply, "The date or section filters may be too narrow; try without them.")
        return reply

    def log_query(self, params: AskParams, *, user_id: int | None, origin: str) -> int | None:
        if self.state is None:
            return None
        return self.state.log_query(params.question, user_id=user_id, origin=origin, params=params.to_json())

    def stored_params(self, query_id: int) -> AskParams:
        stored = self.state.get_query(query_id) if self.state else None
        if stored is None:
            raise InvalidInputError("That question is no longer known to me; please ask it again.")
        return AskParams.from_json(stored.question, stored.params)

    # ------------------------------------------------------------------ /digest

    def digest_period(self, since: str | None, now: datetime | None = None) -> tuple[datetime, datetime]:
        now = now or self.clock()
        return parse_since(since or "7d", now, self.tz), now

    def digest(self, since: datetime, until: datetime, section: str | None = None) -> Digest:
        self.check_section(section)
        articles = self.service.articles_between(since, until, section or None)
        return build_digest(
            articles, since, until, tz=self.settings.digest_timezone,
            max_articles=self.settings.digest_max_articles, summary_chars=self.settings.digest_summary_chars,
        )

    # ------------------------------------------------------------------ /sources and /stats

    def sources_reply(self) -> SourcesReply:
        searcher = self.service.searcher
        states = self.service.source_states()
        counts: dict[str, int] = {}
        newest: dict[str, datetime] = {}
        for a in searcher.articles.values():
            counts[a.source] = counts.get(a.source, 0) + 1
            if a.source not in newest or a.published > newest[a.source]:
                newest[a.source] = a.published
        names = [s.name for s in self.service.sources.sources]
        names += sorted((set(counts) | set(states)) - set(names))
        lines = []
        for name in names:
            st = states.get(name)
            lines.append(SourceLine(
                name=name, articles=counts.get(name, 0),
                newest=newest[name].astimezone(self.tz).date().isoformat() if name in newest else "",
                ok=st.ok if st else True, error=st.error if st else "", last_run=st.last_run if st else "",
            ))
        top = max(newest.values(), default=None)
        return SourcesReply(tuple(lines), len(searcher.articles),
                            top.astimezone(self.tz).date().isoformat() if top else "")

    def stats_reply(self) -> StatsReply:
        s = self.service.stats()
        fb = self.state.feedback_counts() if self.state else {"up": 0, "down": 0}
        served = self.state.counter("queries_served") if self.state else 0
        failing = tuple(
            SourceLine(x["name"], x["articles"], ok=False, error=x.get("error", ""), last_run=x.get("last_run", ""))
            for x in s["sources"] if not x.get("ok", True)
        )
        return StatsReply(
            articles=s["articles"], chunks=s["chunks"], model=s["model"], index_type=s["index_type"],
            index_bytes=s["index_bytes"], generation=s["generation"], last_reindex=str(s["last_reindex"]),
            newest_article=(s["newest_article"] or "")[:10], queries_served=served, feedback_up=fb["up"],
            feedback_down=fb["down"], reindex_running=self.service.reindex_running,
            last_refresh=self.last_refresh, failing=failing,
        )

    # ------------------------------------------------------------------ /reindex and the refresh

    def reindex(self, full: bool = False, progress: ReindexProgress | None = None) -> str:
        """Run a reindex (blocking). Returns the summary text; ReindexBusyError if one is running."""
        progress = progress or ReindexProgress()
        started = time.monotonic()
        report, states = self.service.reindex(full=full, progress=progress)
        summary = reindex_summary(report, states, time.monotonic() - started)
        self.last_refresh = f"{self.clock().isoformat(timespec='seconds')}: {summary.splitlines()[0]}"
        return summary


def _with_tips(reply: AnswerReply, extra: str) -> AnswerReply:
    from dataclasses import replace

    return replace(reply, tips=(reply.tips + " " + extra).strip())


def refresh_due(last: datetime | None, now: datetime, interval_minutes: int) -> bool:
    """Whether the background refresh should run now (``interval_minutes == 0`` = never)."""
    if interval_minutes <= 0:
        return False
    return last is None or now - last >= timedelta(minutes=interval_minutes)


def mention_usage() -> str:
    return "Ask me a question after the mention, e.g. `@defnews who visited MOD on July 4?`, or use `/ask`."



"""/sources and /stats without Discord: what is indexed (per source) and the index's and the bot's statistics,
from ``IndexService.stats()``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from index.service import IndexService

from ...core.state import StateStore


@dataclass(frozen=True)
class SourceLine:
    name: str
    articles: int
    newest: str = ""  # YYYY-MM-DD of the newest indexed article, "" if none
    ok: bool = True
    error: str = ""  # the last error when the source is failing
    last_run: str = ""


@dataclass(frozen=True)
class SourcesReply:
    sources: tuple[SourceLine, ...]
    articles: int
    newest: str = ""

    @property
    def failing(self) -> tuple[SourceLine, ...]:
        return tuple(s for s in self.sources if not s.ok)


@dataclass(frozen=True)
class Activity:
    """What the bot itself has done (not in the index)."""

    queries_served: int = 0
    feedback_up: int = 0
    feedback_down: int = 0
    reindex_running: bool = False
    last_refresh: str = ""  # result line of the last background refresh / reindex by the bot


@dataclass(frozen=True)
class StatsReply:
    """``IndexService.stats()`` and, in the bot, its activity."""

    articles: int
    chunks: int
    model: str
    dimension: int
    index_type: str
    index_dir: str
    index_bytes: int
    generation: str
    last_reindex: str
    newest_article: str | None  # ISO time of the newest article
    sources: tuple[SourceLine, ...] = ()
    activity: Activity | None = None

    @classmethod
    def from_stats(cls, stats: dict, activity: Activity | None = None) -> StatsReply:
        sources = tuple(
            SourceLine(x["name"], x["articles"], ok=x.get("ok", True), error=x.get("error", ""),
                       last_run=x.get("last_run", ""))
            for x in stats["sources"]
        )
        return cls(
            stats["articles"], stats["chunks"], stats["model"], stats["dimension"], stats["index_type"],
            stats["index_dir"], stats["index_bytes"], stats["generation"], str(stats["last_reindex"]),
            stats["newest_article"], sources, activity,
        )

    @property
    def failing(self) -> tuple[SourceLine, ...]:
        return tuple(s for s in self.sources if not s.ok)


class Info:
    """The logic of /sources and /stats (blocking: meant for a worker thread)."""

    def __init__(
        self, service: IndexService, state: StateStore | None = None, *, tz: ZoneInfo,
        last_refresh: Callable[[], str] = lambda: "",
    ) -> None:
        self.service = service
        self.state = state
        self.tz = tz  # the newest articles' days, in this zone
        self.last_refresh = last_refresh

    def _day(self, when: datetime | None) -> str:
        return when.astimezone(self.tz).date().isoformat() if when else ""

    def sources_reply(self) -> SourcesReply:
        stats = self.service.stats()
        newest = self.service.newest_by_source()
        listed = {x["name"]: x for x in stats["sources"]}
        names = [s.name for s in self.service.sources.sources]
        names += sorted(set(listed) - set(names))
        lines = []
        for name in names:
            x = listed.get(name, {})
            lines.append(SourceLine(
                name=name, articles=x.get("articles", 0), newest=self._day(newest.get(name)),
                ok=x.get("ok", True), error=x.get("error", ""), last_run=x.get("last_run", ""),
            ))
        return SourcesReply(tuple(lines), stats["articles"], self._day(max(newest.values(), default=None)))

    def stats_reply(self) -> StatsReply:
        feedback = self.state.feedback_counts() if self.state else {"up": 0, "down": 0}
        activity = Activity(
            queries_served=self.state.counter("queries_served") if self.state else 0,
            feedback_up=feedback["up"], feedback_down=feedback["down"],
            reindex_running=self.service.reindex_running, last_refresh=self.last_refresh(),
        )
        return StatsReply.from_stats(self.service.stats(), activity)

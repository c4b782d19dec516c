"""/ask without Discord: options -> one validated Query, the search, and the reply model of a page.

The question is checked once, where it arrives: :meth:`Asker.parse` builds the :class:`index.models.Query`
(which validates and normalises it). Blocking methods (search, state) are meant for a worker thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from index.models import Answer, Hit, Query
from index.service import GLOSS, IndexService, highlight_spans, is_english

from ...core.errors import CooldownRefused, InvalidInputError
from ...core.permissions import Cooldown, SearchGate
from ...core.settings import AskSettings
from ...core.state import StateStore
from ...core.times import parse_period, utcnow
from ..events.logic import event_when, type_label
from ..sections import check_section

NOT_FOUND = "No article answers this. Nearest articles:"
OFF_TOPIC = (
    "I answer questions about defence news (mostly Japanese sources: the Ministry of Defense and the SDF, "
    "ATLA, MOFA and the defence press), for example “who visited MOD on July 4?” or “7月4日に防衛省を訪れたのは誰?”."
)
REPHRASE_TIPS = (
    "Try naming the organisation, unit, ship or person, add a date (e.g. 'on July 4' or '7月4日'), "
    "or ask in Japanese."
)
NARROW_TIPS = "The date or section filters may be too narrow; try without them."
MENTION_USAGE = "Ask me a question after the mention, e.g. `@defnews who visited MOD on July 4?`, or use `/ask`."


@dataclass(frozen=True)
class AnswerReply:
    """One page of answers: the library's hits (matched terms marked) and what to tell around them."""

    question: str
    confident: bool
    items: tuple[Hit, ...]
    total: int
    offset: int = 0
    notice: str = ""  # e.g. the not-found message
    tips: str = ""
    off_topic: bool = False  # the question has no defence-news topic: ``notice`` says what the bot answers
    english: bool = False  # each item leads with its English answer line (an English question, or asked for)


def answer_reply(answer: Answer, offset: int = 0, terms: Iterable[str] = (), *, english: bool | None = None
                 ) -> AnswerReply:
    """The reply for an answer page. Hits the searcher left unmarked get the question's ``terms`` marked.
    ``english``: lead with the English answer lines (default: when the question is English)."""
    reply = _answer_reply(answer, offset, tuple(terms))
    return replace(reply, english=is_english(answer.question) if english is None else english)


def _answer_reply(answer: Answer, offset: int, terms: tuple[str, ...]) -> AnswerReply:
    items = tuple(
        h if h.highlights or not terms else replace(h, highlights=highlight_spans(h.passage, terms))
        for h in answer.hits
    )
    if answer.info.get("off_topic") and not answer.confident:
        return AnswerReply(answer.question, False, (), 0, offset, notice=OFF_TOPIC, off_topic=True)
    if not items:
        return AnswerReply(answer.question, False, (), answer.total, offset,
                           notice="Nothing in the indexed articles matches this question.", tips=REPHRASE_TIPS)
    if not answer.confident:
        return AnswerReply(answer.question, False, items, answer.total, offset, notice=NOT_FOUND,
                           tips=REPHRASE_TIPS)
    return AnswerReply(answer.question, True, items, answer.total, offset)


def published_day(hit: Hit) -> str:
    """The hit's publication day, YYYY-MM-DD (as the article gives it)."""
    return hit.published.date().isoformat()


def english_line(hit: Hit) -> str:
    """The hit's English answer line to put before its quote: "" when there is none or when it only repeats
    the passage (an English article, whose passage is its own English)."""
    text = " ".join(hit.answer_en.split())
    return "" if not text or text == " ".join(hit.passage.split()) else text


def is_gloss(text: str) -> bool:
    """A term-by-term gloss (the library could not recover the sentence), not an English sentence."""
    return text.startswith(GLOSS)


def title_beside(hit: Hit) -> str:
    """The English title to show beside the title: "" when it is the title itself (or there is none)."""
    title_en = " ".join(hit.title_en.split())
    return "" if not title_en or title_en == " ".join(hit.title.split()) else title_en


def has_english(reply: AnswerReply) -> bool:
    """Whether an item of the page has English to show that its Japanese text does not already say."""
    return any(english_line(h) or title_beside(h) for h in reply.items)


HOME_COUNTRY = "Japan"  # the sources' own country: its people host the visits the events list


def event_lines(reply: AnswerReply) -> list[str]:
    """One short line per event the page answers with, when it holds several ("who visited MOD in July 2025"):
    ``2025-07-04 · Courtesy call · Atul Khare, Nakatani Gen`` (the guests before the hosts; English-led, the names as written in
    Japanese-led pages), the summary (or title) when the event names nobody. Empty for one event or none: the
    answer itself says it. (The place is left out: the answers below show where, in the article's words.)"""
    items = [h for h in reply.items if h.event is not None]
    if len(items) < 2:
        return []
    out = []
    for h in items:
        e = h.event
        actors = sorted(e.actors, key=lambda a: a.country == HOME_COUNTRY)  # the visitor before the host
        if reply.english:
            who, about = ", ".join(a.name_en for a in actors if a.name_en), e.summary_en
        else:
            who, about = "、".join(a.name for a in actors if a.name), h.title
        out.append(" · ".join(" ".join(x.split()) for x in (event_when(e), type_label(e.type), who or about) if x))
    return out


def events_heading(reply: AnswerReply, n: int) -> str:
    return f"{n} matching events:" if reply.english else f"該当する出来事({n}件):"


def strip_mention(content: str, bot_id: int) -> str:
    """The question in a message that mentions the bot (``<@id>`` / ``<@!id>`` removed)."""
    for form in (f"<@{bot_id}>", f"<@!{bot_id}>"):
        content = content.replace(form, " ")
    return " ".join(content.split())


def query_to_json(query: Query) -> dict:
    """The options of a question as stored with it in the bot state (for its buttons)."""
    return {
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "section": query.section, "k": query.k,
    }


class Asker:
    """The logic of /ask and of mention questions, shared by the Discord bot and ``defnews chat``."""

    def __init__(
        self,
        settings: AskSettings,
        service: IndexService,
        state: StateStore | None = None,
        *,
        tz: ZoneInfo,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.service = service
        self.state = state
        self.tz = tz  # "since 2025-07-01", "last week": days in this zone
        self.clock = clock
        self.cooldown = Cooldown(settings.ask_cooldown_rate, settings.ask_cooldown_seconds, monotonic)
        self.gate = SearchGate(settings.max_concurrent_searches)

    def parse(
        self,
        question: str,
        *,
        since: str | None = None,
        until: str | None = None,
        section: str | None = None,
        k: int | None = None,
    ) -> Query:
        """The question and options of /ask as a Query (cheap; no index access). One-line DefnewsError if bad."""
        since_dt, until_dt = parse_period(since, until, self.clock(), self.tz)
        k = k or self.settings.results_per_page
        if not 1 <= k <= self.settings.ask_max_k:
            raise InvalidInputError(f"`k` must be between 1 and {self.settings.ask_max_k}")
        return Query(question, k=k, since=since_dt, until=until_dt, section=(section or "").strip() or None,
                     max_chars=self.settings.max_question_chars)

    @property
    def shared_cooldown(self) -> bool:
        """Whether the cooldown is counted in a state several bot processes share (a database round trip:
        call :meth:`admit` through ``asyncio.to_thread`` then)."""
        return self.state is not None and self.state.shared

    def admit(self, user_id: int) -> None:
        """Per-user cooldown for new questions (not for paging): in this process, or across every process
        of the bot when the state is shared (PostgreSQL)."""
        if self.shared_cooldown:
            s = self.settings
            wait = self.state.take_use("ask", user_id, s.ask_cooldown_rate, s.ask_cooldown_seconds)
            if wait > 0:
                raise CooldownRefused(wait)
            return
        self.cooldown.check(user_id)

    def check_section(self, section: str | None) -> None:
        check_section(self.service, section)

    def answer(self, query: Query, offset: int = 0) -> AnswerReply:
        """Search (blocking) and build the reply with matched terms emphasised."""
        self.check_section(query.section)
        # "last week", "yesterday": relative to the bot's clock, in the configured (digest) time zone
        today = self.clock().astimezone(self.tz).date()
        answer = self.service.search(replace(query, offset=offset, today=today))
        # the searcher marks the matched terms; tokenise the question only for hits it left unmarked
        terms = () if all(h.highlights for h in answer.hits) else self.service.question_terms(query.text)
        reply = answer_reply(answer, offset, terms)  # English questions get English-led items
        if not reply.items and (query.since or query.until or query.section):
            reply = replace(reply, tips=(reply.tips + " " + NARROW_TIPS).strip())
        return reply

    def log_query(self, query: Query, *, user_id: int | None, origin: str) -> int | None:
        if self.state is None:
            return None
        return self.state.log_query(query.text, user_id=user_id, origin=origin, params=query_to_json(query))

    def stored_query(self, query_id: int) -> Query:
        """A question asked before (for its buttons), as it was asked."""
        stored = self.state.get_query(query_id) if self.state else None
        if stored is None:
            raise InvalidInputError("That question is no longer known to me; please ask it again.")
        data = stored.params
        return Query(
            stored.question, k=int(data.get("k") or 3),
            since=datetime.fromisoformat(data["since"]) if data.get("since") else None,
            until=datetime.fromisoformat(data["until"]) if data.get("until") else None,
            section=data.get("section") or None, max_chars=self.settings.max_question_chars,
        )

"""Questions about events, answered from the events table (:mod:`index.text.events`): "who visited MOD on
July 4", "7月4日に防衛省を表敬したのは誰", "when was the 11th Mogami-class frigate launched".

A question asks about an event when it names an activity (:data:`QUESTION_TYPES`) and asks who, when, where
or which (not how many). An event row answers it when

- its type is compatible with the activity asked (:data:`COMPATIBLE`: a "visit" question is also answered
  by a courtesy call made during the visit);
- its date (or period) agrees with the question's dates, resolved as the search resolves them (a "July 4"
  without a year is any year's, the most recent one preferred);
- what the row says (its sentence, English summary, actors, place and title) holds every proper name the
  question gives (the glossary's names such as MOD = 防衛省, and capitalised or katakana names), and most of
  the question's other words.

Pure: rows in, matches out. :class:`EventRow` carries what matching needs (built once per generation,
tokens on first use); :func:`match_events` scores them for one question.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..models import DateSpan, Event
from ..store.keyword import QueryConcept
from ..text.dates.question import QueryDate
from ..text.events import TRIGGERS
from .plan import DATE_TOKEN_WEIGHT, QueryPlan

# activity asked -> pattern in the question (English and Japanese)
QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("courtesy_call", re.compile(r"courtesy call|\bcall(?:s|ed)? on\b|\bpaid (?:a )?call|表敬", re.I)),
    ("phone_talk", re.compile(r"\b(?:tele)?phone (?:talks?|calls?|conversation)|\bvideo (?:talks|conference|call)"
                              r"|電話会談|電話で|テレビ会談|電話協議", re.I)),
    ("meeting", re.compile(r"\bmet\b|\bmeet(?:s|ing)?\b|\bheld talks\b|\btalks\b|会談|会合|協議|面会|懇談", re.I)),
    ("visit", re.compile(r"\bvisit(?:s|ed|ing)?\b|\btour(?:ed)?\b|\binspect(?:ed|ion)?\b|訪問|来日|訪日|視察|訪れ", re.I)),
    ("exercise", re.compile(r"\bexercis(?:e|es|ed)\b|\bdrills?\b|\bwar ?games?\b|訓練|演習", re.I)),
    ("launch", re.compile(r"\blaunch(?:ed|ing)?\b|進水", re.I)),
    ("delivery", re.compile(r"\bdeliver(?:ed|y|ies)?\b|\bhanded over\b|引き?渡|納入", re.I)),
    ("commissioning", re.compile(r"\bcommission(?:ed|ing)?\b|\bentered service\b|就役|自衛艦旗", re.I)),
    ("appointment", re.compile(r"\bappoint(?:ed|ment)\b|\bnamed (?:as )?(?:the )?(?:new )?(?:commander|chief|head)\b"
                               r"|\bpersonnel (?:changes?|reshuffle)\b|\bassumed (?:the )?(?:post|command)\b"
                               r"|\btook (?:over|command)\b|就任|に就|人事|異動|着任|任命|補職", re.I)),
)
# activity asked -> event types that answer it, with how well
COMPATIBLE: dict[str, dict[str, float]] = {
    "visit": {"visit": 1.0, "courtesy_call": 0.9, "meeting": 0.7},
    "courtesy_call": {"courtesy_call": 1.0, "visit": 0.7, "meeting": 0.7},
    "meeting": {"meeting": 1.0, "courtesy_call": 0.8, "phone_talk": 0.8, "visit": 0.6},
    "phone_talk": {"phone_talk": 1.0, "meeting": 0.7},
    "exercise": {"exercise": 1.0},
    "launch": {"launch": 1.0},
    "delivery": {"delivery": 1.0, "commissioning": 0.7},
    "commissioning": {"commissioning": 1.0, "delivery": 0.7},
    "appointment": {"appointment": 1.0},
}
_HOW_MANY = re.compile(r"\bhow (?:many|much|long|far)\b|\bnumber of\b|何(?:人|名|回|隻|機|両|発|件|台|日間|年間)|いくつ|どれ(?:くらい|ぐらい|だけ)",
                       re.I)
_ASKS = re.compile(r"\b(?:who|whom|whose|when|where|which)\b|\bwhat (?:date|day|ships?|vessels?|exercises?|units?)\b"
                   r"|誰|だれ|どなた|いつ|どこ|どの|何日|何月|何年", re.I)
# words a question uses to ask, not to name what it asks about
_ASKING_WORDS = frozenset(["date", "day", "days", "month", "year", "time", "name", "names", "list", "all"])
MIN_COVER_DATED = 0.5  # share of the question's other words a row must hold when the question gives a date
MIN_COVER_UNDATED = 0.65  # ... when it gives none (then it must also name someone or something)
OTHER_YEAR = 0.9  # a yearless date ("July 4") met in another year than the most recent one
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


@dataclass
class EventRow:
    """An event with the article and sentence it comes from (offsets into the article body) and what it
    says, as text; its tokens are computed on first use."""

    event: Event
    article_id: str
    start: int
    end: int
    text: str  # the sentence, the English summary, actors, place and the article's title
    _tokens: frozenset[str] | None = field(default=None, repr=False)

    def tokens(self, tokenize: Callable[[str], Iterable[str]]) -> frozenset[str]:
        if self._tokens is None:
            self._tokens = frozenset(tokenize(self.text))
        return self._tokens


def row_text(event: Event, sentence: str) -> str:
    """What an event row says, for matching: its sentence, summary, actors, place and title."""
    actors = " ".join(f"{a.name} {a.name_en} {a.role_en} {a.country}" for a in event.actors)
    return "\n".join(x for x in (sentence, event.summary_en, actors, event.place, event.place_en, event.title) if x)


@dataclass(frozen=True)
class EventMatch:
    row: EventRow
    score: float
    date: float  # the date agreement (1.0 when the question gives none)
    cover: float  # share of the question's other words the row holds
    answers: bool = True  # the row holds what the question asks (someone for "who", a place for "where")


def holds_answer(event: Event, answer_types: Iterable[str]) -> bool:
    """Whether the row says what a question asking for ``answer_types`` wants: a named person for "who", a
    place for "where", a date for "when"."""
    need = set(answer_types)
    return not (("who" in need and not any(a.name_en for a in event.actors))
                or ("where" in need and not (event.place_en or event.place))
                or ("when" in need and event.date is None))


def answer_line(event: Event) -> str:
    """The event in English, from its row alone: its summary, with the day when the summary does not give its
    year, and the people the row names that the summary leaves out (with their posts)."""
    text = " ".join(event.summary_en.split())
    if event.date is not None and str(event.date.year) not in text:
        d = event.date
        text = f"{d.day} {_MONTHS[d.month - 1]} {d.year}: {text}"
    missing = [a for a in event.actors if a.name_en and a.name_en.split()[-1] not in text]
    if missing:
        who = "; ".join(a.name_en + (f" ({a.role_en})" if a.role_en else "") for a in missing)
        text = f"{text.rstrip('.')} — {who}"
    return text



def asked_types(question: str) -> frozenset[str]:
    """The activities a question asks about (visit, courtesy_call...): empty when it asks how many or does
    not ask who, when, where or which."""
    norm = unicodedata.normalize("NFKC", question)
    if _HOW_MANY.search(norm) or not _ASKS.search(norm):
        return frozenset()
    return frozenset(t for t, rx in QUESTION_TYPES if rx.search(norm))


def _is_trigger(c: QueryConcept) -> bool:
    return any(rx.search(" ".join(v)) or rx.search("".join(v)) for v in c.variants for _, rx in QUESTION_TYPES)


def _found(c: QueryConcept, tokens: frozenset[str]) -> bool:
    return any(v and all(t in tokens for t in v) for v in c.variants)


def _date_score(dates: Sequence[QueryDate], event: Event) -> float:
    if not dates:
        return 1.0
    if event.date is None:
        return 0.0
    span = DateSpan(event.date, event.end_date or event.date, "range" if event.end_date else "day")
    best = 0.0
    for q in dates:
        got = q.matches(span)
        if got > 0 and not q.year_explicit and QueryDate(q.span, True, q.start, q.end).matches(span) <= 0:
            got *= OTHER_YEAR
        best = max(best, got)
    return best


@dataclass(frozen=True)
class _Wants:
    types: frozenset[str]
    required: tuple[QueryConcept, ...]  # proper names: every one must be found
    others: tuple[QueryConcept, ...]  # the question's other words: most must be found

    @classmethod
    def of(cls, plan: QueryPlan, types: frozenset[str]) -> _Wants:
        # a name through the concept that spells it (MOD: 防衛省 too), or as written
        names = tuple(next((c for c in plan.concepts if n in c.variants), QueryConcept((n,), 1.0)) for n in plan.names)
        required = tuple(c for c in (*plan.anchors, *names) if not _is_trigger(c))
        others = tuple(c for c in plan.concepts if c.weight > DATE_TOKEN_WEIGHT and not _is_trigger(c)
                       and not all(len(v) == 1 and v[0] in _ASKING_WORDS for v in c.variants))
        return cls(types, required, others)

    def compat(self, etype: str) -> float:
        return max((COMPATIBLE[t].get(etype, 0.0) for t in self.types), default=0.0)


def match_events(plan: QueryPlan, rows: Iterable[EventRow], tokenize: Callable[[str], Iterable[str]],
                 types: frozenset[str] | None = None) -> list[EventMatch]:
    """The rows that answer the question of ``plan``, best first (at most one per article); empty when the
    question does not ask about an event or no row agrees. ``tokenize``: the keyword index's tokenizer."""
    wants = _Wants.of(plan, asked_types(plan.question) if types is None else types)
    dated = bool(plan.dates.items)
    if not wants.types or not (dated or wants.required):
        return []  # "who visited?" with neither a date nor a name is no event question
    total = sum(c.weight for c in wants.others)
    best: dict[str, EventMatch] = {}
    for row in rows:
        compat = wants.compat(row.event.type)
        if compat <= 0:
            continue
        when = _date_score(plan.dates.items, row.event)
        if when <= 0:
            continue
        toks = row.tokens(tokenize)
        if not all(_found(c, toks) for c in wants.required):
            continue
        cover = sum(c.weight for c in wants.others if _found(c, toks)) / total if total else 1.0
        if cover < (MIN_COVER_DATED if dated else MIN_COVER_UNDATED):
            continue
        m = EventMatch(row, compat * when * (0.5 + 0.5 * cover), when, cover,
                       holds_answer(row.event, plan.answer_types))
        prev = best.get(row.article_id)
        if prev is None or m.score > prev.score:
            best[row.article_id] = m
    return sorted(best.values(), key=lambda m: -m.score)


class EventRows:
    """The event rows of one generation, built on first use by the ``build`` given (thread-safe), and grouped
    by article. It keeps no reference to its builder (a searcher holding it is freed as soon as it is let go)."""

    def __init__(self) -> None:
        self._rows: list[EventRow] | None = None
        self._by_article: dict[str, list[EventRow]] = {}
        self._lock = threading.Lock()

    def rows(self, build: Callable[[], list[EventRow]]) -> list[EventRow]:
        if self._rows is None:
            with self._lock:
                if self._rows is None:
                    rows = build()
                    for r in rows:
                        self._by_article.setdefault(r.article_id, []).append(r)
                    self._rows = rows
        return self._rows

    def of_articles(self, article_ids: Iterable[str], build: Callable[[], list[EventRow]]) -> list[EventRow]:
        self.rows(build)
        return [r for a in article_ids for r in self._by_article.get(a, ())]


def evidence_span(event: Event, chunk: tuple[int, int], sentences: Sequence[tuple[int, int, str]],
                  body: str) -> tuple[int, int]:
    """Where in the article body the event is said: the sentence of its chunk whose English is the event's
    summary, else the chunk's first sentence naming the activity, else the chunk's first sentence; from the
    sentence before it when that one names someone of the event the sentence itself leaves out (a subject
    carried over). ``sentences``: (start, end, English) of the article's sentences."""
    inside = [(s, e, en) for s, e, en in sentences if chunk[0] <= s < chunk[1]]
    if not inside:
        return chunk
    patterns = [rx for t, ja, en in TRIGGERS if t == event.type for rx in (ja, en)]
    k = next((i for i, (_, _, en) in enumerate(inside) if en and en == event.summary_en), None)
    if k is None:
        k = next((i for i, (s, e, _) in enumerate(inside) if any(rx.search(body[s:e]) for rx in patterns)), 0)
    s, e = inside[k][0], inside[k][1]
    if k and body[inside[k - 1][1] : s].count("\n") < 2:  # the sentence before, in the same paragraph
        names = [a.name for a in event.actors if a.name and a.name not in body[s:e]]
        if any(n in body[inside[k - 1][0] : inside[k - 1][1]] for n in names):
            s = inside[k - 1][0]
    return s, e

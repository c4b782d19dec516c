"""Events in articles: courtesy calls, meetings, telephone talks, visits, exercises, launches, deliveries,
commissionings and appointments, each with its date (and end date), the people it names (as written, in
English, their posts and countries), its place, an English summary and the passage it comes from.

One event per article and type: the first sentence that names the activity (a trigger word of the table
below) decides its date (the date mention nearest before the trigger in that sentence, else the sentence's,
else the article's first) and its actors (the people that sentence names). Everything comes from the
article: its text, the English it gives, its dates, the rendering vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ..models import Article, Chunk, DateSpan, Event, EventActor
from .dates.article import find_dates
from .english.article import ArticleEnglish
from .english.clauses import split_clauses
from .english.names import ArticleNames, Person, find_names
from .english.phrases import render_phrase
from .english.render import is_english
from .english.segment import SentenceContext, Term, segment
from .english.vocab import Vocab, default_vocab

# type -> Japanese triggers, English triggers (checked in this order: the first type found in a sentence wins)
TRIGGERS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("courtesy_call", re.compile(r"表敬"), re.compile(r"courtesy call", re.I)),
    ("phone_talk", re.compile(r"電話会談|電話で会談|テレビ会談|電話協議"), re.compile(r"(?:tele)?phone (?:talk|call)|video conference", re.I)),
    ("meeting", re.compile(r"会談|協議|会合|懇談|対話を開"), re.compile(r"\b(?:held talks|met with|meeting|dialogue was held|talks)\b", re.I)),
    ("launch", re.compile(r"進水"), re.compile(r"\blaunch(?:ed|ing)? ceremony|\bwas launched", re.I)),
    ("commissioning", re.compile(r"就役|自衛艦旗授与"), re.compile(r"\bcommission(?:ed|ing)\b", re.I)),
    ("delivery", re.compile(r"引き?渡し?|納入"), re.compile(r"\bdeliver(?:ed|y)\b|handed over", re.I)),
    ("appointment", re.compile(r"就任|に就く|が就く|充て|異動|補職|人事発令"), re.compile(r"\bappointed\b|\bassumed (?:the )?post", re.I)),
    ("exercise", re.compile(r"(?:共同|親善|実動|多国間|合同|日米|日豪|日英|日印)(?:訓練|演習)|(?:訓練|演習)「|」(?:を|に)(?:実施|開始|参加)"
                            r"|(?:訓練|演習)を(?:実施|開始|行)|(?:訓練|演習)に参加"),
     re.compile(r"\b(?:joint|bilateral|multilateral|multinational|field|goodwill) (?:exercise|training)|\bexercise\b", re.I)),
    ("visit", re.compile(r"訪問|来日|視察|訪れ"), re.compile(r"\bvisit(?:ed|ing)?\b", re.I)),
)
_EN_PERSON = re.compile(
    r"\b(?:(?:Lieutenant |Major |Brigadier )?General|(?:Vice |Rear )?Admiral|Colonel|Mr\.|Ms\.|Dr\.)\s+"
    r"((?:[A-Z][A-Za-z'\-]+|[A-Z]{2,})(?:\s+(?:[A-Z][A-Za-z'\-]+|[A-Z]{2,})){0,3})"
    r"|\b(?:Defense|Defence|Foreign|Prime) Minister\s+([A-Z][A-Za-z'\-]+(?:\s+[A-Z][A-Za-z'\-]+){0,2})")
_PLACE_KINDS = ("place",)


def _date_of(mentions: list[tuple[int, DateSpan]], at: int) -> DateSpan | None:
    before = [sp for pos, sp in mentions if pos <= at]
    if before:
        return before[-1]
    return mentions[0][1] if mentions else None


def _days(span: DateSpan | None) -> tuple[date | None, date | None]:
    if span is None:
        return None, None
    if span.granularity == "day":
        return span.first, None
    if span.granularity == "range":
        return span.first, span.last
    return span.first, span.last


def _country(text: str, vocab: Vocab) -> str:
    for ja in sorted(vocab.countries, key=len, reverse=True):
        if len(ja) > 1 and ja in text:
            return vocab.countries[ja]
    return ""


def _actors(terms: list[Term], names: ArticleNames, sentence: str, vocab: Vocab) -> list[EventActor]:
    """The people a sentence names, each with the post written next to it."""
    out: dict[str, EventActor] = {}
    for k, t in enumerate(terms):
        if t.kind != "person" or not t.en:
            continue
        person: Person | None = names.person_for(t.surface.split("(")[0].strip())
        name = person.ja if person else t.surface.split("(")[0].strip()
        name_en = person.en if person else t.en
        role = person.role_en if person and person.role_en else ""
        if not role:  # the post written right after the name (中谷 元 防衛大臣), else right before it
            after = [x for x in terms[k + 1 : k + 6] if x.kind in ("post", "org", "adj", "noun", "suffix")]
            post_at = next((i for i, x in enumerate(after) if x.kind == "post"), -1)
            if post_at >= 0:
                piece = render_phrase(after[: post_at + 1])
                role = piece.text if piece else ""
            elif k and terms[k - 1].kind == "post" and terms[k - 1].en:
                role = terms[k - 1].en
        ctx_text = (person.post_ja if person else "") + sentence[max(0, t.start - 20) : t.start]
        country = _country(ctx_text, vocab) or ("Japan" if re.search(r"[\u3400-\u9fff]", name) else "")
        key = name_en.split()[-1] if name_en else name
        if key not in out or len(name_en) > len(out[key].name_en):
            out[key] = EventActor(name, name_en, role, country)
    return list(out.values())


def _window(terms: list[Term], at: int) -> list[Term]:
    """The terms of the clause holding the trigger at ``at``: from the previous comma or clause end before the
    last date or topic, to the next verb's clause end."""
    start = 0
    for k, t in enumerate(terms):
        if t.start >= at:
            break
        if (t.kind == "punct" and t.surface == "、" and k and terms[k - 1].kind in ("verb", "aux", "part")) or (
                t.kind == "part" and t.surface in ("て", "し")):
            start = k + 1
    end = len(terms)
    for k in range(start, len(terms)):
        if terms[k].start > at and terms[k].kind == "punct" and terms[k].surface in ("、", "。"):
            end = k
            break
    return terms[start:end]


def _subject_actors(terms: list[Term], names: ArticleNames, text: str, vocab: Vocab, at: int) -> list[EventActor]:
    """The people named as the subject (が/は) of a main clause before the trigger (not of a relative clause)."""
    out: list[EventActor] = []
    for c in split_clauses([t for t in terms if t.start < at], vocab):
        if c.relative:
            continue
        for a in c.args:
            if a.role == "subj":
                out.extend(_actors(a.terms, names, text, vocab))
    return out


def _title_actors(article: Article, names: ArticleNames, vocab: Vocab, rx: re.Pattern[str]) -> list[EventActor]:
    """The people the title names when the title reports the same kind of event (it names the main actors)."""
    title = article.title
    if is_english(title) or not rx.search(title):
        return []
    terms = segment(title, SentenceContext(names, vocab, [], []))
    return _actors(terms, names, title, vocab)


def _merge(first: list[EventActor], more: list[EventActor]) -> list[EventActor]:
    out = {(a.name_en.split() or [a.name])[-1]: a for a in more}
    for a in first:
        key = (a.name_en.split() or [a.name])[-1]
        if key not in out or len(a.name_en) >= len(out[key].name_en):
            out[key] = EventActor(a.name, a.name_en, a.role_en or (out[key].role_en if key in out else ""),
                                  a.country or (out[key].country if key in out else ""))
    return list(out.values())


def _place(terms: list[Term]) -> tuple[str, str]:
    for k, t in enumerate(terms):
        if t.kind == "suffix" and t.en and "{}" in t.en and k and terms[k - 1].en and not t.en.startswith(
                ("for ", "mainly ", "around ")) and terms[k - 1].kind in ("place", "name", "org"):
            prev = terms[k - 1]
            return prev.surface + t.surface, t.en.replace("{}", prev.en or "")
    for t in terms:
        if t.kind in _PLACE_KINDS and t.en:
            return t.surface, t.en
    for t in terms:
        if t.kind == "org" and t.surface in ("防衛省", "外務省") and t.en:
            return t.surface, t.en
    return "", ""


def _chunk_at(chunks: Sequence[Chunk], pos: int) -> str:
    for c in chunks:
        if c.start <= pos < c.end:
            return c.chunk_id
    return chunks[0].chunk_id if chunks else ""


def extract_events(article: Article, chunks: Sequence[Chunk], english: ArticleEnglish,
                   vocab: Vocab | None = None) -> list[Event]:
    """The events ``article`` reports (at most one per type), from its body sentences in order."""
    vocab = vocab or default_vocab()
    body = article.body
    english_body = is_english(body)
    names = find_names(f"{article.title}\n{body}") if not english_body else ArticleNames()
    own = find_names(body) if not english_body else ArticleNames()
    mentions = find_dates(body, article.published)
    lead = mentions[0].span if mentions else None
    seen: set[str] = set()
    out: list[Event] = []
    for sent in english.sentences:
        text = body[sent.start : sent.end]
        english_sent = is_english(text)
        for etype, ja_rx, en_rx in TRIGGERS:
            m = (en_rx if english_sent else ja_rx).search(text)
            if m is None:
                continue
            if etype in seen:
                break
            in_sent = [(x.start - sent.start, x.span) for x in mentions if sent.start <= x.start < sent.end]
            span = _date_of(in_sent, m.start()) or lead
            first, last = _days(span)
            if english_sent:
                actors = [EventActor(n, n, "", "") for mm in _EN_PERSON.finditer(text)
                          if (n := (mm.group(1) or mm.group(2) or "").strip())]
                place, place_en = "", ""
            else:
                dates = [(x.start - sent.start, x.end - sent.start, x.span) for x in mentions
                         if sent.start <= x.start < sent.end]
                spans = [(a - sent.start, b - sent.start, en) for a, b, en in own.spans if sent.start <= a < sent.end]
                terms = segment(text, SentenceContext(names, vocab, dates, spans))
                window = _window(terms, m.start())
                actors = _merge(_actors(window, names, text, vocab) + _subject_actors(terms, names, text, vocab, m.start()),
                                _title_actors(article, names, vocab, ja_rx))
                place, place_en = _place(window)
                if not place:
                    place, place_en = _place(terms)
            summary = sent.en if sent.kind in ("sentence", "english") else english.title_en or sent.en
            out.append(Event(etype, first, last, tuple(actors), place, place_en, summary, article.url,
                             article.title, _chunk_at(chunks, sent.start)))
            seen.add(etype)
            break
    return out

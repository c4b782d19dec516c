"""A Japanese sentence -> :class:`Term` s, each with its English where the article or the vocabulary gives one.

In order of precedence: dates (as the index resolves them), names the article gives in English or with a
reading, quoted names (「たかせ」 -> Takase), clock times, ordinals and quantities, the article's own terms
and the rendering vocabulary (longest first), and SudachiPy for the rest (proper nouns romanised from their
reading, verbs by their dictionary form, particles kept for the clause analysis).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...models import DateSpan
from ..sudachi import sudachi_tokenizer
from .names import ArticleNames
from .numbers import find_quantities
from .romaji import is_kana, romanise_name
from .vocab import Vocab

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_WEEKDAY = re.compile(r"^\s?\([月火水木金土日](?:・祝)?\)")
_QUOTE = re.compile(r"「([^「」]{1,40})」")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9\-.&/' ]*[A-Za-z0-9]|[A-Za-z]")
_LATIN_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-/.][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_KIND = {"when": "time"}  # vocabulary pos -> term kind where they differ


@dataclass
class Term:
    start: int
    end: int
    surface: str
    kind: str  # date time ord num person name place org post rank unit noun adj suffix skip verb part aux punct latin other
    en: str | None = None
    lemma: str = ""
    span: DateSpan | None = None

    def __repr__(self) -> str:  # compact, for debugging and test messages
        return f"{self.kind}:{self.surface}" + (f"={self.en}" if self.en else "")


def format_span(span: DateSpan) -> str:
    """``4 July 2025``, ``July 2025``, ``2025``, ``FY2025``, ``26 August – 15 November 2024``."""
    a, b = span.first, span.last
    if span.granularity == "day" or (span.granularity != "range" and a == b):
        return f"{a.day} {_MONTHS[a.month - 1]} {a.year}"
    if span.granularity == "month":
        return f"{_MONTHS[a.month - 1]} {a.year}"
    if span.granularity == "year":
        return str(a.year)
    if span.granularity == "fiscal_year":
        return f"FY{a.year}" if b.year == a.year + 1 else f"FY{a.year}–FY{b.year - 1}"
    left = f"{a.day} {_MONTHS[a.month - 1]}" + ("" if a.year == b.year else f" {a.year}")
    return f"{left} – {b.day} {_MONTHS[b.month - 1]} {b.year}"


def _sudachi():
    return sudachi_tokenizer()


def _quoted_english(inner: str, names: ArticleNames, vocab: Vocab) -> str | None:
    if inner in names.terms:
        return names.terms[inner]
    if inner in vocab.entries and vocab.entries[inner].en:
        return vocab.entries[inner].en
    parts = re.findall(r"[ぁ-ゖァ-ヺー・]+|[A-Za-z0-9][A-Za-z0-9\-.]*", inner)
    if not parts or sum(map(len, parts)) < len(inner.replace(" ", "")) - 1:
        return None  # kanji inside: not a plain name
    return " ".join(romanise_name(p) if is_kana(p) else p for p in parts)


def _token_term(m, start: int, names: ArticleNames, vocab: Vocab) -> Term | list[Term] | None:
    s, e = start + m.begin(), start + m.end()
    surf, lemma = m.surface(), m.dictionary_form()
    pos = m.part_of_speech()
    if not surf or surf.isspace():
        return None
    entry = vocab.entries.get(surf) or vocab.entries.get(lemma)
    if surf in names.terms:
        return Term(s, e, surf, "person", names.terms[surf])
    if pos[0] == "動詞":
        return Term(s, e, surf, "verb", None, lemma)
    if _LATIN.fullmatch(surf):
        return Term(s, e, surf, "latin", surf, lemma)
    if entry is not None:
        return Term(s, e, surf, _KIND.get(entry.pos, entry.pos), entry.en or None, lemma)
    if pos[0] == "名詞" and pos[1] == "固有名詞":
        kind = {"地名": "place", "組織名": "org"}.get(pos[2], "name")
        if kind == "place" and len(surf) > 2 and surf[-1] in "県市町村区郡":  # 岩手県大船渡市: name by name
            return _place_parts(m, start, vocab)
        reading = m.reading_form()
        en = romanise_name(reading) if is_kana(reading) and len(surf) > 1 else None  # 所 alone: no name
        return Term(s, e, surf, kind, en, lemma)
    if _LATIN.fullmatch(surf):
        return Term(s, e, surf, "latin", surf, lemma)
    kind = {"助詞": "part", "助動詞": "aux", "補助記号": "punct", "記号": "punct", "空白": "punct",
            "形状詞": "adj", "形容詞": "adj", "名詞": "noun"}.get(pos[0], "other")
    return Term(s, e, surf, kind, None, lemma)


def _flat(items) -> list[Term]:
    out: list[Term] = []
    for t in items:
        if isinstance(t, list):
            out.extend(t)
        elif t is not None:
            out.append(t)
    return out


def _place_parts(m, start: int, vocab: Vocab) -> list[Term]:
    from sudachipy import SplitMode

    out: list[Term] = []
    for p in m.split(SplitMode.A):
        s, e, surf = start + p.begin(), start + p.end(), p.surface()
        entry = vocab.entries.get(surf)
        if entry is not None and entry.pos == "suffix":
            out.append(Term(s, e, surf, "suffix", entry.en))
        else:
            reading = p.reading_form()
            out.append(Term(s, e, surf, "place", romanise_name(reading) if is_kana(reading) else None))
    return out


def _sudachi_terms(text: str, gaps: list[tuple[int, int]], names: ArticleNames, vocab: Vocab) -> list[Term]:
    """Terms for the ``gaps`` of ``text``: the sentence is analysed whole (particles need their context);
    a token that crosses the edge of a gap is analysed again on the gap's own text."""
    from sudachipy import SplitMode

    tokens = list(_sudachi().tokenize(text, SplitMode.C)) if gaps else []
    out: list[Term] = []
    for gs, ge in gaps:
        inside = [m for m in tokens if gs <= m.begin() and m.end() <= ge]
        covered = sum(m.end() - m.begin() for m in inside)
        if covered < ge - gs:
            inside = list(_sudachi().tokenize(text[gs:ge], SplitMode.C))
            out.extend(_flat(_token_term(m, gs, names, vocab) for m in inside))
        else:
            out.extend(_flat(_token_term(m, 0, names, vocab) for m in inside))
    return out


@dataclass
class SentenceContext:
    """What segmenting one sentence needs from its article."""

    names: ArticleNames
    vocab: Vocab
    dates: list[tuple[int, int, DateSpan]]  # (start, end, span) in the sentence's coordinates
    name_spans: list[tuple[int, int, str]]  # whole name mentions in the sentence's coordinates


def segment(text: str, ctx: SentenceContext) -> list[Term]:
    """The terms of one sentence, in order, covering it without overlap (white space left out)."""
    spans: list[Term] = []

    def free(s: int, e: int) -> bool:
        return all(e <= t.start or s >= t.end for t in spans)

    for s, e, span in ctx.dates:
        w = _WEEKDAY.match(text[e:])
        if w:
            e += w.end()
        spans.append(Term(s, e, text[s:e], "date", format_span(span), span=span))
    for s, e, en in ctx.name_spans:
        if free(s, e):
            spans.append(Term(s, e, text[s:e], "person", en))
    for m in _QUOTE.finditer(text):
        en = _quoted_english(m.group(1), ctx.names, ctx.vocab)
        if en and free(m.start(), m.end()):
            spans.append(Term(m.start(), m.end(), m.group(), "name", en))
    for m in _LATIN_WORD.finditer(text):  # P-3C, TC-90, F-15: never cut into numbers
        if free(m.start(), m.end()):
            spans.append(Term(m.start(), m.end(), m.group(), "latin", m.group()))
    for q in find_quantities(text):
        if free(q.start, q.end):
            kind = ("name" if q.english.startswith("Type ") else "time" if q.value is None and "/" not in q.english
                    else "ord" if re.search(r"\d(st|nd|rd|th)\b", q.english) else "num")
            spans.append(Term(q.start, q.end, text[q.start : q.end], kind, q.english))
    for key, en in sorted(ctx.names.terms.items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(re.escape(key), text):
            if free(m.start(), m.end()):
                spans.append(Term(m.start(), m.end(), key, "person" if _is_person(key, ctx.names) else "org", en))
    rx = ctx.vocab.surface_rx
    if rx is not None:
        for m in rx.finditer(text):
            key = m.group()
            if len(key) < 2 or not free(m.start(), m.end()):
                continue
            entry = ctx.vocab.entries.get(key)
            if entry is not None:
                spans.append(Term(m.start(), m.end(), key, _KIND.get(entry.pos, entry.pos), entry.en or None, key))
            else:
                lemma = key if key in ctx.vocab.verbs else key + "する"
                spans.append(Term(m.start(), m.end(), key, "verb", None, lemma))
    spans.sort(key=lambda t: t.start)
    gaps: list[tuple[int, int]] = []
    pos = 0
    for t in [*spans, None]:
        end = t.start if t is not None else len(text)
        if end > pos and text[pos:end].strip():
            gaps.append((pos, end))
        if t is not None:
            pos = t.end
    return sorted([*spans, *_sudachi_terms(text, gaps, ctx.names, ctx.vocab)], key=lambda t: t.start)


def _is_person(key: str, names: ArticleNames) -> bool:
    return any(key in (p.ja.replace(" ", ""), p.ja) or (p.ja.replace(" ", "").startswith(key)) or
               p.ja.endswith(key) for p in names.persons)

"""Noun phrases in English: the terms of one phrase (between two case particles) -> words.

Japanese puts modifiers first and joins phrases with の; English puts a post before a name ("Defense
Minister Nakatani Gen"), a place after what is in it ("the Ministry of Defense in Tokyo"), and most other
の-phrases as "B of A". Terms without an English rendering are left out (never guessed).
"""

from __future__ import annotations

from dataclasses import dataclass

from .segment import Term

_PREPOSITIONAL = ("off ", "over ", "near ", "around ", "north of ", "south of ", "east of ", "west of ", "for ",
                  "mainly ")
_CONTENT = {"date", "time", "ord", "num", "person", "name", "place", "org", "post", "rank", "unit", "noun", "adj",
            "latin"}


_NAMED = {"place", "name", "person", "org", "latin", "ord"}  # what a suffix template (駐屯地 -> Camp {}) takes


@dataclass
class Piece:
    text: str
    kind: str  # the kind of its head term


def _join(words: list[str]) -> str:
    return " ".join(w for w in words if w).replace(" ,", ",").strip()


def _words(terms: list[Term]) -> tuple[list[tuple[str, str]], list[str]]:
    """(text, kind) words of a run of terms, suffix templates applied, and the prepositional pieces."""
    words: list[tuple[str, str]] = []
    trailing: list[str] = []
    for t in terms:
        if t.kind == "suffix" and t.en:
            if words and "{}" in t.en and words[-1][1] in _NAMED:
                text, _ = words.pop()
                filled = t.en.replace("{}", text)
                if filled.startswith(_PREPOSITIONAL):
                    trailing.append(filled)
                else:
                    words.append((filled, "place"))
            continue
        if not t.en or t.kind not in _CONTENT:
            continue
        if t.en in ("and", ",") and (not words or words[-1][0] in ("and", ",")):
            continue
        words.append((t.en, t.kind))
    while words and words[-1][0] in ("and", ","):
        words.pop()
    return words, trailing


def _part(terms: list[Term]) -> Piece | None:
    """One part of a phrase (no の inside): a person with the post after it (``中谷 元 防衛大臣`` -> Defense
    Minister Nakatani Gen; ``カレ 国連…事務次長`` -> Khare, UN Under-Secretary-General…), suffix templates
    applied to the word before them, prepositional pieces moved after the head."""
    at = next((k for k, t in enumerate(terms) if t.kind == "person" and t.en), -1)
    if at >= 0:
        before, _ = _words(terms[:at])
        after, trailing = _words(terms[at + 1 :])
        name = terms[at].en or ""
        if before and before[-1][0] not in ("and", ","):
            return Piece(_join([w for w, _ in before] + [name] + [w for w, _ in after] + trailing), "person")
        if len(after) == 1 and after[0][1] in ("post", "rank") and not trailing:
            return Piece(f"{after[0][0]} {name}", "person")
        if after and after[0][0] not in ("and", ","):
            tail = _join([w for w, _ in after] + trailing)
            return Piece(f"{name}, {tail}" if any(k == "post" for _, k in after) else f"{name} {tail}", "person")
        return Piece(_join([name] + [w for w, _ in after] + trailing), "person")
    words, trailing = _words(terms)
    if not words and not trailing:
        return None
    kind = words[-1][1] if words else "place"
    return Piece(_join([w for w, _ in words] + trailing), kind)


def _combine(a: Piece, b: Piece) -> Piece:
    """``A の B`` in English."""
    if b.kind == "person":
        return Piece(f"{b.text}, {a.text}", "person")
    if a.text.startswith(_PREPOSITIONAL):
        return Piece(f"{b.text} {a.text}", b.kind)
    if a.kind == "place" and b.kind in ("org", "place", "noun", "unit"):
        return Piece(f"{b.text} in {a.text}", b.kind)
    if a.kind in ("org", "adj", "person", "name", "latin", "num"):
        return Piece(f"{a.text} {b.text}", b.kind)
    return Piece(f"{b.text} of {a.text}", b.kind)


def render_phrase(terms: list[Term]) -> Piece | None:
    """The English of one noun phrase, or None when none of its terms has a rendering."""
    terms = _drop_echoes(terms)
    parts: list[list[Term]] = [[]]
    depth = 0
    paren: list[Term] = []
    for t in terms:
        if t.kind == "punct" and t.surface in "(（":
            depth += 1
            if depth == 1:
                paren = []
                continue
        if t.kind == "punct" and t.surface in ")）" and depth:
            depth -= 1
            if depth == 0:
                inner = render_phrase(paren)
                if inner and parts[-1] and inner.text not in (parts[-1][-1].en or ""):
                    last = parts[-1][-1]
                    parts[-1][-1] = Term(last.start, t.end, last.surface, last.kind, f"{last.en} ({inner.text})"
                                         if last.en else None, last.lemma, last.span)
                continue
        if depth:
            paren.append(t)
        elif t.kind == "part" and t.surface == "の":
            parts.append([])
        elif t.kind == "part" and t.surface in ("や", "と", "及び", "および"):
            parts[-1].append(Term(t.start, t.end, t.surface, "noun", "and"))
        elif (t.kind == "punct" and t.surface in ("、", ",")) or (t.kind == "punct" and t.surface == "・"):
            parts[-1].append(Term(t.start, t.end, t.surface, "noun", ","))
        else:
            parts[-1].append(t)
    head = next((t for t in reversed(parts[-1]) if t.kind not in ("punct", "part", "aux", "skip", "suffix")), None)
    if head is not None and not head.en:
        return None  # the phrase's head has no English: its modifiers alone would say something else
    pieces = [p for ts in parts if (p := _part(_tidy(ts))) is not None]
    if not pieces:
        return None
    out = pieces[0]
    for p in pieces[1:]:
        out = _combine(out, p)
    return out


def _tidy(terms: list[Term]) -> list[Term]:
    """Drop connectives ("and", ",") at the ends of a part and doubled ones inside it."""
    out: list[Term] = []
    for t in terms:
        if t.en in ("and", ",") and (not out or out[-1].en in ("and", ",")):
            continue
        out.append(t)
    while out and out[-1].en in ("and", ","):
        out.pop()
    return out


def _drop_echoes(terms: list[Term]) -> list[Term]:
    """``活動支援局(DOS)`` rendered as DOS already: its parenthesis ``(DOS)`` is dropped."""
    out: list[Term] = []
    i = 0
    while i < len(terms):
        t = terms[i]
        if (t.kind == "punct" and t.surface == "(" and i + 2 < len(terms) and terms[i + 2].surface == ")"
                and out and terms[i + 1].en and terms[i + 1].en == out[-1].en):
            i += 3
            continue
        out.append(t)
        i += 1
    return out


def has_content(terms: list[Term]) -> bool:
    return any(t.kind in _CONTENT for t in terms)

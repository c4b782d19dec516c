"""Sentences and titles in English: clauses when their structure is recovered, else a term-by-term gloss
marked ``[gloss]``. English text is kept as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clauses import _REPORTING, Clause, render_clause, split_clauses
from .phrases import Piece, render_phrase
from .segment import Term
from .vocab import Vocab

GLOSS = "[gloss]"
MIN_COVERAGE = 0.6  # share of the gloss's pieces a sentence rendering must keep, else the gloss is shown
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def cjk_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    return sum(1 for c in chars if _CJK.match(c)) / len(chars) if chars else 0.0


def is_english(text: str) -> bool:
    """At most 10 % CJK characters (what the issue calls an English rendering)."""
    return bool(text.strip()) and cjk_share(text) <= 0.10


@dataclass
class Rendered:
    text: str
    kind: str  # english (the text itself) | sentence | gloss | empty
    subject: Piece | None = None


def gloss(terms: list[Term], vocab: Vocab) -> str:
    """Term by term: each phrase's English (dates, names, numbers, posts, things, activities) in text order."""
    out: list[str] = []
    np: list[Term] = []

    def flush() -> None:
        piece = render_phrase(np) if np else None
        if piece and piece.text and (not out or out[-1] != piece.text):
            out.append(piece.text)
        np.clear()

    for t in terms:
        if t.kind in ("part", "aux") or (t.kind == "punct" and t.surface in "、。,.!?！？「」"):
            flush()
        elif t.kind == "verb":
            flush()
            v = vocab.verb(t.lemma)
            if v and out[-1:] != [v.past]:
                out.append(v.past)
        else:
            np.append(t)
    flush()
    return " · ".join(out)


def _subject(c: Clause) -> Piece | None:
    for a in c.args:
        if a.role == "subj":
            piece = render_phrase([t for t in a.terms if t.kind not in ("date", "time")])
            if piece:
                return piece
    return None


def render_terms(terms: list[Term], vocab: Vocab, carried: Piece | None = None,
                 *, headline: bool = False) -> Rendered:
    """One sentence's English from its terms; ``carried`` is the subject of the sentence before."""
    clauses = split_clauses(terms, vocab, headline=headline)
    main = [c for c in clauses if not c.relative]
    if not main:
        g = gloss(terms, vocab)
        return Rendered(f"{GLOSS} {g}" if g else "", "gloss" if g else "empty")
    topic = next((s for c in main if (s := _subject(c)) is not None), None)
    reporter = None
    if len(main) > 1 and main[-1].lemma in _REPORTING and main[-2].quoted:
        reporter = main[-1]
        main = main[:-1]
        topic = next((s for c in main if (s := _subject(c)) is not None), None)
    texts: list[str] = []
    subject = topic or (None if reporter else carried)
    said: Piece | None = None
    for c in main:
        own = _subject(c)
        who = own or (subject if subject is not carried or (c.verb is not None and c.verb.carry) else None)
        text = render_clause(c, who, omit_subject=who is not None and said is not None and who.text == said.text)
        if text is None:
            g = gloss(terms, vocab)
            return Rendered(f"{GLOSS} {g}" if g else "", "gloss" if g else "empty")
        subject = said = who
        texts.append(text)
    body = ", and ".join(texts) if len(texts) < 3 else ", ".join(texts[:-1]) + ", and " + texts[-1]
    if reporter is not None and reporter.verb is not None:
        who = _subject(reporter)
        verb = reporter.verb.past if reporter.past else reporter.verb.present
        if who is not None:
            body = f"{who.text} {verb} that {body[:1].lower() + body[1:] if subject is None else body}"
    body = body[:1].upper() + body[1:]
    g = gloss(terms, vocab)
    # what the main clauses' phrases say (relative clauses only modify them)
    pieces = [p for c in main for a in c.args for p in gloss(a.terms, vocab).split(" · ") if p]
    kept = sum(1 for p in pieces if p in body)
    if pieces and kept < MIN_COVERAGE * len(pieces):  # the clauses dropped most of what the sentence says
        return Rendered(f"{GLOSS} {g}", "gloss")
    return Rendered(body.rstrip(".") + ".", "sentence", subject)

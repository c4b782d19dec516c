"""A segmented sentence -> clauses (arguments marked by particles, one predicate each) -> English.

A clause is rendered only when its predicate is in the vocabulary and is not negated; its subject is its
own が/は phrase, else the sentence's topic, else the subject carried from the sentence before. A reported
clause (``…と発表した``) becomes "X announced that …". Anything else makes the sentence a term-by-term gloss
(see :mod:`.render`), so that a structure the rules do not know never turns into a wrong statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from .phrases import Piece, has_content, render_phrase
from .segment import Term
from .vocab import Verb, Vocab

_ROLE = {"が": "subj", "は": "subj", "も": "subj", "を": "を", "に": "に", "へ": "に", "で": "で", "と": "と",
         "から": "から", "まで": "まで", "より": "から", "には": "に", "では": "で", "とは": "と", "からは": "から",
         "にて": "で", "において": "で", "について": "について", "として": "として", "によると": "according",
         "による": "by", "によって": "by", "までに": "by_time"}
_DEFAULT_PREP = {"に": "to", "で": "in", "と": "with", "から": "from", "まで": "until", "について": "on",
                 "として": "as", "by": "by", "by_time": "by"}
_REPORTING = {"発表", "公表", "明らかにする", "述べる", "説明", "紹介", "強調", "報告", "指摘", "示す", "話す"}
_LIGHT = {"する", "できる", "なる", "いる", "ある", "おる", "れる", "られる", "せる", "させる"}


@dataclass
class Arg:
    role: str
    terms: list[Term]
    topic: bool = False  # marked with は (には, では...): it belongs to the sentence, not to a relative clause


@dataclass
class Clause:
    args: list[Arg] = field(default_factory=list)
    lemma: str = ""
    verb: Verb | None = None
    past: bool = False
    negative: bool = False
    passive: bool = False
    quoted: bool = False  # followed by the quotative と (its content is reported by the next clause)
    relative: bool = False  # modifies the noun after it
    cut: int = 0  # args before this index were closed by a comma (they belong to the clause further on)


def _particles(terms: list[Term], i: int) -> tuple[str, int]:
    """The particle run starting at ``i`` (には, への, ...) and the index after it."""
    j = i
    while j < len(terms) and terms[j].kind == "part" and terms[j].surface != "の":
        j += 1
    return "".join(t.surface for t in terms[i:j]), j


def _comma_role(t: Term, np: list[Term]) -> str | None:
    """The role of the phrase a comma closes: dates and adverbs before a comma ("other"), a topic without a
    particle (陸自、… -> "subj"); None when the comma is inside a phrase (兵站や人事、調達)."""
    if t.kind != "punct" or t.surface not in ("、", ","):
        return None
    if not np or all(x.kind in ("date", "time", "skip", "punct") for x in np):
        return "other"
    if t.surface == "、" and _last_content(np) in ("org", "person") and not any(x.surface == "の" for x in np):
        return "subj"
    return None


def _predicate(terms: list[Term], i: int, np: list[Term], vocab: Vocab, headline: bool) -> str | None:
    """The predicate at ``terms[i]`` (a verb, or an activity noun + する), popping the noun from ``np``."""
    t = terms[i]
    if t.kind == "verb" and t.lemma not in _LIGHT:
        return t.lemma
    if t.kind == "verb" and t.lemma in ("する", "できる") and np and np[-1].kind in ("noun", "verb"):
        noun = np.pop()
        return noun.lemma or noun.surface
    if t.kind == "noun" and vocab.verb(t.lemma or t.surface) and (
            _light_follows(terms, i) or (headline and _phrase_ends(terms, i))):
        return t.lemma or t.surface
    return None


def split_clauses(terms: list[Term], vocab: Vocab, *, headline: bool = False) -> list[Clause]:
    """The clauses of a sentence; in a ``headline`` an activity noun ending a phrase is a predicate too
    (``中谷防衛大臣を表敬`` = pays a courtesy call on)."""
    clauses: list[Clause] = []
    cur = Clause()
    np: list[Term] = []
    i = 0
    while i < len(terms):
        t = terms[i]
        role = _comma_role(t, np)
        if role is not None:
            if np and has_content(np):
                cur.args.append(Arg(role, np))
            np, cur.cut, i = [], len(cur.args), i + 1
            continue
        if t.kind == "part" and t.surface in ("や", "か", "及び", "および", "ならびに"):
            np.append(t)
            i += 1
            continue
        if (t.kind == "part" and t.surface in ("と", "に") and i + 2 < len(terms) and terms[i + 1].lemma == "なる"
                and terms[i + 2].kind not in ("punct", "part", "aux")):  # 10番艦となる「たかせ」: apposition
            np.append(Term(t.start, terms[i + 1].end, "の", "part", None, "の"))
            i += 2
            continue
        if t.kind == "part" and t.surface != "の":
            run, j = _particles(terms, i)
            if run.endswith("の") or (j < len(terms) and terms[j].surface == "の"):
                np.extend(terms[i:j])
            else:
                if np and has_content(np):
                    cur.args.append(Arg(_ROLE.get(run) or _ROLE.get(run[:1], "other"), np, "は" in run))
                np = []
            i = j
            continue
        pred = _predicate(terms, i, np, vocab, headline)
        if pred is None:
            np.append(t)
            i += 1
            continue
        if np and has_content(np):
            cur.args.append(Arg("other", np))
        np = []
        cur.lemma, cur.verb = pred, vocab.verb(pred)
        i = _predicate_tail(terms, i + 1, cur)
        clauses.append(cur)
        cur = Clause()
    if np and has_content(np):
        cur.args.append(Arg("other", np))
    if cur.args:
        clauses.append(cur)
    return _settle(clauses, vocab)


def _settle(clauses: list[Clause], vocab: Vocab) -> list[Clause]:
    """A relative clause keeps only the phrase right before it (the others belong to the clause it sits
    in); ``AとBを`` is one phrase "A and B"; ``表敬を行う`` is ``表敬する``; te-forms take the final tense."""
    out: list[Clause] = []
    carry: list[Arg] = []
    for c in clauses:
        c.args = carry + c.args
        carry = []
        if c.relative:  # what comes before a comma, and topics (…には), belong to the clause further on
            keep = [a for a in c.args[c.cut :] if not a.topic]
            carry = [a for a in c.args if a not in keep]
            c.args = keep
        c.args = _coordinate(c.args)
        _light_activity(c, vocab)
        out.append(c)
    main = [c for c in out if not c.relative]
    if main:
        for c in main[:-1]:
            if not c.quoted:
                c.past = c.past or main[-1].past
    return out


def _coordinate(args: list[Arg]) -> list[Arg]:
    out: list[Arg] = []
    for a in args:
        if out and out[-1].role == "と" and a.role != "と" and _head_kind(out[-1].terms) == _head_kind(a.terms):
            prev = out.pop()
            joiner = Term(prev.terms[-1].end, prev.terms[-1].end, "と", "noun", "and")
            out.append(Arg(a.role, [*prev.terms, joiner, *a.terms]))
        else:
            out.append(a)
    return out


def _head_kind(terms: list[Term]) -> str:
    """The kind of a phrase's head (its last content term), people and names counted as one kind."""
    kind = next((t.kind for t in reversed(terms) if t.kind not in ("punct", "part", "skip", "aux", "suffix")), "")
    return {"name": "person", "post": "person", "rank": "person", "adj": "org", "unit": "org"}.get(kind, kind)


_ADNOMINAL = {"への": "に", "との": "と", "での": "で", "からの": "から", "に対する": "に"}


def _light_activity(c: Clause, vocab: Vocab) -> None:
    """``中谷大臣への表敬を行った`` -> the predicate 表敬 with 中谷大臣 as its に-phrase."""
    if c.lemma not in ("行う", "実施", "実施する") or not c.args:
        return
    k = next((i for i in range(len(c.args) - 1, -1, -1) if c.args[i].role == "を"), -1)
    if k < 0:
        return
    terms = c.args[k].terms
    head = terms[-1]
    verb = vocab.verb(head.lemma or head.surface) or vocab.verb(head.surface)
    if head.kind != "noun" or verb is None:
        return
    new_args: list[Arg] = []
    seg: list[Term] = []
    i = 0
    body = terms[:-1]
    while i < len(body):
        t = body[i]
        if t.kind == "part":
            run, j = _particles(body, i)
            run += "".join(x.surface for x in body[j : j + 1] if x.surface == "の")
            j += 1 if j < len(body) and body[j].surface == "の" else 0
            if run in _ADNOMINAL and seg:
                new_args.append(Arg(_ADNOMINAL[run], seg))
                seg = []
                i = j
                continue
            if new_args or seg:
                return  # another kind of modifier: keep the clause as it is
        seg.append(t)
        i += 1
    if seg:
        return
    c.args[k : k + 1] = new_args
    c.lemma, c.verb = head.lemma or head.surface, verb


def _last_content(np: list[Term]) -> str:
    return next((t.kind for t in reversed(np) if t.kind not in ("punct", "part", "skip", "aux")), "")


def _phrase_ends(terms: list[Term], i: int) -> bool:
    return i + 1 >= len(terms) or terms[i + 1].kind == "punct" or terms[i + 1].start > terms[i].end


def _light_follows(terms: list[Term], i: int) -> bool:
    return i + 1 < len(terms) and terms[i + 1].kind == "verb" and terms[i + 1].lemma in ("する", "できる")


def _predicate_tail(terms: list[Term], i: int, c: Clause) -> int:
    """Read the auxiliaries after a predicate (tense, negation, passive) up to the clause's end."""
    while i < len(terms):
        t = terms[i]
        if t.kind == "verb" and t.lemma in _LIGHT:
            c.passive |= t.lemma in ("れる", "られる")
        elif t.kind == "aux":
            c.past |= t.lemma == "た"
            c.negative |= t.lemma in ("ない", "ぬ", "ず")
            c.passive |= t.lemma in ("れる", "られる")
        elif t.kind == "adj" and t.lemma == "ない":
            c.negative = True
        elif t.kind == "part" and t.surface in ("て", "で", "ば", "ながら", "つつ", "が", "けれど"):
            i += 1
            break
        elif t.kind == "part" and t.surface == "と":
            c.quoted = True
            i += 1
            break
        elif t.kind == "punct":
            i += 1
            break
        else:
            c.relative = t.kind != "part"
            break
        i += 1
    return i


def _time_phrase(en: str) -> str:
    return en if en.startswith(("in ", "at ", "around ", "for ", "on ")) else f"at {en}"


def _date_phrase(t: Term) -> str:
    g = t.span.granularity if t.span else "day"
    if g == "day" or not t.span:
        return f"on {t.en}"
    if g == "range":
        return f"from {t.en.replace(' – ', ' to ')}"
    return f"in {t.en}"


def render_clause(c: Clause, subject: Piece | None, *, omit_subject: bool = False) -> str | None:
    """English for one clause, or None when its predicate is unknown or negated."""
    if c.verb is None or c.negative:
        return None
    when: list[tuple[str, str]] = []
    own_subj: Piece | None = None
    parts: list[str] = []
    objects: list[str] = []
    for a in c.args:
        dates = [t for t in a.terms if t.kind in ("date", "time") and t.en]
        rest = [t for t in a.terms if t.kind not in ("date", "time")]
        when.extend((t.kind, _date_phrase(t) if t.kind == "date" else _time_phrase(t.en or "")) for t in dates)
        piece = render_phrase(rest) if has_content(rest) else None
        if piece is None:
            if a.role == "subj" and has_content(rest):
                return None  # a subject we cannot name: never borrow another one
            continue
        if a.role == "subj" and own_subj is None:
            own_subj = piece
            continue
        if a.role == "according":
            when.insert(0, ("according", f"according to {piece.text}"))
            continue
        prep = c.verb.args.get(a.role, _DEFAULT_PREP.get(a.role))
        if prep is None:
            return None  # a phrase whose role is unknown: do not guess
        if a.role == "で" and prep == "in" and piece.kind not in ("place", "org"):
            prep = "in"
        (objects if not prep else parts).append(f"{prep} {piece.text}".strip())
    passive = c.passive and bool(c.verb.passive)
    if c.passive and not passive and c.verb.args.get("を") == "":
        return None  # a passive we have no English for: the roles would come out reversed
    if c.verb.args.get("を") == "" and not objects and c.verb.args and not passive:
        return None  # a transitive verb whose object we cannot name says too little (or something else)
    subj = own_subj or subject
    if passive:
        verb = c.verb.passive if c.past else (c.verb.passive_present or c.verb.passive)
    else:
        verb = c.verb.past if c.past else c.verb.present
    words = [subj.text if subj and not omit_subject else "", verb, *objects, *parts]
    text = " ".join(w for w in words if w)
    if when:
        said = when[0][1]
        for (k0, _), (k1, w) in pairwise(when):
            said += (" " if k0 == "date" and k1 == "time" else " and ") + w  # on 9 March at 7 a.m.
        text = f"{text} {said}"
    return text

"""Query planning: the question's weighted concepts for the keyword side (its own words, glossary terms
with all their spellings, romaji readings, ordinals, era years), the text for the dense side (expanded with
the other language's names of glossary terms), its dates, highlight terms and the kind of answer asked."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..store.keyword import QueryConcept
from ..text.dates.question import QueryDates
from ..text.english.romaji import hepburn
from ..text.glossary import Concept, Glossary, romaji_concepts
from ..text.tokenize import READING_MARK, KeywordTokenizer, latin_token
from .config import SearchConfig
from .kinds import answer_types, asks_advice
from .ordinals import question_editions, question_ordinals

# Japanese question words and light verbs carry no topic; dropped from the keyword query only.
_JA_QUERY_STOP = frozenset(
    ["誰", "何", "なに", "なん", "いつ", "どこ", "どの", "どれ", "どう", "どんな", "どちら", "いくつ", "いくら", "する", "ある", "いる", "なる", "れる", "られる", "こと", "もの", "よう", "ため", "その", "この", "これ", "それ", "あの", "何人", "何回", "何隻", "何機", "何名", "何年", "何月", "何日", "何時", "いか", "同", "ら", "行う", "行く", "年", "月", "日", "など"]
)
_LATIN_Q = re.compile(r"[A-Za-z]")
_ORDINAL = re.compile(r"(?<![0-9])(\d{1,3})(st|nd|rd|th)\b", re.I)
_NAME_LATIN = re.compile(r"(?<![A-Za-z])(?:[A-Z][a-z]{2,}(?:[- ][A-Z][a-z]+)*|[A-Z]{2,6}(?![a-z]))")
_NAME_KANA = re.compile(r"[ァ-ヺー]{3,}")
_KANJI = re.compile(r"[\u3400-\u9fff]")
SYNONYM_WEIGHT = 0.7  # a glossary synonym in the question's own script, against the question's own word
DATE_TOKEN_WEIGHT = 0.3  # a word of a date expression: dates are scored apart (index.search.dates)


@dataclass
class QueryPlan:
    question: str
    concepts: list[QueryConcept]
    dense_text: str
    dates: QueryDates
    highlight_terms: list[str]
    answer_types: frozenset[str] = frozenset()
    names: tuple[tuple[str, ...], ...] = ()  # tokens of the words that look like names (see ``name_tokens``)
    latin: bool = False  # the question is written in Latin script (English)
    # the highlight spellings of each concept, with the concept: one question term, however spelt, counts
    # once when a sentence is weighed as the answer (see :func:`index.search.passages.answer_window`)
    term_groups: tuple[tuple[tuple[str, ...], QueryConcept], ...] = ()
    ordinals: tuple[int, ...] = ()  # the numbers of the question's ordinals (the 13th ship, 第55次): names too
    editions: tuple[int, ...] = ()  # the editions it names (Cope North 25): names too
    anchors: tuple[QueryConcept, ...] = ()  # the glossary's proper names it holds (MOD, the Defense Minister...)
    advice: bool = False  # it asks for advice or instructions (how do I..., a recipe), not about news


class Planner:
    """Turns a question into a :class:`QueryPlan` with one tokenizer, glossary and configuration."""

    def __init__(self, tokenizer: KeywordTokenizer, glossary: Glossary, config: SearchConfig,
                 katakana: Callable[[str], list[str]] | None = None) -> None:
        self.tokenizer = tokenizer
        self.glossary = glossary
        self.config = config
        self.katakana = katakana  # English word -> the corpus' katakana words that may write it

    def plan(self, question: str, today: date) -> QueryPlan:
        cfg = self.config
        hybrid = cfg.mode == "hybrid"
        qdates = QueryDates.parse(question, today)
        norm = unicodedata.normalize("NFKC", question)
        concepts: list[Concept] = []
        if cfg.glossary and hybrid:
            concepts = self.glossary.match(norm)
            concepts += romaji_concepts(norm, [(c.start, c.end) for c in concepts])
        out, groups = self._word_concepts(norm, concepts, qdates)
        if hybrid and self.katakana is not None and is_latin(question):
            out, groups = self._transcribed(norm, out, groups)
        for c in concepts:
            pairs = [(v, synonym_weight(c.spellings[0], sp)) for sp in c.spellings
                     if (v := tuple(self._spelling_tokens(sp)))]
            variants = tuple(v for v, _ in pairs)
            shown = tuple(s for s in c.spellings if not s.startswith(READING_MARK))
            concept = QueryConcept(variants or tuple((sp,) for sp in shown), c.weight,
                                   tuple(w for _, w in pairs) if variants else ())
            if variants:
                out.append(concept)
            if shown:
                groups.append((shown, concept))
        highlight = [t for spellings, _ in groups for t in spellings]
        if hybrid:
            out += self._ordinal_concepts(norm)
            for v in qdates.era_variants:
                toks = tuple(self.tokenizer.tokens(v))
                if toks:
                    out.append(QueryConcept((toks,), DATE_TOKEN_WEIGHT))
        dense_text = self._dense_text(question, concepts) if hybrid and cfg.expand_dense else question
        anchors = tuple(QueryConcept(v, c.weight) for c in concepts if c.source == "alias"
                        if (v := tuple(t for sp in c.spellings if (t := tuple(self._spelling_tokens(sp))))))
        return QueryPlan(question, merge_concepts(out), dense_text, qdates, list(dict.fromkeys(highlight)),
                         answer_types(norm), self.name_tokens(norm, qdates.spans_in(norm)), is_latin(question),
                         tuple(groups), ordinals=question_ordinals(norm, qdates.spans_in(norm)), anchors=anchors,
                         editions=question_editions(norm, qdates.spans_in(norm)), advice=asks_advice(norm))

    def name_tokens(self, norm: str, date_spans: list[tuple[int, int]] = ()) -> tuple[tuple[str, ...], ...]:
        """The tokens of the question's words that look like names: capitalised Latin words after the
        first word, and katakana words of three or more characters, outside date expressions (a missing
        name is a missing answer)."""
        # (the first word is capitalised as the sentence's first: lowered, so it neither counts nor takes the
        # name after it with it, "Which Australian")
        lowered = norm[:1].lower() + norm[1:]
        found = [m for m in _NAME_LATIN.finditer(lowered) if m.start() > 0 and norm[m.start() - 1] == " "]
        found += list(_NAME_KANA.finditer(norm))
        words = [m.group(0) for m in found if not any(s <= m.start() < e for s, e in date_spans)
                 and m.group(0).lower() not in self.glossary.home_spellings]
        names = [t for w in words if (t := tuple(x for x in self.tokenizer.tokens(w)
                                                 if not x.startswith(READING_MARK)))]
        # and the proper nouns of a Japanese question: the words the tokenizer gives a reading (小泉, 秋田, タイ)
        date_toks = {t for s, e in date_spans for t in self.tokenizer.tokens(norm[s:e])}
        toks = self.tokenizer.tokens(norm)
        for reading, word in itertools.pairwise(toks):
            if (reading.startswith(READING_MARK) and not word.startswith(READING_MARK) and word not in date_toks
                    and reading not in date_toks and word.lower() not in self.glossary.home_spellings
                    and not word.isascii()):
                names.append((word,))
        return tuple(dict.fromkeys(names))

    def _word_concepts(self, norm: str, concepts: list[Concept],
                       qdates: QueryDates) -> tuple[list[QueryConcept], list[tuple[tuple[str, ...], QueryConcept]]]:
        """The question's own words: tokens of glossary matches are left to their concepts, tokens of date
        expressions count little (dates are scored apart), a reading token pairs with the word it reads."""
        covered = {t for c in concepts for t in self.tokenizer.tokens(norm[c.start:c.end])}
        date_toks = {t for s, e in qdates.spans_in(norm) for t in self.tokenizer.tokens(norm[s:e])}
        toks = [t for t in self.tokenizer.tokens(norm) if t not in _JA_QUERY_STOP]
        out: list[QueryConcept] = []
        groups: list[tuple[tuple[str, ...], QueryConcept]] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            weight = DATE_TOKEN_WEIGHT if (nxt if t.startswith(READING_MARK) else t) in date_toks else 1.0
            if t.startswith(READING_MARK):
                if nxt is not None and nxt not in covered and not nxt.startswith(READING_MARK):
                    out.append(QueryConcept(((nxt,), (t,), *self._romanised(nxt, t)), weight))
                    groups.append(((nxt,), out[-1]))
                    i += 1
            elif t not in covered:
                out.append(QueryConcept(((t,),), weight))
                groups.append(((t,), out[-1]))
            i += 1
        return out, groups

    def _romanised(self, word: str, reading: str) -> list[tuple[str, ...]]:
        """A Japanese proper noun written in kanji (成田, 八戸, 朝霞) as English text spells it (narita,
        hachinohe, asaka): the Hepburn spellings of its own reading (the word alone: the compound's reading
        ~ナリタクウコウ is not the name's), of four letters or more. Katakana words are left to the
        glossary (ジブチ is Djibouti, not jibuchi)."""
        if not _KANJI.search(word):
            return []
        own = self.tokenizer.tokens(word)
        if own and own[0].startswith(READING_MARK):
            reading = own[0]
        kana = reading[len(READING_MARK):]
        spellings = dict.fromkeys(hepburn(kana, fold_long=fold) for fold in (True, False))  # Tokyo, Toukyou
        return [(t,) for r in spellings if len(r) >= 4 and r.isalpha() and (t := latin_token(r))]

    def _transcribed(self, norm: str, out: list[QueryConcept], groups: list[tuple[tuple[str, ...], QueryConcept]]
                     ) -> tuple[list[QueryConcept], list[tuple[tuple[str, ...], QueryConcept]]]:
        """An English question's capitalised words that the glossary does not know, also as the katakana words
        of the corpus that may write them (Resolute -> レゾリュート; see :mod:`index.text.transliterate`)."""
        names = {w.lower() for m in _NAME_LATIN.finditer(norm) for w in re.split(r"[- ]", m.group(0)) if len(w) >= 4}

        def word(c: QueryConcept) -> str | None:  # a concept of one of the question's own words
            return c.variants[0][0] if len(c.variants) == 1 and len(c.variants[0]) == 1 else None

        found = {w: kana for c in out if (w := word(c)) in names and (kana := self.katakana(w))}
        if not found:
            return out, groups

        def widen(c: QueryConcept) -> QueryConcept:
            kana = found.get(word(c) or "")
            return QueryConcept(((word(c),), *((k,) for k in kana)), c.weight) if kana else c

        return ([widen(c) for c in out], [((*sp, *found.get(word(c) or "", ())), widen(c)) for sp, c in groups])

    def _ordinal_concepts(self, norm: str) -> list[QueryConcept]:
        """The "11th" ship of a class is its 11番艦; the 10th talks are 第10回."""
        out = []
        for m in _ORDINAL.finditer(norm):
            n = m.group(1)
            variants = [(f"{n}{m.group(2).lower()}",),
                        *(tuple(self.tokenizer.tokens(v)) for v in (f"{n}番艦", f"第{n}"))]
            out.append(QueryConcept(tuple(v for v in variants if v), 1.0))
        return out

    @staticmethod
    def _dense_text(question: str, concepts: list[Concept]) -> str:
        """The question with the other language's names of its glossary terms, so that the dense query
        reaches articles written in that language (English question -> 防衛省; Japanese question -> MOD)."""
        if not concepts:
            return question
        latin_q = is_latin(question)
        extra = [sp for c in concepts if c.source != "romaji" for sp in c.spellings[1:]
                 if bool(_LATIN_Q.search(sp)) != latin_q and not sp.startswith(READING_MARK)]
        extra = list(dict.fromkeys(extra))[:8]
        return f"{question} ({' '.join(extra)})" if extra else question

    def _spelling_tokens(self, spelling: str) -> list[str]:
        if spelling.startswith(READING_MARK):
            return [spelling]
        toks = [t for t in self.tokenizer.tokens(spelling) if not t.startswith(READING_MARK)]
        if re.fullmatch(r"[ぁ-ゖァ-ヺー]+", spelling):  # kana: also its reading token (katakana)
            kata = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in spelling)
            toks = [*toks, READING_MARK + kata] if len(toks) != 1 else toks
        return toks


def synonym_weight(own: str, spelling: str) -> float:
    """How much a match on ``spelling`` counts for a glossary term the question wrote as ``own``: fully
    for its own word, its reading and its spellings in the other script (the only way across languages),
    ``SYNONYM_WEIGHT`` for another word in the same script (a text using the question's own word first)."""
    if spelling.lower() == own.lower() or spelling.startswith(READING_MARK):
        return 1.0
    return SYNONYM_WEIGHT if is_latin(spelling) == is_latin(own) else 1.0


def is_latin(question: str) -> bool:
    """Mostly Latin letters (an English question)."""
    return len(_LATIN_Q.findall(question)) * 2 > len(question.replace(" ", ""))


def merge_concepts(concepts: list[QueryConcept]) -> list[QueryConcept]:
    """Drop repeated concepts (same spellings), keeping the highest weight."""
    best: dict[tuple, QueryConcept] = {}
    for c in concepts:
        key = tuple(sorted(c.variants))
        if key not in best or best[key].weight < c.weight:
            best[key] = c
    return list(best.values())

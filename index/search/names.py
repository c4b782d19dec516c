"""The names of a question that an article must hold.

A question that names a country, a unit, a ship or a person ("the Australian Chief of Army", "the Otsuki
forest fire") is about that one; an article about another country's chief matches every other word and
is still not the answer. The names are the question's capitalised and katakana words (``QueryPlan.names``)
through the concepts that spell them (glossary spellings in both languages, romaji readings); a name
counts only when the corpus knows it (a name no article holds is the confidence's concern) and only
against an article written in a script one of its spellings can appear in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..store.keyword import BM25Index, QueryConcept
from ..text.tokenize import READING_MARK
from .plan import QueryPlan

CONTENT_WEIGHT = 0.6
LANGUAGE_CHARS = 200  # an article's language: that of its title and the start of its body
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def name_concepts(plan: QueryPlan, bm25: BM25Index | None) -> list[QueryConcept]:
    """The question's content concepts that spell one of its names and that the corpus knows (all of them,
    known or not, without ``bm25``)."""
    tokens = {t for name in plan.names for t in name}
    return [c for c in plan.concepts
            if c.weight >= CONTENT_WEIGHT and any(t in tokens for v in c.variants for t in v)
            and (bm25 is None or bm25.concept_seen(c))]


def proper(concept: QueryConcept) -> bool:
    """A name for certain: the tokenizer reads it as a proper noun (or it is a romanised one, with its
    kana readings), or the glossary spells it in both languages (a country, a place, a body) - not a
    katakana loanword (トップ, ドローン) nor a capitalised common word."""
    if any(v and v[0].startswith(READING_MARK) for v in concept.variants):
        return True
    kinds = {is_japanese("".join(v)) for v in concept.variants}
    return kinds == {True, False}


def missing_share(concepts: Sequence[QueryConcept], bm25: BM25Index, rows: np.ndarray, japanese: bool) -> float:
    """The share of ``concepts`` that the article (its chunk ``rows``) could spell, in its script, and does
    not hold (0 when it could spell none)."""
    spellable = []
    for c in concepts:
        kept = [(v, c.variant_weight(i)) for i, v in enumerate(c.variants) if is_japanese("".join(v)) == japanese]
        if kept:
            spellable.append(QueryConcept(tuple(v for v, _ in kept), c.weight, tuple(w for _, w in kept)))
    if not spellable:
        return 0.0
    held = bm25.concept_held(spellable, rows).any(axis=1)
    return float((~held).sum()) / len(spellable)


def article_is_japanese(article) -> bool:
    """An article's language: that of its title and the start of its body (Japanese or not)."""
    return is_japanese(article.title + article.body[:LANGUAGE_CHARS])


def is_japanese(text: str) -> bool:
    """Mostly Japanese script (a reading token ``~カナ`` counts as Japanese)."""
    letters = sum(1 for ch in text if ch.isalpha())
    return letters > 0 and len(_CJK.findall(text)) * 5 >= letters

"""English for Japanese articles, built only from what the articles hold: the English names and readings
they give in parentheses, SudachiPy readings romanised (Hepburn), the reviewed vocabulary of
``index/text/glossary.toml`` (``[[render]]`` and ``[[verb]]``), the dates the index resolves and the
article's own figures. No translation model: a sentence whose structure the rules recover becomes an
English sentence, any other a term-by-term gloss marked ``[gloss]``; nothing is added that the article does
not say.

Modules, in the order text flows through them: :mod:`.romaji`, :mod:`.numbers`, :mod:`.names`,
:mod:`.vocab`, :mod:`.segment`, :mod:`.phrases`, :mod:`.clauses`, :mod:`.render`, :mod:`.article`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from ...models import Article
from .article import ArticleEnglish, SentenceEn, answer_line, english_for
from .render import GLOSS, is_english

__all__ = ["GLOSS", "ArticleEnglish", "SentenceEn", "answer_en", "answer_line", "english_for", "is_english",
           "title_en"]


@lru_cache(maxsize=512)
def _cached(article: Article) -> ArticleEnglish:
    return english_for(article)


def title_en(article: Article) -> str:
    """The article's title in English (the title itself when it is English)."""
    return _cached(article).title_en


def answer_en(passage: str, article: Article, answer_types: Iterable[str] = (), terms: Iterable[str] = ()) -> str:
    """One or two English sentences saying what ``passage`` (a span of the article's body) says in answer to a
    question asking for ``answer_types`` (who, when, where, count) with the words ``terms``."""
    return answer_line(_cached(article), article, passage, answer_types, terms)

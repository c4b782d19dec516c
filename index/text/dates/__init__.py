"""Dates in article text and in questions (Japanese and English), resolved to :class:`DateSpan`.

Pure functions, stdlib only. One module per job, in the order text flows through them:

* :mod:`.lexicon`: normalisation (1:1, offsets are kept), the date patterns and the relative-word tables;
* :mod:`.lexer`: regex matches -> parts (年 + 月 + 日 merged into one expression);
* :mod:`.periods`: calendar arithmetic (eras, fiscal years, month ends, the span of a year or month);
* :mod:`.resolver`: parts -> spans, in reading order, against a publication date (the rules);
* :mod:`.article`: :func:`find_dates` and :class:`DateMention` for article passages;
* :mod:`.question`: :func:`parse_question_dates`, :class:`QueryDate`, :class:`QueryDates` and
  :func:`era_variants` for questions.

Scoring the chunks of an index against a question's dates is the search stage's job
(:mod:`index.search.dates`).
"""

from .article import DateMention, find_dates
from .question import QueryDate, QueryDates, era_variants, parse_question_dates

__all__ = ["DateMention", "QueryDate", "QueryDates", "era_variants", "find_dates", "parse_question_dates"]

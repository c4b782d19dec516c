"""The dates each chunk of an article talks about."""

from __future__ import annotations

from dataclasses import replace

from ..models import Article, Chunk
from ..store.headlines import headline_dates
from ..text.dates.article import find_dates


def annotate_dates(article: Article, chunks: list[Chunk]) -> list[Chunk]:
    """Attach the dates each chunk talks about (resolved against the article's published date).

    Dates are found in the whole body (so 同日/翌日 resolve across sentences) and assigned to the chunks
    that contain them. A chunk without a date of its own inherits the article's first date (the lead
    usually names the event day) so that date questions still reach it.
    """
    mentions = find_dates(article.body, article.published)
    lead = [m.span for m in mentions[:1]] or list(headline_dates(article))
    out = []
    for c in chunks:
        own = tuple(dict.fromkeys(m.span for m in mentions if c.start <= m.start < c.end))
        out.append(replace(c, dates=own or tuple(lead)))
    return out

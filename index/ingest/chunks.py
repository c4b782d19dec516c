"""Articles to chunks: each article cut into passages, each passage with the dates it talks about, and
the text that is embedded for it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from ..models import Article, Chunk
from ..store.headlines import headline_dates
from ..text.chunking import ChunkerConfig, chunk_article, embedding_text
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


def chunk_all(articles: Sequence[Article], chunker: ChunkerConfig,
              progress: Callable[[str, int, int], None]) -> tuple[list[Chunk], list[str]]:
    """The chunks of ``articles`` in order (FAISS row order) and the text to embed for each."""
    chunks: list[Chunk] = []
    texts: list[str] = []
    for i, art in enumerate(articles):
        for c in annotate_dates(art, chunk_article(art, chunker)):
            chunks.append(c)
            texts.append(embedding_text(art.title, c.text))
        if i % 200 == 0 or i == len(articles) - 1:
            progress("chunk", i + 1, len(articles))
    return chunks, texts

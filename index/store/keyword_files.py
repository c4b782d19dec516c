"""The keyword index of a generation: built over each chunk's article title and text, persisted as the
generation's ``keywords.npz`` blob (no pickle: arrays and a JSON vocabulary), loaded back or built anew."""

from __future__ import annotations

import logging

from ..models import Article, Chunk
from ..text.tokenize import KeywordTokenizer
from .keyword import BM25Index
from .protocol import StoredGeneration

log = logging.getLogger(__name__)

KEYWORD_FILE = "keywords.npz"


def keyword_text(title: str, chunk_text: str) -> str:
    """What the keyword index reads of a chunk: its article's title and its text."""
    return title + "\n" + chunk_text


def build_keyword_index(articles: dict[str, Article], chunks: list[Chunk],
                        tokenizer: KeywordTokenizer | None = None) -> BM25Index:
    """BM25 over each chunk's article title and text, in chunk (FAISS row) order."""
    tokenizer = tokenizer or KeywordTokenizer()
    return BM25Index.build(
        (tokenizer.tokens(keyword_text(articles[c.article_id].title, c.text)) for c in chunks),
        tokenizer=tokenizer.name
    )


def keyword_index_file(articles: list[Article], chunks: list[Chunk]) -> tuple[str, bytes]:
    """(file name, bytes) of the keyword index for ``NewGeneration.extra_files``, so that loading a
    generation does not tokenise the corpus again."""
    return KEYWORD_FILE, build_keyword_index({a.id: a for a in articles}, chunks).to_bytes()


def load_keyword_index(gen: StoredGeneration, articles: dict[str, Article], chunks: list[Chunk],
                       tokenizer: KeywordTokenizer) -> BM25Index:
    """The generation's persisted keyword index (its ``keywords.npz`` blob) when it matches this
    tokenizer, else built now."""
    data = gen.blob(KEYWORD_FILE)
    if data is not None:
        try:
            idx = BM25Index.from_bytes(data)
            if idx.tokenizer == tokenizer.name and idx.n_docs == len(chunks):
                return idx
            log.info("keyword index of generation %s is for another tokenizer; rebuilding it", gen.id)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("cannot read the keyword index of generation %s (%s); rebuilding it", gen.id, exc)
    return build_keyword_index(articles, chunks, tokenizer)

"""Japanese-aware chunking: sentences (。！？!? and line breaks) packed into paragraph-respecting chunks.

Each chunk carries its article id, ordinal and character offsets into the article body, so that
``body[chunk.start:chunk.end] == chunk.text``. Long paragraphs are split at sentence boundaries with a
one-sentence overlap; short paragraphs (headings, one-liners) are merged with their neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import Article, Chunk

# A sentence ends after 。！？!? (plus closing brackets/quotes), or at a line break.
_SENTENCE_END = re.compile(r"(?<=[。！？!?])[」』）)\"']*|\n")
# English-style sentence end: ". " followed by an upper-case letter or a digit.
_EN_SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z0-9\"(])")
# A short paragraph that closes a section rather than opening one.
_CLOSER = re.compile(r"(?:[。.!?！？]|[(（]?以上[)）]?)\s*$")


@dataclass(frozen=True)
class ChunkerConfig:
    max_chars: int = 320
    min_chars: int = 80  # paragraphs shorter than this are merged with the next one
    overlap_sentences: int = 1

    def __post_init__(self) -> None:
        if not 20 <= self.max_chars <= 10_000:
            raise ValueError("max_chars must be between 20 and 10000")
        if not 0 <= self.min_chars <= self.max_chars:
            raise ValueError("min_chars must be between 0 and max_chars")


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences in ``text`` (shifted by ``offset``), whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    cuts = sorted({m.end() for m in _SENTENCE_END.finditer(text)} | {m.start() for m in _EN_SENTENCE_END.finditer(text)})
    for cut in [*cuts, len(text)]:
        if cut <= pos:
            continue
        seg = text[pos:cut]
        lstrip = len(seg) - len(seg.lstrip())
        rstrip = len(seg) - len(seg.rstrip())
        if seg.strip():
            spans.append((offset + pos + lstrip, offset + cut - rstrip))
        pos = cut
    return spans


def _hard_split(start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """A sentence longer than max_chars: cut at commas (、,) near the limit, else at max_chars."""
    return [(s, min(s + max_chars, end)) for s in range(start, end, max_chars)]


def _paragraph_spans(body: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]*)*", body):
        if m.group().strip():
            spans.append((m.start(), m.end()))
    return spans


def chunk_spans(body: str, config: ChunkerConfig = ChunkerConfig()) -> list[tuple[int, int]]:
    """Character spans of the chunks of ``body``."""
    # 1. group paragraphs: a short heading-like paragraph joins the next one; a short closing one
    #    ("(以上)", a one-sentence coda) joins the previous one; long ones stand alone.
    groups: list[list[tuple[int, int]]] = []
    open_heading = False
    for ps, pe in _paragraph_spans(body):
        short = pe - ps < config.min_chars
        closer = short and bool(_CLOSER.search(body[ps:pe]))
        fits = bool(groups) and pe - groups[-1][0][0] <= config.max_chars
        if fits and (open_heading or closer):
            groups[-1].append((ps, pe))
            open_heading = open_heading and short and not closer
            continue
        groups.append([(ps, pe)])
        open_heading = short and not closer

    # 2. within each group, pack sentences up to max_chars with overlap.
    out: list[tuple[int, int]] = []
    for group in groups:
        start, end = group[0][0], group[-1][1]
        if end - start <= config.max_chars:
            out.append((start, end))
            continue
        sentences: list[tuple[int, int]] = []
        for ps, pe in group:
            for s, e in split_sentences(body[ps:pe], ps):
                sentences.extend(_hard_split(s, e, config.max_chars) if e - s > config.max_chars else [(s, e)])
        i = 0
        while i < len(sentences):
            j = i
            while j + 1 < len(sentences) and sentences[j + 1][1] - sentences[i][0] <= config.max_chars:
                j += 1
            out.append((sentences[i][0], sentences[j][1]))
            if j + 1 >= len(sentences):
                break
            i = max(i + 1, j + 1 - config.overlap_sentences)
    return out


def chunk_article(article: Article, config: ChunkerConfig = ChunkerConfig()) -> list[Chunk]:
    """The article's chunks, ordinals from 0, with offsets into ``article.body``."""
    return [
        Chunk(article_id=article.id, ordinal=i, start=s, end=e, text=article.body[s:e])
        for i, (s, e) in enumerate(chunk_spans(article.body, config))
    ]


def embedding_text(title: str, chunk_text: str) -> str:
    """What is embedded for a chunk: the article title travels with every chunk."""
    return f"{title}\n{chunk_text}"

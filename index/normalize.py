"""Text normalisation shared by ingest, chunking and search."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_BLANKS = re.compile(r"\n\s*\n+")


_SURROGATES = re.compile(r"[\ud800-\udfff]")


def scrub_surrogates(text: str) -> str:
    """Lone surrogates (from undecodable bytes or cut emoji) cannot be encoded: replace them with U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


def normalize_inline(text: str) -> str:
    """NFKC (full-width digits and Latin to ASCII), control characters dropped, runs of spaces folded."""
    text = unicodedata.normalize("NFKC", scrub_surrogates(text))
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def normalize_body(text: str) -> str:
    """Normalise a body: paragraphs separated by exactly one blank line, lines trimmed.

    Single line breaks inside a paragraph are kept (they are sentence boundaries in scraped text).
    """
    text = unicodedata.normalize("NFKC", scrub_surrogates(text).replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    paragraphs = []
    for para in _BLANKS.split(text):
        lines = [_SPACES.sub(" ", ln).strip() for ln in para.split("\n")]
        lines = [ln for ln in lines if ln]
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)

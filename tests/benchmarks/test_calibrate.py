"""The calibration's own question sets: well-formed, routed to their corpus, reported by kind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks import calibrate
from benchmarks.retrieval import load_questions

DEV = Path("/work/shared/eval")
KINDS = {"date_shift", "detail", "entity_swap", "missing_event"}


def _bodies(paths: list[Path]) -> dict[str, str]:
    return {a["url"]: a["body"] for p in paths for a in load_questions(p)}


def _corpus(name: str) -> dict[str, str]:
    if name == "sample":
        return _bodies([calibrate.SAMPLE / "articles.jsonl"])
    paths = [DEV / "dev" / "articles.jsonl", *sorted((DEV / "dev-distractors").glob("*.jsonl"))]
    if not paths[0].is_file():
        pytest.skip("the dev corpus is not on this machine")
    return _bodies(paths)


def _own() -> list[dict]:
    return [q for p in calibrate.OWN for q in load_questions(p)]


def test_own_questions_are_well_formed():
    qs = _own()
    assert len({q["id"] for q in qs}) == len(qs)
    assert len({q["question"] for q in qs}) == len(qs)
    for q in qs:
        assert q["corpus"] in {"dev", "sample"} and q["lang"] in {"en", "ja"}, q["id"]
        if "unanswerable" in q["kinds"]:
            assert not q["expected_urls"] and not q["evidence"], q["id"]
            assert len(KINDS & set(q["kinds"])) == 1, q["id"]
        else:
            assert len(q["expected_urls"]) == 1 and q["evidence"], q["id"]


@pytest.mark.parametrize("corpus", ["sample", "dev"])
def test_own_answerable_evidence_is_in_the_expected_article(corpus):
    bodies = _corpus(corpus)
    asked = [q for q in _own() if q["corpus"] == corpus and q["expected_urls"]]
    assert asked
    for q in asked:
        url = q["expected_urls"][0]
        assert q["evidence"] in bodies[url], q["id"]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_question_sets_route_own_questions_to_their_corpus(tmp_path):
    set_dir = tmp_path / "set"
    set_dir.mkdir()
    _write(set_dir / "questions.jsonl", [{"id": "s-1", "question": "q", "kinds": ["who"], "expected_urls": ["u"]}])
    own = _write(tmp_path / "own.jsonl", [
        {"id": "o-1", "question": "a", "kinds": ["unanswerable", "detail"], "expected_urls": [], "corpus": "dev"},
        {"id": "o-2", "question": "b", "kinds": ["unanswerable", "detail"], "expected_urls": [], "corpus": "sample"},
    ])
    sets = {g: (qs, mine) for g, _, qs, mine in calibrate.question_sets(set_dir, [], [own])}
    assert [q["id"] for q in sets["dev"][0]] == ["s-1"]
    assert [q["id"] for q in sets["dev"][1]] == ["o-1"]
    assert [q["id"] for q in sets["sample"][1]] == ["o-2"]
    without = {g: mine for g, _, _, mine in calibrate.question_sets(set_dir, [], [])}
    assert without["dev"] == []
    bad = _write(tmp_path / "bad.jsonl", [{"id": "x", "question": "c", "kinds": [], "expected_urls": [], "corpus": "jsquad"}])
    with pytest.raises(SystemExit):
        calibrate.question_sets(set_dir, [], [bad])


def _row(rid: str, kinds: list[str], answerable: bool = False, cover: float = 1.0) -> dict:
    return {"id": rid, "question": rid, "kinds": kinds, "answerable": answerable, "label": int(answerable),
            "date_ok": True, "cover": cover, "off_topic": False, "offtopic_q": "offtopic" in kinds}


def test_report_counts_unanswerable_flagged_by_kind():
    rows = [_row("a", ["unanswerable", "detail"]), _row("b", ["unanswerable", "detail"]),
            _row("c", ["unanswerable", "date_shift"]), _row("d", ["unanswerable", "date"]),
            _row("e-swap", ["unanswerable", "swap"]), _row("f", ["unanswerable", "offtopic"]),
            _row("g", ["who"], answerable=True)]
    p = np.asarray([0.9, 0.1, 0.1, 0.9, 0.1, 0.1, 0.9])
    out = calibrate.report(rows, p, 0.5, 0.3)
    assert out["unanswerable flagged by kind"] == "date_shift 1/1, detail 1/2, other 0/1, swap 1/1"
    assert out["unanswerable flagged"] == (0.5, 4)
    assert [line.split()[3] for line in calibrate.confident_misses(rows, p, 0.5, 0.3)] == ["a", "d"]


def test_the_coverage_needed_is_chosen_on_the_out_of_fold_figures():
    # an off-topic question covered little but scored high: only a coverage gate above 0.2 flags it; a right
    # answer covered 0.45: a gate above that loses it; an unanswerable one covered 0.35 is flagged from 0.4
    rows = [_row("off", ["offtopic"], cover=0.2), _row("right", ["who"], answerable=True, cover=0.45),
            _row("una", ["unanswerable", "detail"], cover=0.35), _row("right2", ["who"], answerable=True)]
    p = np.asarray([0.9, 0.9, 0.9, 0.9])
    assert calibrate.choose_gates(rows, p, 0.5)[0] == 0.4  # off-topic flagged, both right ones kept, una flagged
    assert calibrate.report(rows, p, 0.5, 0.4)["unanswerable flagged"] == (1.0, 1)
    assert calibrate.report(rows, p, 0.5, 0.5)["answerable confident (top hit right)"] == (0.5, 2)


def test_the_unseen_share_and_the_nearness_are_chosen_with_the_coverage():
    # an off-topic question fully covered by the one word of it the corpus knows, but mostly words no article
    # uses; another that stands nearer nothing than two random chunks do; the right answers are neither
    rows = [{**_row("off-unseen", ["offtopic"]), "unseen": 0.62, "dense_rel": 0.3},
            {**_row("off-far", ["offtopic"]), "unseen": 0.0, "dense_rel": -0.2},
            {**_row("right", ["who"], answerable=True), "unseen": 0.45, "dense_rel": 0.04},
            {**_row("right2", ["who"], answerable=True), "unseen": 0.0, "dense_rel": 0.5}]
    p = np.asarray([0.9, 0.9, 0.9, 0.9])
    mc, mu, mr = calibrate.choose_gates(rows, p, 0.5)
    assert (mu, mr) == (0.5, 0.0)  # the strictest that keep both right answers and flag both off-topic ones
    assert calibrate.report(rows, p, 0.5, mc, mu, mr)["off-topic flagged"] == (1.0, 2)
    assert calibrate.report(rows, p, 0.5, mc, mu, mr)["answerable confident (top hit right)"] == (1.0, 2)

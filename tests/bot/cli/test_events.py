"""`defnews events`: the console script run for real as a subprocess, on the bundled sample corpus."""

from __future__ import annotations

import json

from .console import assert_one_line_error, run

KEYS = {"type", "date", "end_date", "actors", "place", "place_en", "summary_en", "url", "title", "chunk_id"}
ACTOR_KEYS = {"name", "name_en", "role_en", "country"}


def test_july_json_holds_the_courtesy_call_on_the_defense_minister(tmp_path):
    idx = tmp_path / "idx"
    out = json.loads(run("events", "--since", "2025-07-01", "--until", "2025-07-31", "--json", index_dir=idx).stdout)
    assert set(out) == {"events"} and out["events"]
    for e in out["events"]:
        assert set(e) == KEYS and all(set(a) == ACTOR_KEYS for a in e["actors"])
        assert (e["end_date"] or e["date"]) >= "2025-07-01" and e["date"] <= "2025-07-31"
    calls = [e for e in out["events"] if e["type"] == "courtesy_call" and e["date"] == "2025-07-04"]
    assert len(calls) == 1 and "khare" in calls[0]["url"]
    assert {"Atul Khare", "Nakatani Gen"} <= {a["name_en"] for a in calls[0]["actors"]}
    only = json.loads(run("events", "--since", "2025-07-01", "--until", "2025-07-31", "--type", "courtesy_call",
                          "--json", index_dir=idx).stdout)["events"]
    assert calls[0] in only and {e["type"] for e in only} == {"courtesy_call"}


def test_text_listing_and_bad_options(tmp_path):
    idx = tmp_path / "idx"
    text = run("events", "--since", "2025-07-04", "--until", "2025-07-04", "--type", "courtesy call",
               index_dir=idx).stdout
    lines = text.splitlines()
    assert lines[0] == "1 event (2025-07-04 – 2025-07-04 · Courtesy call):"
    assert lines[2].startswith("2025-07-04 · Courtesy call")
    assert "Atul Khare" in lines[3] and lines[-1].endswith("/un-operational-support-usg-khare-visit")
    line = assert_one_line_error(run("events", "--type", "party", index_dir=idx, check=False))
    assert "unknown event type 'party'" in line
    line = assert_one_line_error(run("events", "--since", "2025-08-01", "--until", "2025-07-01", index_dir=idx,
                                     check=False))
    assert "after" in line

"""Event questions through the service, on the bundled sample corpus: the event answers (its article first,
its sentence as the evidence, its row in the JSON), and a question no event matches is searched as before."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from index.embedding.fake import HashEmbedder
from index.models import Query
from index.search.events import EventRows
from index.service import IndexService
from index.sources.config import default_sources

TODAY = date(2025, 10, 1)
KHARE_URL = "https://defnews-sample.example.jp/articles/2025/07/un-operational-support-usg-khare-visit"
EVENT_KEYS = {"type", "date", "end_date", "actors", "place", "place_en", "summary_en", "url", "title", "chunk_id"}
RESULT_KEYS = {"url", "title", "published", "section", "passage", "score", "chunk_id", "highlights", "context",
               "title_en", "answer_en"}


@pytest.fixture(scope="module")
def service(sample_index: Path, sample_dir: Path) -> IndexService:
    return IndexService(sample_index, HashEmbedder(256), default_sources(sample_dir))


def ask(service: IndexService, question: str, k: int = 5):
    return service.search(Query(question, k=k, today=TODAY))


def test_who_visited_mod_on_july_4_is_khares_courtesy_call(service):
    ans = ask(service, "who visited MOD on July 4")
    top = ans.hits[0]
    assert ans.confident and top.url == KHARE_URL
    assert top.event is not None and top.event.type == "courtesy_call" and top.event.date == date(2025, 7, 4)
    assert "アトゥル・カレ" in top.passage and "防衛省を訪れて" in top.passage  # the evidence, as the article says it
    assert top.passage in service.searcher.articles[top.article_id].body
    assert "Khare" in top.answer_en and "4 July 2025" in top.answer_en and "courtesy call" in top.answer_en
    first = ans.to_json()["results"][0]
    assert set(first) == RESULT_KEYS | {"event"}  # the existing keys unchanged, "event" added
    assert set(first["event"]) == EVENT_KEYS and first["event"]["date"] == "2025-07-04"
    assert first["event"]["chunk_id"] == first["chunk_id"]
    assert {a["name_en"] for a in first["event"]["actors"]} >= {"Atul Khare", "Nakatani Gen"}
    assert all("event" not in r for r in ans.to_json()["results"][1:])  # no other visit of MOD on a 4 July


def test_the_same_question_in_japanese(service):
    ans = ask(service, "7月4日に防衛省を訪れたのは誰?")
    assert ans.hits[0].url == KHARE_URL and ans.hits[0].event is not None


def test_a_month_lists_every_matching_event_first(service):
    ans = ask(service, "who visited MOD in July 2025")
    events = [h.event for h in ans.hits if h.event is not None]
    assert len(events) >= 2 and all(h.event is not None for h in ans.hits[: len(events)])
    assert all(e.date and e.date.year == 2025 and e.date.month == 7 for e in events)
    assert KHARE_URL in {e.url for e in events}
    assert len({h.url for h in ans.hits}) == len(ans.hits)  # one result per article still


def test_a_day_without_events_falls_back_to_the_search(service):
    searcher = service.searcher
    ans = ask(service, "who visited MOD on July 5")
    assert all(h.event is None for h in ans.hits) and "event" not in ans.info
    assert all("event" not in r for r in ans.to_json()["results"])
    rows = searcher.event_rows
    try:
        searcher.event_rows = EventRows()  # the same search with no events table at all
        searcher.event_rows.rows(list)
        plain = ask(service, "who visited MOD on July 5")
    finally:
        searcher.event_rows = rows
    assert [(h.url, h.passage, h.answer_en) for h in ans.hits] == [(h.url, h.passage, h.answer_en) for h in plain.hits]
    assert ans.confident == plain.confident


def test_the_service_lists_the_events_the_searcher_answers_from(service):
    assert service.events() == service.searcher.events()
    assert any(e.url == KHARE_URL and e.type == "courtesy_call" for e in service.events(date(2025, 7, 1),
                                                                                      date(2025, 7, 31)))


def test_a_searcher_that_answered_an_event_question_is_freed_when_let_go(sample_index: Path):
    """No reference cycle through the event rows: a generation a reader lets go is released at once (shared
    stores prune the generations no reader holds)."""
    import gc
    import weakref

    from index.search.searcher import Searcher

    gc.disable()
    try:
        s = Searcher.load(sample_index, HashEmbedder(256))
        assert s.search(Query("who visited MOD on July 4", today=TODAY)).hits[0].event is not None
        ref = weakref.ref(s)
        del s
        assert ref() is None
    finally:
        gc.enable()

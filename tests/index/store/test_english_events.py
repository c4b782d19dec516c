"""english.json and events.json in a generation: written at ingest, used by search and IndexService.events,
and computed when an older generation has neither."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.embedding.fake import HashEmbedder
from index.errors import InvalidQueryError
from index.models import Query
from index.service import IndexService
from index.sources.config import SourcesConfig
from index.sources.formats import parse_jsonl_file
from index.store.english import ENGLISH_FILE, load_english
from index.store.events import EVENTS_FILE
from index.store.generation import Generation, NewGeneration, current_generation, write_generation
from index.text.chunking import ChunkerConfig, chunk_article

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "bot" / "data" / "sample" / "articles.jsonl"
EMB = HashEmbedder(64)
JULY_4 = "https://defnews-sample.example.jp/articles/2025/07/un-operational-support-usg-khare-visit"


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> IndexService:
    svc = IndexService(tmp_path_factory.mktemp("idx"), EMB, SourcesConfig([]))
    svc.ingest_paths([SAMPLE])
    return svc


def test_ingest_writes_english_and_events(service):
    gen = current_generation(service.index_dir)
    english = json.loads((gen / ENGLISH_FILE).read_text("utf-8"))
    assert len(english) == 26 and all(v["title_en"] for v in english.values())
    events = json.loads((gen / EVENTS_FILE).read_text("utf-8"))["events"]
    assert any(e["type"] == "courtesy_call" and e["date"] == "2025-07-04" and e["url"] == JULY_4 for e in events)


def test_every_result_carries_title_en_and_answer_en(service):
    ans = service.search(Query("Who visited MOD on July 4?", k=5, today=date(2025, 8, 1)))
    results = ans.to_json()["results"]
    for r in results:
        assert {"url", "title", "passage", "chunk_id", "title_en", "answer_en"} <= set(r)
    top = next(r for r in results if r["url"] == JULY_4)
    assert "Khare" in top["answer_en"] and "4 July 2025" in top["answer_en"]
    assert "Khare" in top["title_en"]


def test_digest_titles_in_english(service):
    arts = service.articles_between(None)
    assert arts and all(service.title_en(a) for a in arts)
    khare = next(a for a in arts if a.url == JULY_4)
    assert "Khare" in service.title_en(khare)


def test_events_filters(service):
    july = service.events(since=date(2025, 7, 1), until=date(2025, 7, 31))
    assert july and all(e.date and date(2025, 7, 1) <= (e.end_date or e.date) and e.date <= date(2025, 7, 31)
                        for e in july)
    calls = service.events(since=date(2025, 7, 1), until=date(2025, 7, 31), type="courtesy_call")
    assert {e.type for e in calls} == {"courtesy_call"}
    assert any(e.url == JULY_4 and e.date == date(2025, 7, 4) for e in calls)
    with pytest.raises(InvalidQueryError):
        service.events(type="party")


def test_a_generation_without_the_files_still_serves_them(tmp_path):
    arts = parse_jsonl_file(SAMPLE).articles[:3]
    chunks = [c for a in arts for c in chunk_article(a, ChunkerConfig())]
    vectors = np.asarray(EMB.embed_passages([c.text for c in chunks]), np.float32)
    write_generation(tmp_path, NewGeneration(arts, chunks, vectors, EMB.model_id))
    gen = Generation.open(tmp_path, model_id=EMB.model_id)
    assert not (gen.path / ENGLISH_FILE).exists() and not (gen.path / EVENTS_FILE).exists()
    english = load_english(gen)
    assert english.title_en(arts[0]) and "Khare" in english.title_en(arts[0])
    svc = IndexService(tmp_path, EMB, SourcesConfig([]))
    assert any(e.type == "courtesy_call" and e.date == date(2025, 7, 4) for e in svc.events())
    gen.close()

"""Events extracted from articles: type, dates, actors with English names and posts, place, passage."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from index.models import Article, Event
from index.sources.formats import parse_jsonl_file
from index.store.events import article_events, select_events
from index.text.chunking import ChunkerConfig, chunk_article
from index.text.english import english_for
from index.text.events import extract_events

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "bot" / "data" / "sample" / "articles.jsonl"


def art(title: str, body: str, url: str = "https://example.jp/e", published: str = "2024-11-14T10:00:00+09:00"):
    return Article(url=url, title=title, published=datetime.fromisoformat(published), body=body)


def events_of(a: Article) -> dict[str, Event]:
    return {e.type: e for e in extract_events(a, chunk_article(a, ChunkerConfig()), english_for(a))}


def test_courtesy_call_with_english_names_posts_and_date():
    a = art("豪陸軍本部長が中谷防衛大臣を表敬(11月12日)",
            "防衛省は令和6(2024)年11月12日(火)、来日中のオーストラリア陸軍本部長ダミアン・ホルト中将(Lieutenant "
            "General Damian Holt, Chief of Army)が同日午後、中谷 元(なかたに・げん)防衛大臣を表敬したと発表した。\n\n"
            "ホルト本部長は翌13日、朝霞駐屯地を訪れ、説明を受けた。")
    evs = events_of(a)
    call = evs["courtesy_call"]
    assert call.date == date(2024, 11, 12) and call.end_date is None
    names = {x.name_en: x for x in call.actors}
    assert names["Damian Holt"].role_en == "Chief of Army" and names["Damian Holt"].country == "Australia"
    assert names["Nakatani Gen"].role_en == "Defense Minister" and names["Nakatani Gen"].country == "Japan"
    assert call.url == a.url and call.chunk_id.startswith(a.id)
    visit = evs["visit"]
    assert visit.date == date(2024, 11, 13) and visit.place_en == "Camp Asaka"


def test_exercise_period_and_launch():
    ex = art("日米共同訓練を開始(7月28日)",
             "陸上自衛隊と米海兵隊は令和6(2024)年7月28日(日)から8月7日までの日程で共同訓練を開始した。",
             published="2024-07-30T09:00:00+09:00")
    e = events_of(ex)["exercise"]
    assert (e.date, e.end_date) == (date(2024, 7, 28), date(2024, 8, 7))
    launch = art("護衛艦「たかせ」が進水", "防衛省は令和6(2024)年6月25日(火)、「たかせ」の命名・進水式を行った。",
                 published="2024-06-27T10:00:00+09:00")
    assert events_of(launch)["launch"].date == date(2024, 6, 25)


def test_nothing_from_an_article_without_events():
    a = art("防衛白書", "防衛省は、安全保障環境が厳しさを増しているとの認識を示した。")
    assert events_of(a) == {}


def test_json_has_exactly_the_issue_keys():
    a = art("X", "令和6(2024)年11月12日(火)、中谷 元(なかたに・げん)防衛大臣を表敬した。")
    d = events_of(a)["courtesy_call"].to_json()
    assert list(d) == ["type", "date", "end_date", "actors", "place", "place_en", "summary_en", "url", "title",
                       "chunk_id"]
    assert set(d["actors"][0]) == {"name", "name_en", "role_en", "country"}
    assert Event.from_json(d) == events_of(a)["courtesy_call"]


def test_sample_corpus_holds_the_un_officials_courtesy_call_on_4_july_2025():
    arts = parse_jsonl_file(SAMPLE).articles
    chunks = [c for a in arts for c in chunk_article(a, ChunkerConfig())]
    july = select_events(article_events(arts, chunks), date(2025, 7, 1), date(2025, 7, 31))
    calls = [e for e in july if e.type == "courtesy_call" and e.date == date(2025, 7, 4)]
    assert calls, [(e.type, e.date) for e in july]
    assert any(x.name_en == "Atul Khare" for x in calls[0].actors)
    assert any(x.name_en == "Nakatani Gen" for x in calls[0].actors)
    assert select_events(july, type="courtesy_call") and not select_events(july, type="launch", until=date(2025, 7, 1))

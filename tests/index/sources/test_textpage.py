"""Saved article pages (plain text): title, section, date, body; site furniture is not indexed."""

from __future__ import annotations

from index.sources.textpage import parse_saved_page


def test_saved_page_with_a_huge_blank_preamble_and_many_bullets():
    page = "\n" * 200_000 + "URL: https://news.example.jp/p\n見出し\n2025-07-08 10:00\n\n本文。\n" + "- 項目\n" * 5
    (article,) = parse_saved_page(page, "p.txt").articles
    assert article.body == "本文。"  # the bullet run is site furniture


def test_saved_page_without_url_is_one_clear_rejection():
    result = parse_saved_page("見出し\n2025-07-08 10:00\n\n本文。", "p.txt")
    assert not result.articles and "no URL" in result.rejections[0].reason


# --------------------------------------------------------------------------- pages of many sites

import json  # noqa: E402
from datetime import date, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from index.normalize import normalize_inline  # noqa: E402
from index.sources.formats import parse_path  # noqa: E402
from index.sources.records import JST  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
TRUTH = [json.loads(line) for line in (FIXTURES / "truth.jsonl").read_text("utf-8").splitlines()]
SEED = Path(__file__).resolve().parents[4] / "shared" / "seed" / "khare-visit-2025-07.txt"
TODAY = date(2025, 11, 20)


def saved_lines(path: Path) -> list[str]:
    from index.sources.htmlpage import visible_lines

    if path.suffix == ".html":
        return visible_lines(path.read_bytes())
    return [normalize_inline(ln) for ln in path.read_text("utf-8").splitlines() if ln.strip()]


@pytest.mark.parametrize("truth", TRUTH, ids=[t["file"] for t in TRUTH])
def test_fixture_pages_of_many_layouts(truth):
    path = FIXTURES / "pages" / truth["file"]
    result = parse_path(path, today=TODAY)
    if truth["published"] is None:
        [rejection] = result.rejections
        assert "--published" in rejection.reason and "Published:" in rejection.reason
        assert rejection.title == truth["title"] and rejection.location == str(path)
        return
    [article] = result.articles
    assert result.locations == [str(path)]
    assert article.published.date().isoformat() == truth["published"]
    if truth["title"]:
        assert article.title == normalize_inline(truth["title"])
    else:  # no headline on the page: the lead sentence
        assert article.body.startswith(article.title.rstrip("…"))
    assert article.section == truth["section"]
    body = article.body.split("\n\n")
    assert truth["body_first"] in body[0] and truth["body_last"] in body[-1]
    lines = saved_lines(path)
    first = next(i for i, ln in enumerate(lines) if truth["body_first"] in ln)
    last = max(i for i, ln in enumerate(lines) if truth["body_last"] in ln)
    assert body == lines[first : last + 1]  # every article line, and nothing else
    assert article.url.startswith("https://")


def page(date_text: str, *, head: str = "防衛ウォッチ\n記事検索はこちらで→\nメニュー\nホーム\n日本の防衛\n世界の防衛\n装備\n",
         url: str = "URL: https://n.example.jp/articles/x\n") -> str:
    return (f"{url}{head}護衛艦「かが」、改修後初の発着艦試験を実施\n• 日本の防衛\n{date_text}\nシェア\n"
            "海上自衛隊は、改修を終えた護衛艦「かが」で戦闘機の発着艦試験を実施した。\n"
            "試験は約2週間続き、甲板の耐熱性能などを確認した。\n"
            "Ranking読まれている記事\n- 24時間\n- 哨戒艦が就役\n- 掃海艦が訓練\n© 2025 防衛ウォッチ\n")


@pytest.mark.parametrize(("date_text", "expected"), [
    ("2025-10-21 08:55", datetime(2025, 10, 21, 8, 55)), ("2025/10/21", datetime(2025, 10, 21)),
    ("2025.10.21", datetime(2025, 10, 21)), ("2025年10月21日", datetime(2025, 10, 21)),
    ("令和7年10月21日(火)", datetime(2025, 10, 21)), ("令和7(2025)年10月21日", datetime(2025, 10, 21)),
    ("(2025年10月21日)", datetime(2025, 10, 21)), ("2025年10月21日更新", datetime(2025, 10, 21)),
    ("公開日: 2025年10月21日", datetime(2025, 10, 21)),
    ("日時 令和7年10月17日(金)11:00~", datetime(2025, 10, 17, 11, 0)),
    ("October 21, 2025", datetime(2025, 10, 21)), ("21 Oct 2025", datetime(2025, 10, 21)),
    ("10月21日", datetime(2025, 10, 21)),
])
def test_every_date_form_under_a_site_header(date_text, expected):
    (article,) = parse_saved_page(page(date_text), "p.txt", today=TODAY).articles
    assert article.published == expected.replace(tzinfo=JST)
    assert article.title == "護衛艦「かが」、改修後初の発着艦試験を実施" and article.section == "日本の防衛"
    assert article.body.split("\n\n") == ["海上自衛隊は、改修を終えた護衛艦「かが」で戦闘機の発着艦試験を実施した。",
                                          "試験は約2週間続き、甲板の耐熱性能などを確認した。"]


def test_a_bare_day_takes_its_year_from_the_url_or_the_page():
    in_url = page("10月21日", url="URL: https://n.example.jp/articles/2023/10/x\n")
    assert parse_saved_page(in_url, "p.txt", today=TODAY).articles[0].published.year == 2023
    in_text = page("10月21日").replace("実施した。", "実施した。令和6年10月1日に改修を終えた。")
    assert parse_saved_page(in_text, "p.txt", today=TODAY).articles[0].published.year == 2024


def test_the_url_comes_from_the_caller_a_url_line_or_a_canonical_line():
    bare = page("2025-10-21", url="")
    assert parse_saved_page(bare, "p.txt", url="https://cli.example/a").articles[0].url == "https://cli.example/a"
    assert parse_saved_page(page("2025-10-21"), "p.txt", url="https://cli.example/a").articles[0].url == (
        "https://cli.example/a")
    canonical = bare + "canonical: https://n.example.jp/canon\n"
    assert parse_saved_page(canonical, "p.txt").articles[0].url == "https://n.example.jp/canon"
    og = "og:url: https://n.example.jp/og\n" + bare
    assert parse_saved_page(og, "p.txt").articles[0].url == "https://n.example.jp/og"
    [rejection] = parse_saved_page(bare, "p.txt").rejections
    assert "no URL" in rejection.reason and "--url" in rejection.reason
    assert rejection.title.startswith("護衛艦「かが」") and rejection.published.startswith("2025-10-21")


def test_an_undated_page_takes_published_and_front_matter_wins():
    undated = page("").replace("\n\n", "\n")
    [rejection] = parse_saved_page(undated, "p.txt").rejections
    assert "--published" in rejection.reason
    (article,) = parse_saved_page(undated, "p.txt", published="2025-10-01").articles
    assert article.published.date() == date(2025, 10, 1)
    front = "Published: 2025年9月30日 10:00\n" + page("2025-10-21 08:55")
    assert parse_saved_page(front, "p.txt").articles[0].published == datetime(2025, 9, 30, 10, 0, tzinfo=JST)
    fenced = "---\nTitle: 見出しの上書き\nSection: 装備\n---\n" + page("2025-10-21")
    (article,) = parse_saved_page(fenced, "p.txt").articles
    assert (article.title, article.section) == ("見出しの上書き", "装備")


def test_a_portal_wire_story_without_a_headline_is_titled_by_its_lead():
    text = ("URL: https://portal.example/a/1\nポータル\nトップ\n速報\nエンタメ\nスポーツ\n10/21(火) 8:55配信\n"
            "防衛省は21日、新しい輸送艦の建造を始めると発表した。就役は3年後の予定。\n最終更新:10/21(火) 9:10\n")
    (article,) = parse_saved_page(text, "p.txt", today=TODAY).articles
    assert article.title == "防衛省は21日、新しい輸送艦の建造を始めると発表した"
    assert article.published == datetime(2025, 10, 21, 8, 55, tzinfo=JST)
    assert article.body == "防衛省は21日、新しい輸送艦の建造を始めると発表した。就役は3年後の予定。"


def test_parse_path_reports_each_page_with_its_location(tmp_path):
    (tmp_path / "a.txt").write_text(page("2025-10-21"), "utf-8")
    (tmp_path / "b.txt").write_text(page("").replace("\n\n", "\n"), "utf-8")
    items = [i.as_dict() for i in parse_path(tmp_path, today=TODAY).items()]
    assert [(i["location"], i["status"]) for i in items] == [
        (str(tmp_path / "a.txt"), "read"), (str(tmp_path / "b.txt"), "rejected")]
    assert items[0]["title"].startswith("護衛艦") and items[0]["published"].startswith("2025-10-21")
    assert items[1]["url"] == "https://n.example.jp/articles/x" and "--published" in items[1]["reason"]


@pytest.mark.skipif(not SEED.exists(), reason="the user's example page is not in ../shared/seed")
def test_the_users_page_also_under_its_site_header_and_with_a_bullet_section():
    text = SEED.read_text("utf-8")
    (plain,) = parse_saved_page(text, "seed.txt", url="https://x.example/a").articles
    assert plain.published == datetime(2025, 7, 8, 11, 32, tzinfo=JST) and plain.section == "日本の防衛"
    assert "読まれている記事" not in plain.body and "24時間" not in plain.body
    first, rest = text.split("\n", 1)
    header = "サイト名\nサイトの説明文がここに入ります\n記事検索はこちらで→\nメニュー\n"
    variant = header + first + "\n" + rest.replace("- 日本の防衛", "• 日本の防衛", 1)
    (article,) = parse_saved_page(variant, "seed.txt", url="https://x.example/a").articles
    assert article == plain


LEAD = "防衛省は21日、新しい輸送艦の建造を始めると発表した。就役は3年後の予定で、乗員の募集も始める。"
HEADLINE = "輸送艦の建造を開始 3年後に就役へ"


@pytest.mark.parametrize(("layout", "expected"), [
    # the site header shows today's date; the article's date follows the headline
    (f"防衛ウォッチ\n2025年11月20日(木)\nメニュー\nホーム\n日本の防衛\n世界の防衛\n{HEADLINE}\n2025-10-21 08:55",
     datetime(2025, 10, 21, 8, 55)),
    (f"防衛ウォッチ\n2025年11月20日(木)\nメニュー\nホーム\n日本の防衛\n世界の防衛\n2025-10-21 08:55\n{HEADLINE}",
     datetime(2025, 10, 21, 8, 55)),
    # a newspaper's date line with its update time beside it
    (f"{HEADLINE}\n2025年10月21日 5時00分 (2025年10月21日 9時30分 更新)", datetime(2025, 10, 21, 5, 0)),
    # an "updated" line before the published one
    (f"{HEADLINE}\n更新日: 2025.10.22\n公開日: 2025.10.21", datetime(2025, 10, 21)),
    # a ministry release: category, date, issuer, then the title
    (f"報道資料\n令和7年10月21日\n防 衛 省\n{HEADLINE}", datetime(2025, 10, 21)),
    # site name and tagline above a date-first article
    (f"防衛ニュース\n日本の安全保障を伝える\n2025.10.21\n{HEADLINE}", datetime(2025, 10, 21)),
])
def test_harder_layouts(layout, expected):
    text = f"URL: https://n.example.jp/a\n{layout}\n{LEAD}\n関連記事\n- 護衛艦が進水\n"
    (article,) = parse_saved_page(text, "p.txt", today=TODAY).articles
    assert (article.title, article.published, article.body) == (HEADLINE, expected.replace(tzinfo=JST), LEAD)

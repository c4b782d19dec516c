"""HTML article pages: main text by trafilatura, metadata for title, date and URL; hostile markup refused."""

from __future__ import annotations

from index.sources.formats import parse_path
from index.sources.htmlpage import parse_html


def test_html_with_an_internal_dtd_is_refused():
    html = '<!DOCTYPE html [<!ENTITY a "b">]><html><body><p>&a;</p></body></html>'
    result = parse_html(html, "x.html", url="https://news.example.jp/x")
    assert not result.articles and "DTD" in result.rejections[0].reason


def test_html_article_is_parsed():
    html = ("<html><head><title>護衛艦が進水</title>"
            '<meta property="article:published_time" content="2025-07-08T10:00:00+09:00"></head>'
            "<body><article><h1>護衛艦が進水</h1><p>海上自衛隊の新しい護衛艦が8日、長崎で進水した。"
            "式典には約300人が出席し、艦名が発表された。</p></article></body></html>")
    (article,) = parse_html(html, "x.html", url="https://news.example.jp/x").articles
    assert "長崎で進水" in article.body and article.published.day == 8


def test_html_metadata_gives_title_date_and_canonical_url(tmp_path):
    html = """<!DOCTYPE html><html lang="ja"><head>
<meta charset="utf-8"><title>防衛ニュース | 護衛艦「よしの」が進水</title>
<link rel="canonical" href="https://news.example.jp/articles/2025/07/yoshino-launch">
<meta property="og:title" content="護衛艦「よしの」が進水 もがみ型12番艦(7月8日)">
<meta property="article:published_time" content="2025-07-09T09:30:00+09:00">
</head><body>
<nav><a href="/">ホーム</a> <a href="/rank">ランキング</a></nav>
<article><h1>護衛艦「よしの」が進水 もがみ型12番艦(7月8日)</h1>
<p>海上自衛隊のもがみ型護衛艦12番艦「よしの」の命名・進水式が令和7(2025)年7月8日、三菱重工業長崎造船所で行われた。</p>
<p>式典には防衛省や海自の関係者など約300人が出席した。同艦は艤装を経て令和8年度末に就役する予定だ。</p>
</article>
<footer>© 2025 防衛ニュース All rights reserved.</footer>
</body></html>"""
    page = tmp_path / "yoshino.html"
    page.write_text(html, encoding="utf-8")
    (article,) = parse_path(page).articles  # no --url: the canonical link gives it
    assert article.url == "https://news.example.jp/articles/2025/07/yoshino-launch"
    assert "よしの" in article.title and "防衛ニュース |" not in article.title
    assert article.published.date().isoformat() == "2025-07-09"
    assert "三菱重工業長崎造船所" in article.body and "令和8年度末に就役" in article.body
    for junk in ("ホーム", "ランキング", "All rights reserved"):
        assert junk not in article.body


# --------------------------------------------------------------------------- the layout rules as fallback

from datetime import date, datetime  # noqa: E402

from index.sources.records import JST  # noqa: E402

TODAY = date(2025, 11, 20)
PARAS = ("<p>陸上自衛隊は3日、首都直下地震を想定した総合防災訓練を実施した。自治体や電力会社から約2千人が参加した。</p>"
         "<p>訓練では、被害の情報を集めて部隊の派遣先を決めるまでの手順を確かめた。司令官は課題が見えたと話した。</p>")


def html_page(head: str = "", top: str = "", article_tail: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>{head}</head><body>"
            "<div class='header'>防衛ウォッチ <a href='/search'>記事検索はこちらで→</a></div>"
            f"<div class='content'>{top}{PARAS}{article_tail}</div>"
            "<div class='footer'>Copyright © 防衛ウォッチ</div></body></html>")


def test_a_date_line_beats_a_guess_from_the_url_and_a_declared_date_beats_both():
    top = "<h1>陸自が総合防災訓練</h1><p class='date'>2025年10月3日 14:05</p>"
    url = "https://n.example.jp/news/2025/drill.html"  # trafilatura alone guesses 2025-01-01 from it
    (article,) = parse_html(html_page("<title>陸自が総合防災訓練</title>", top), "x.html", url=url).articles
    assert article.published == datetime(2025, 10, 3, 14, 5, tzinfo=JST)
    assert article.body.startswith("陸上自衛隊は3日") and "2025年10月3日" not in article.body
    declared = "<title>陸自が総合防災訓練</title><meta property='article:published_time' content='2025-10-04T09:00:00+09:00'>"
    (article,) = parse_html(html_page(declared, top), "x.html", url=url).articles
    assert article.published.date() == date(2025, 10, 4)


def test_an_undated_page_takes_published_before_a_guess():
    page = html_page("<title>陸自が総合防災訓練</title>", "<h1>陸自が総合防災訓練</h1>")
    url = "https://n.example.jp/news/2025/drill.html"
    (article,) = parse_html(page, "x.html", url=url, published="2025-10-03T08:00:00+09:00").articles
    assert article.published == datetime(2025, 10, 3, 8, 0, tzinfo=JST)


def test_title_from_the_headline_when_the_page_has_no_title_markup():
    top = "<p>陸自が首都直下地震を想定し総合防災訓練</p><p>2025年10月3日</p>"
    (article,) = parse_html(html_page("", top), "x.html", url="https://n.example.jp/a", today=TODAY).articles
    assert article.title == "陸自が首都直下地震を想定し総合防災訓練"
    assert article.published.date() == date(2025, 10, 3)


def test_furniture_in_the_main_text_is_dropped():
    tail = "<p>シェア</p><p>印刷</p><h2>関連記事</h2><p>陸自の新型ヘリが初飛行</p>"
    page = html_page("<title>陸自が総合防災訓練</title><meta property='article:published_time' content='2025-10-03'>",
                     "<h1>陸自が総合防災訓練</h1>", tail)
    (article,) = parse_html(page, "x.html", url="https://n.example.jp/a").articles
    assert article.body.endswith("司令官は課題が見えたと話した。")
    for junk in ("シェア", "印刷", "関連記事", "新型ヘリ", "記事検索", "Copyright"):
        assert junk not in article.body

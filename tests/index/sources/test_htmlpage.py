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

"""News-list pages ("新着情報"): article links by pattern, next pages, politeness, incremental reads."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from index.errors import ConfigError
from index.ingest.collect import SourceState
from index.sources.config import parse_sources
from index.sources.listing import parse_listing
from index.sources.records import JST
from index.sources.web import read_remote_source

from .livesite import JA_ARTICLES, LiveSite, article_html, news_list

PATTERN = r"/news/\d{4}/"


@pytest.fixture
def site():
    with LiveSite() as s:
        s.add("/robots.txt", "User-agent: *\nDisallow: /news/2025/members-\n", content_type="text/plain")
        for slug, (title, published, paras) in JA_ARTICLES.items():
            s.add(f"/news/2025/{slug}.html", article_html(title, published, paras), etag=f'"{slug}-1"')
        yield s


def entries(*slugs: str) -> list[tuple[str, str, str]]:
    return [("2025年7月8日", f"/news/2025/{s}.html", JA_ARTICLES[s][0]) for s in slugs]


def read(site: LiveSite, state: SourceState | None = None, **extra):
    src = {"name": "list", "kind": "listing", "url": site.url("/news/"), "link_pattern": PATTERN, **extra}
    fetch = {"allow_private_addresses": True, "per_host_delay_seconds": 0, "timeout_seconds": 2, "retries": 0}
    cfg = parse_sources({"fetch": fetch, "sources": [src]}, "test.toml", Path("."))
    state = state or SourceState(name="list", kind="listing")
    return read_remote_source(cfg.sources[0], cfg, state), state


def article_paths(site: LiveSite) -> list[str]:
    return sorted(p for p in site.paths() if p.startswith("/news/2025/"))


def test_parse_listing_keeps_matching_links_with_their_dates_and_finds_the_next_page():
    page = news_list(
        [("2025年7月8日", "/news/2025/a.html#top", "A"), ("令和7年7月9日", "b.html", "B"),
         ("", "/news/2025/a.html", "A again")],
        next_href="?page=2",
    ).replace("<ul class='news'>", "<ul class='news'><li><a href='https://other.example/news/2025/x.html'>X</a></li>"
              "<li><a href='mailto:a@b.c'>mail</a></li>")
    base = "https://news.example.jp/news/2025/index.html"
    listing = parse_listing(page.encode(), base, re.compile(PATTERN), today=date(2025, 8, 1))
    assert [(i.url, i.title, i.lastmod[:10]) for i in listing.items] == [
        ("https://other.example/news/2025/x.html", "X", ""),  # the host rules are the fetcher's
        ("https://news.example.jp/news/2025/a.html", "A", "2025-07-08"),
        ("https://news.example.jp/news/2025/b.html", "B", "2025-07-09"),
    ]  # the next page's link matches the pattern too, but is a list page
    assert listing.next_url == "https://news.example.jp/news/2025/index.html?page=2"
    dl = ("<dl><dt>2025.07.10</dt><dd><a href='/news/2025/c.html'>C</a></dd></dl>"
          "<p><a href='/news/?p=3'>次へ ></a></p>")
    listing = parse_listing(dl.encode(), "https://n.example/news/", re.compile(PATTERN))
    assert [(i.title, i.lastmod[:10]) for i in listing.items] == [("C", "2025-07-10")]
    assert listing.next_url == "https://n.example/news/?p=3"


def test_listing_reads_only_article_links_and_follows_next_pages(site):
    site.add("/news/", news_list(entries("f35-misawa", "ise-exercise"), next_href="/news/?page=2"))
    site.add("/news/?page=2", news_list(entries("gsdf-hokkaido"), next_href="/news/?page=3", next_rel=False))
    site.add("/news/?page=3", news_list(entries()))
    result, _ = read(site)
    assert sorted(a.url.rsplit("/", 1)[1] for a in result.articles) == ["f35-misawa.html", "ise-exercise.html"]
    assert "/news/?page=2" not in site.paths()  # max_pages = 1 by default
    assert not [p for p in site.paths() if p in ("/about.html", "/ranking/1.html", "/privacy.html", "/")]
    site.clear_log()
    result, _ = read(site, max_pages=5)
    assert len(result.articles) == 3 and not result.rejections
    assert {"/news/", "/news/?page=2", "/news/?page=3"} <= set(site.paths())  # rel="next", then "次へ"


def test_robots_hosts_and_the_listing_date_as_a_fallback(site):
    _, _, paras = JA_ARTICLES["ise-exercise"]
    site.add("/news/2025/undated.html", article_html("「いせ」が多国間訓練に参加", None, paras))
    site.add("/news/2025/members-only.html", article_html(*JA_ARTICLES["f35-misawa"][:2], paras))
    site.add("/news/", news_list([
        ("2025年7月10日", "/news/2025/undated.html", "「いせ」が訓練に参加"),
        ("2025年7月8日", "/news/2025/members-only.html", "会員限定"),
        ("2025年7月8日", site.url("/news/2025/f35-misawa.html", "localhost"), "別ホスト"),
    ]))
    result, _ = read(site)
    [article] = result.articles
    assert article.published == datetime(2025, 7, 10, tzinfo=JST) and "洋上補給" in article.body
    reasons = sorted(r.reason for r in result.rejections)
    assert "robots.txt" in reasons[0] or "robots.txt" in reasons[1]
    assert any("not listed in the sources file" in r for r in reasons)
    assert "/news/2025/members-only.html" not in site.paths()


def test_second_read_fetches_only_new_links(site):
    site.add("/news/", news_list(entries("f35-misawa", "ise-exercise")))
    first, state = read(site)
    assert len(first.articles) == 2
    site.clear_log()
    again, state = read(site, state)
    assert again.articles == [] and sorted(state.kept) == sorted(a.url for a in first.articles)
    assert article_paths(site) == []  # known, unchanged: not fetched again
    site.add("/news/", news_list(entries("gsdf-hokkaido", "f35-misawa", "ise-exercise")))
    site.clear_log()
    third, state = read(site, state)
    assert [a.url for a in third.articles] == [site.url("/news/2025/gsdf-hokkaido.html")]
    assert article_paths(site) == ["/news/2025/gsdf-hokkaido.html"]
    assert len(state.kept) == 2


def test_a_changed_entry_is_read_again(site):
    site.add("/news/", news_list(entries("f35-misawa")))
    _, state = read(site)
    site.add("/news/", news_list([("2025年7月9日", "/news/2025/f35-misawa.html", "F-35A、三沢に追加配備(訂正)")]))
    title, published, paras = JA_ARTICLES["f35-misawa"]
    site.add("/news/2025/f35-misawa.html", article_html(title, published, [*paras, "訂正を加えた。"]), etag='"v2"')
    site.clear_log()
    result, _ = read(site, state)
    assert "訂正を加えた。" in result.articles[0].body
    assert article_paths(site) == ["/news/2025/f35-misawa.html"]


@pytest.mark.parametrize(("extra", "message"), [
    ({"link_pattern": None}, "kind 'listing' needs link_pattern"),
    ({"link_pattern": "(["}, "link_pattern is not a valid regular expression"),
    ({"max_pages": 0}, "max_pages must be a positive integer"),
    ({"kind": "feed", "link_pattern": None, "max_pages": 2}, "max_pages is a setting of listing sources"),
])
def test_listing_settings_are_checked(extra, message):
    src = {"name": "list", "kind": "listing", "url": "https://n.example/news/", "link_pattern": PATTERN, **extra}
    src = {k: v for k, v in src.items() if v is not None}
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_sources({"sources": [src]}, "s.toml", Path("."))

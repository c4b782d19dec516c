"""Feeds (RSS 2.0, RSS 1.0, Atom), sitemaps and pages read from a local site into articles."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import pytest

from index.ingest.collect import SourceState
from index.sources.config import parse_sources
from index.sources.feeds import FeedError, parse_feed, parse_sitemap
from index.sources.fetch import FetchError, ResponseTooLargeError
from index.sources.records import JST
from index.sources.web import read_remote_source

from .livesite import (
    EN_ARTICLES,
    ENTITY_BOMB,
    JA_ARTICLES,
    LiveSite,
    article_html,
    atom,
    rss1,
    rss2,
    sitemap,
    sitemap_index,
)


@pytest.fixture
def site():
    with LiveSite() as s:
        s.add("/robots.txt", "User-agent: *\nDisallow: /members/\n", content_type="text/plain")
        for slug, (title, published, paras) in JA_ARTICLES.items():
            s.add(f"/news/{slug}.html", article_html(title, published, paras), etag=f'"{slug}-1"')
        for slug, (title, published, paras) in EN_ARTICLES.items():
            s.add(f"/en/{slug}.html", article_html(title, published, paras, lang="en"), etag=f'"{slug}-1"')
        yield s


def config(site: LiveSite, kind: str, path: str, **extra):
    src = {"name": "test", "kind": kind, "url": site.url(path), **extra}
    fetch = {"allow_private_addresses": True, "per_host_delay_seconds": 0, "timeout_seconds": 2, "retries": 0}
    cfg = parse_sources({"fetch": fetch, "sources": [src]}, "test.toml", Path("."))
    return cfg, cfg.sources[0]


def read(site, kind, path, state=None, **extra):
    cfg, spec = config(site, kind, path, **extra)
    state = state or SourceState(name=spec.name, kind=kind)
    return read_remote_source(spec, cfg, state), state


def rss_items(site, slugs, **extra):
    return [
        {
            "link": site.url(f"/news/{s}.html"),
            "title": JA_ARTICLES[s][0],
            "pubDate": "Tue, 08 Jul 2025 01:00:00 GMT",
            **extra,
        }
        for s in slugs
    ]


def test_rss2_feed_fetches_each_article_page(site):
    site.add(
        "/rss.xml", rss2(rss_items(site, ["f35-misawa", "ise-exercise"])), content_type="application/rss+xml"
    )
    result, state = read(site, "feed", "/rss.xml")
    assert not result.rejections
    by_url = {a.url: a for a in result.articles}
    a = by_url[site.url("/news/f35-misawa.html")]
    assert a.title.startswith("F-35A、三沢基地に2機追加配備")
    assert "第302飛行隊" in a.body and "トップ" not in a.body  # main text, not the navigation
    assert a.published == datetime(2025, 7, 8, 10, 0, tzinfo=JST)  # the feed's date (01:00 GMT)
    assert len(by_url) == 2
    assert set(site.paths()) >= {"/rss.xml", "/news/f35-misawa.html", "/news/ise-exercise.html"}
    assert state.http[site.url("/news/f35-misawa.html")]["etag"] == '"f35-misawa-1"'


def test_rss1_rdf_feed(site):
    items = [
        {
            "link": site.url("/news/gsdf-hokkaido.html"),
            "title": "陸自第2師団が演習を公開",
            "date": "2025-07-12T09:00:00+09:00",
        }
    ]
    site.add("/rdf.xml", rss1(items), content_type="application/rdf+xml")
    result, _ = read(site, "feed", "/rdf.xml")
    [a] = result.articles
    assert "上富良野演習場" in a.body
    assert a.published == datetime(2025, 7, 12, 9, 0, tzinfo=JST)


def test_atom_feed(site):
    items = [
        {
            "link": site.url("/en/radar-upgrade.html"),
            "title": "Radar upgrade",
            "published": "2025-07-09T08:00:00+09:00",
        }
    ]
    site.add("/atom.xml", atom(items), content_type="application/atom+xml")
    result, _ = read(site, "feed", "/atom.xml")
    [a] = result.articles
    assert "FPS-7" in a.body and a.title.startswith("Japan to upgrade")
    assert a.published == datetime(2025, 7, 9, 8, 0, tzinfo=JST)


def test_title_and_date_from_the_feed_when_the_page_lacks_them(site):
    _, _, paras = JA_ARTICLES["ise-exercise"]
    site.add("/news/bare.html", article_html(None, None, paras))
    items = [
        {
            "link": site.url("/news/bare.html"),
            "title": "「いせ」が多国間訓練に参加",
            "pubDate": "Thu, 10 Jul 2025 06:30:00 GMT",
        }
    ]
    site.add("/rss.xml", rss2(items))
    result, _ = read(site, "feed", "/rss.xml")
    [a] = result.articles
    assert a.title == "「いせ」が多国間訓練に参加"
    assert a.published == datetime(2025, 7, 10, 15, 30, tzinfo=JST)
    assert "洋上補給" in a.body


def test_full_content_in_the_feed_is_used_when_the_page_fails(site):
    _, _, paras = JA_ARTICLES["gsdf-hokkaido"]
    content = "".join(f"<p>{p}</p>" for p in paras)
    items = [
        {
            "link": site.url("/news/gone.html"),
            "title": "北海道で大規模演習",
            "content": content,
            "pubDate": "Sat, 12 Jul 2025 00:00:00 GMT",
        },
        {
            "link": site.url("/news/also-gone.html"),
            "title": "要約だけの記事",
            "description": "短い要約。",
            "pubDate": "Sat, 12 Jul 2025 00:00:00 GMT",
        },
    ]
    site.add("/rss.xml", rss2(items))
    result, _ = read(site, "feed", "/rss.xml")
    [a] = result.articles
    assert a.url == site.url("/news/gone.html") and "16式機動戦闘車" in a.body
    assert a.body.count("\n\n") == 2  # one paragraph per <p>
    [rej] = result.rejections  # a summary is never used as a body
    assert rej.location == site.url("/news/also-gone.html") and "404" in rej.reason


def test_robots_disallowed_article_is_not_fetched(site):
    site.add(
        "/members/secret.html", article_html(*JA_ARTICLES["f35-misawa"][:2], JA_ARTICLES["f35-misawa"][2])
    )
    items = [
        *rss_items(site, ["ise-exercise"]),
        {
            "link": site.url("/members/secret.html"),
            "title": "会員限定",
            "pubDate": "Tue, 08 Jul 2025 01:00:00 GMT",
        },
    ]
    site.add("/rss.xml", rss2(items))
    result, _ = read(site, "feed", "/rss.xml")
    assert [a.url for a in result.articles] == [site.url("/news/ise-exercise.html")]
    assert "robots.txt" in result.rejections[0].reason
    assert "/members/secret.html" not in site.paths()


def test_article_redirected_to_an_unlisted_host_is_rejected(site):
    site.add(
        "/news/out.html", "", status=302, headers={"Location": site.url("/news/f35-misawa.html", "localhost")}
    )
    items = [
        *rss_items(site, ["ise-exercise"]),
        {"link": site.url("/news/out.html"), "title": "外部", "pubDate": "Tue, 08 Jul 2025 01:00:00 GMT"},
    ]
    site.add("/rss.xml", rss2(items))
    result, _ = read(site, "feed", "/rss.xml")
    assert len(result.articles) == 1
    assert "not listed" in result.rejections[0].reason
    # ... and followed when the source lists that host
    result, _ = read(site, "feed", "/rss.xml", allowed_hosts=["localhost"])
    assert {a.url for a in result.articles} == {
        site.url("/news/ise-exercise.html"),
        site.url("/news/f35-misawa.html", "localhost"),
    }


def test_malformed_feed_fails_the_source(site):
    site.add("/broken.xml", "<rss><channel><title>壊れた</title><item><link>", content_type="application/xml")
    with pytest.raises(FeedError, match="not"):
        read(site, "feed", "/broken.xml")
    site.add("/page.xml", "<html><body><p>no feed here</p></body></html>", content_type="text/html")
    with pytest.raises(FeedError, match="RSS or Atom"):
        read(site, "feed", "/page.xml")


def test_entity_bomb_is_refused(site):
    site.add("/bomb.xml", ENTITY_BOMB, content_type="application/rss+xml")
    with pytest.raises(FeedError, match="entity"):
        read(site, "feed", "/bomb.xml")
    with pytest.raises(FeedError, match="entity"):
        parse_sitemap(ENTITY_BOMB.replace("rss", "urlset").encode(), "x", limit=10**6)
    with pytest.raises(FeedError, match="entity"):
        parse_feed(ENTITY_BOMB.encode(), "x")


def test_oversized_feed_is_refused(site):
    items = rss_items(site, ["f35-misawa"], description="長い" * 20_000)
    site.add("/huge.xml", rss2(items))
    cfg, spec = config(site, "feed", "/huge.xml")
    from dataclasses import replace

    cfg = replace(cfg, fetch=replace(cfg.fetch, max_bytes=20_000))
    with pytest.raises(ResponseTooLargeError):
        read_remote_source(spec, cfg, SourceState(name="test", kind="feed"))


def test_all_pages_failing_fails_the_source(site):
    items = [
        {
            "link": site.url(f"/news/missing-{i}.html"),
            "title": "x",
            "pubDate": "Tue, 08 Jul 2025 01:00:00 GMT",
        }
        for i in range(2)
    ]
    site.add("/rss.xml", rss2(items))
    state = SourceState(name="test", kind="feed", http={"keep": {"etag": "x"}})
    with pytest.raises(FetchError, match="all 2 article page"):
        read(site, "feed", "/rss.xml", state=state)
    assert state.http == {"keep": {"etag": "x"}}  # a failing source keeps what it had


def test_second_read_of_an_unchanged_feed_reads_nothing(site):
    site.add("/rss.xml", rss2(rss_items(site, ["f35-misawa", "ise-exercise"])), etag='"feed-1"')
    first, state = read(site, "feed", "/rss.xml")
    assert len(first.articles) == 2
    site.clear_log()
    second, state = read(site, "feed", "/rss.xml", state=state)
    assert second.articles == [] and not second.rejections
    assert sorted(state.kept) == sorted(a.url for a in first.articles)
    assert [(r.path, r.status) for r in site.requests() if r.path != "/robots.txt"] == [("/rss.xml", 304)]


def test_changed_feed_asks_pages_conditionally_and_rereads_changed_ones(site):
    site.add("/rss.xml", rss2(rss_items(site, ["f35-misawa", "ise-exercise"])), etag='"feed-1"')
    _, state = read(site, "feed", "/rss.xml")
    title, published, paras = JA_ARTICLES["ise-exercise"]
    site.add(
        "/news/ise-exercise.html",
        article_html(title, published, [*paras, "訓練の様子は後日公開される。"]),
        etag='"ise-exercise-2"',
    )
    site.add(
        "/rss.xml", rss2(rss_items(site, ["f35-misawa", "ise-exercise", "gsdf-hokkaido"])), etag='"feed-2"'
    )
    site.clear_log()
    result, state = read(site, "feed", "/rss.xml", state=state)
    assert sorted(a.url for a in result.articles) == [
        site.url("/news/gsdf-hokkaido.html"),
        site.url("/news/ise-exercise.html"),
    ]
    assert "後日公開" in next(a for a in result.articles if "ise" in a.url).body
    assert state.kept == [site.url("/news/f35-misawa.html")]
    statuses = {r.path: r.status for r in site.requests()}
    assert statuses["/news/f35-misawa.html"] == 304 and statuses["/news/ise-exercise.html"] == 200


def test_page_kind_and_304(site):
    result, state = read(site, "page", "/en/radar-upgrade.html")
    [a] = result.articles
    assert "FPS-7" in a.body
    result, state = read(site, "page", "/en/radar-upgrade.html", state=state)
    assert result.articles == [] and state.kept == [a.url]


def test_sitemap_index_with_lastmod(site):
    site.add(
        "/sitemap-ja.xml",
        sitemap(
            [
                (site.url("/news/f35-misawa.html"), "2025-07-08"),
                (site.url("/news/ise-exercise.html"), "2025-07-10T15:30:00+09:00"),
            ]
        ),
        content_type="application/xml",
    )
    site.add(
        "/sitemap-en.xml.gz",
        gzip.compress(sitemap([(site.url("/en/radar-upgrade.html"), "2025-07-09")]).encode()),
        content_type="application/gzip",
    )
    site.add(
        "/sitemap.xml",
        sitemap_index(
            [
                (site.url("/sitemap-ja.xml"), "2025-07-10"),
                (site.url("/sitemap-en.xml.gz"), "2025-07-09"),
                (site.url("/sitemap.xml"), "2025-07-01"),
            ]
        ),  # a loop
        content_type="application/xml",
    )
    result, state = read(site, "sitemap", "/sitemap.xml")
    assert {a.url for a in result.articles} == {
        site.url("/news/f35-misawa.html"),
        site.url("/news/ise-exercise.html"),
        site.url("/en/radar-upgrade.html"),
    }
    assert any("nested more than" in r.reason for r in result.rejections)  # the loop ends at the depth limit
    assert state.http[site.url("/news/ise-exercise.html")]["lastmod"] == "2025-07-10T15:30:00+09:00"
    # unchanged lastmod: not fetched again
    site.clear_log()
    result, state = read(site, "sitemap", "/sitemap.xml", state=state)
    assert result.articles == [] and len(state.kept) == 3
    assert not [p for p in site.paths() if p.startswith(("/news/", "/en/"))]


def test_sitemap_newest_first_and_limits_and_url_pattern(site):
    site.add(
        "/sitemap.xml",
        sitemap(
            [
                (site.url("/news/f35-misawa.html"), "2025-07-08"),
                (site.url("/about.html"), "2025-07-20"),
                (site.url("/news/ise-exercise.html"), "2025-07-10"),
                (site.url("/news/gsdf-hokkaido.html"), "2025-07-12"),
            ]
        ),
    )
    result, _ = read(site, "sitemap", "/sitemap.xml", max_articles=2, url_pattern=r"/news/")
    assert [a.url for a in result.articles] == [
        site.url("/news/gsdf-hokkaido.html"),
        site.url("/news/ise-exercise.html"),
    ]
    assert "/about.html" not in site.paths()

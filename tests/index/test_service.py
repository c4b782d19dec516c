"""Reindexing live sources end to end: IndexService + a local news site + the sources file + the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.embedding.fake import HashEmbedder
from index.models import Query
from index.service import IndexService
from index.sources.config import load_sources_file

from .sources.livesite import EN_ARTICLES, JA_ARTICLES, LiveSite, article_html, atom, rss2

ROOT = Path(__file__).resolve().parents[2]


def page_url(site: LiveSite, slug: str) -> str:
    return site.url(f"/news/{slug}.html")


def publish(site: LiveSite, slug: str, *, extra: str = "", version: int = 1) -> None:
    title, published, paras = JA_ARTICLES[slug]
    site.add(
        f"/news/{slug}.html",
        article_html(title, published, [*paras, *([extra] if extra else [])]),
        etag=f'"{slug}-{version}"',
    )


def rss(site: LiveSite, slugs: list[str], *, version: int = 1, path: str = "/rss.xml") -> None:
    items = [
        {"link": page_url(site, s), "title": JA_ARTICLES[s][0], "pubDate": "Tue, 08 Jul 2025 01:00:00 GMT"}
        for s in slugs
    ]
    site.add(path, rss2(items), content_type="application/rss+xml", etag=f'"feed-{version}"')


@pytest.fixture
def site():
    with LiveSite() as s:
        s.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        for slug in JA_ARTICLES:
            publish(s, slug)
        title, published, paras = EN_ARTICLES["radar-upgrade"]
        s.add(
            "/en/radar-upgrade.html",
            article_html(title, published, paras, lang="en"),
            last_modified="Wed, 09 Jul 2025 00:00:00 GMT",
        )
        s.add(
            "/atom.xml",
            atom([{"link": s.url("/en/radar-upgrade.html"), "title": title, "published": published}]),
            content_type="application/atom+xml",
        )
        yield s


def write_sources(tmp_path: Path, body: str, *, private: bool = True) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(
        "[fetch]\n"
        f"allow_private_addresses = {'true' if private else 'false'}\n"
        "per_host_delay_seconds = 0\ntimeout_seconds = 2\nretries = 0\n\n" + body,
        "utf-8",
    )
    return path


def source(name: str, kind: str, url: str, **extra) -> str:
    lines = [f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nurl = "{url}"']
    for k, v in extra.items():
        lines.append(f"{k} = {json.dumps(v, ensure_ascii=False)}")
    return "\n".join(lines) + "\n\n"


def service(tmp_path: Path, sources_file: Path) -> IndexService:
    return IndexService(tmp_path / "index", HashEmbedder(256), load_sources_file(sources_file))


def page_requests(site: LiveSite):
    return [(r.path, r.status) for r in site.requests() if r.path.startswith(("/news/", "/en/", "/mirror/"))]


def test_second_reindex_of_unchanged_feeds_embeds_nothing(site, tmp_path):
    rss(site, list(JA_ARTICLES))
    cfg = write_sources(
        tmp_path,
        source("JA news", "feed", site.url("/rss.xml"), section="日本の防衛")
        + source("EN news", "feed", site.url("/atom.xml")),
    )
    svc = service(tmp_path, cfg)
    first, states = svc.reindex()
    assert first.added == 4 and first.chunks_embedded > 0 and all(s.ok for s in states.values())
    assert {a.section for a in svc.articles_between(None)} == {"日本の防衛", ""}

    site.clear_log()
    second, states = svc.reindex()
    assert second.chunks_embedded == 0 and second.added == second.updated == 0 and not second.wrote
    # the RSS feed answered 304 (pages not asked at all); the Atom feed has no validators, so its page was
    # asked conditionally and answered 304 too
    assert [(r.path, r.status) for r in site.requests("/rss.xml")] == [("/rss.xml", 304)]
    assert page_requests(site) == [("/en/radar-upgrade.html", 304)]
    assert states["JA news"].articles == 3 and len(states["JA news"].kept) == 3
    assert svc.stats()["articles"] == 4

    # --full starts from nothing: validators of pages are forgotten and every page is read again
    site.clear_log()
    full, _ = svc.reindex(full=True)
    assert full.articles_total == 4 and full.added == 4
    assert sorted(s for _, s in page_requests(site)) == [200] * 4


def test_changed_article_is_reembedded(site, tmp_path):
    rss(site, list(JA_ARTICLES))
    svc = service(tmp_path, write_sources(tmp_path, source("JA news", "feed", site.url("/rss.xml"))))
    svc.reindex()
    publish(
        site,
        "gsdf-hokkaido",
        extra="演習には米海兵隊の部隊も初めて加わり、共同で対艦戦闘の手順を確認した。",
        version=2,
    )
    rss(site, list(JA_ARTICLES), version=2)  # the feed changes (e.g. its lastBuildDate)
    site.clear_log()
    report, _ = svc.reindex()
    assert report.updated == 1 and report.unchanged == 2 and report.chunks_embedded > 0
    assert sorted(page_requests(site)) == [
        ("/news/f35-misawa.html", 304),
        ("/news/gsdf-hokkaido.html", 200),
        ("/news/ise-exercise.html", 304),
    ]
    hits = svc.search(Query("米海兵隊 対艦戦闘", k=3)).hits
    assert hits and hits[0].url == page_url(site, "gsdf-hokkaido")


def test_failing_source_does_not_stop_others_and_is_retried(site, tmp_path, monkeypatch, capsys):
    from bot.cli import main

    rss(site, ["f35-misawa"])
    site.add("/down.xml", "maintenance", status=500)
    cfg = write_sources(
        tmp_path,
        source("Broken", "feed", site.url("/down.xml")) + source("JA news", "feed", site.url("/rss.xml")),
    )
    monkeypatch.setenv("DEFNEWS_SOURCES_FILE", str(cfg))
    monkeypatch.setenv("DEFNEWS_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("DEFNEWS_EMBEDDER", "hash")

    assert main(["reindex", "-q"]) == 1  # a partial failure: the other source is indexed
    out = capsys.readouterr().out
    assert "added 1" in out and "source 'Broken' failed" in out and "HTTP 500" in out

    assert main(["sources", "check"]) == 1
    out = capsys.readouterr().out
    broken = next(ln for ln in out.splitlines() if "Broken" in ln)
    assert "failing" in broken and "HTTP 500" in broken
    ja = next(ln for ln in out.splitlines() if "JA news [feed]" in ln)
    assert ": ok, 1 article, last run" in ja
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    by_name = {s["name"]: s for s in stats["sources"]}
    assert by_name["Broken"]["ok"] is False and "HTTP 500" in by_name["Broken"]["error"]
    assert by_name["JA news"]["ok"] is True and by_name["JA news"]["articles"] == 1

    # the site recovers: the next refresh retries the source
    rss(site, ["ise-exercise"], path="/down.xml")
    site.clear_log()
    assert main(["reindex", "-q", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["added"] == 1 and report["articles"] == 2
    assert site.requests("/down.xml")[0].status == 200
    assert main(["sources", "check", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["sources"]}
    assert rows["Broken"]["state"] == "ok" and rows["Broken"]["error"] == ""


def test_private_addresses_refused_unless_allowed(site, tmp_path):
    rss(site, ["f35-misawa"])
    jsonl = tmp_path / "local.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "url": "https://example.org/local/1",
                "title": "地方協力本部の広報",
                "published": "2025-07-01",
                "body": "自衛官募集の説明会が開かれた。",
            },
            ensure_ascii=False,
        )
        + "\n",
        "utf-8",
    )
    body = (
        source("JA news", "feed", site.url("/rss.xml")) + '[[sources]]\nname = "local"\nkind = "jsonl"\n'
        f'path = "{jsonl.name}"\n'
    )
    svc = service(tmp_path, write_sources(tmp_path, body, private=False))
    report, states = svc.reindex()
    assert not states["JA news"].ok and "non-public address" in states["JA news"].error
    assert states["local"].ok and report.added == 1
    assert site.requests() == []  # not one request reached 127.0.0.1


def test_syndicated_duplicate_is_indexed_once_with_both_links(site, tmp_path):
    rss(site, ["f35-misawa", "ise-exercise"])
    title, published, paras = JA_ARTICLES["f35-misawa"]
    site.add("/mirror/f35.html", article_html(title, published, paras), etag='"mirror-1"')
    site.add(
        "/partner.xml",
        rss2(
            [
                {
                    "link": site.url("/mirror/f35.html"),
                    "title": title,
                    "pubDate": "Tue, 08 Jul 2025 01:00:00 GMT",
                }
            ]
        ),
        etag='"partner-1"',
    )
    cfg = write_sources(
        tmp_path,
        source("JA news", "feed", site.url("/rss.xml")) + source("Partner", "feed", site.url("/partner.xml")),
    )
    svc = service(tmp_path, cfg)
    report, _ = svc.reindex()
    assert report.added == 2 and report.duplicates == 1 and report.articles_total == 2
    [art] = [a for a in svc.articles_between(None) if a.url == page_url(site, "f35-misawa")]
    assert art.alt_urls == (site.url("/mirror/f35.html"),)
    hit = svc.search(Query("三沢基地 F-35A 追加配備", k=1)).hits[0]
    assert hit.url == page_url(site, "f35-misawa") and hit.alt_urls == (site.url("/mirror/f35.html"),)

    again, _ = svc.reindex(prune=True)  # nothing changed: nothing embedded, the twin is not pruned
    assert again.chunks_embedded == 0 and again.removed == 0 and again.articles_total == 2


def test_prune_drops_vanished_articles_only_when_asked(site, tmp_path):
    rss(site, list(JA_ARTICLES))
    svc = service(
        tmp_path,
        write_sources(
            tmp_path,
            source("JA news", "feed", site.url("/rss.xml"))
            + source("EN news", "feed", site.url("/atom.xml")),
        ),
    )
    svc.reindex()
    rss(site, ["f35-misawa", "ise-exercise"], version=2)  # gsdf-hokkaido left the feed

    kept, _ = svc.reindex()
    assert kept.removed == 0 and kept.articles_total == 4

    pruned, _ = svc.reindex(prune=True)
    assert pruned.removed == 1 and pruned.articles_total == 3 and pruned.chunks_embedded == 0
    urls = {a.url for a in svc.articles_between(None)}
    assert page_url(site, "gsdf-hokkaido") not in urls
    assert {page_url(site, "f35-misawa"), site.url("/en/radar-upgrade.html")} <= urls  # unchanged, kept

    # a failing source is never pruned
    site.add("/atom.xml", "down", status=503)
    report, states = svc.reindex(prune=True)
    assert not states["EN news"].ok and report.removed == 0
    assert site.url("/en/radar-upgrade.html") in {a.url for a in svc.articles_between(None)}


def test_example_sources_file_is_valid():
    cfg = load_sources_file(ROOT / "examples" / "sources.example.toml")
    assert {s.kind for s in cfg.sources} == {"feed", "sitemap", "listing", "page", "jsonl", "folder"}
    assert cfg.fetch.allow_private_addresses is False


@pytest.mark.parametrize(
    "text,message",
    [
        ("[fetch]\ntimeout = 3\n", "unknown [fetch] setting(s): timeout"),
        ('[fetch]\nretries = "two"\n', "fetch.retries must be an integer"),
        ("[fetch]\nallow_private_addresses = 1\n", "fetch.allow_private_addresses must be true or false"),
        ('[[sources]]\nname = "x"\nkind = "feed"\nurl = "ftp://example.org/rss"\n', "url must be http(s)"),
        (
            '[[sources]]\nname = "x"\nkind = "sitemap"\nurl = "https://e.org/s.xml"\nurl_pattern = "(["\n',
            "url_pattern is not a valid regular expression",
        ),
        ('[[sources]]\nname = "x"\nkind = "rss"\nurl = "https://e.org/"\n', "kind must be one of"),
    ],
)
def test_sources_check_reports_bad_files_in_one_line(tmp_path, monkeypatch, capsys, text, message):
    from bot.cli import main

    if "[[sources]]" not in text:
        text += '[[sources]]\nname = "x"\nkind = "feed"\nurl = "https://example.org/rss.xml"\n'
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    monkeypatch.setenv("DEFNEWS_SOURCES_FILE", str(path))
    assert main(["sources", "check"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("defnews: error: ") and message in err and "\n" not in err

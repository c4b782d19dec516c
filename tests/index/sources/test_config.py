"""The sources file: pydantic validation, defaults, paths, and one-line errors naming file, source and setting."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import ValidationError

from index.errors import ConfigError
from index.sources.config import FetchOptions, SourceSpec, load_sources_file, parse_sources

ROOT = Path(__file__).resolve().parents[3]
FEED = {"name": "wire", "kind": "feed", "url": "https://news.example.org/rss.xml"}


def parse(data: dict, base: Path = Path("/srv/defnews")):
    return parse_sources(data, "sources.toml", base)


def test_defaults_of_every_setting():
    cfg = parse({"sources": [FEED]})
    assert cfg.fetch == FetchOptions()
    assert cfg.fetch.timeout_seconds == 20.0 and cfg.fetch.max_bytes == 5 * 1024 * 1024
    assert cfg.fetch.retries == 2 and cfg.fetch.extra_allowed_hosts == ()
    assert cfg.sources == (SourceSpec(name="wire", kind="feed", url=FEED["url"]),)
    (spec,) = cfg.sources
    assert spec.remote and spec.hosts == ("news.example.org",)
    assert spec.delay_seconds is None and spec.max_articles is None and spec.url_pattern is None


def test_settings_are_kept_and_paths_resolved_against_the_file():
    cfg = parse({
        "fetch": {"per_host_delay_seconds": 0, "extra_allowed_hosts": ["cdn.example.org"]},
        "sources": [
            {**FEED, "section": "国際", "language": "en", "delay_seconds": 5, "max_articles": 10,
             "allowed_hosts": ["www.example.org"], "refresh_minutes": 60, "url_pattern": "/news/"},
            {"name": " archive ", "kind": "jsonl", "path": "archive/a.jsonl"},
            {"name": "abs", "kind": "folder", "path": "/data/pages"},
            {"name": "saved", "kind": "page", "path": "one.txt"},
        ],
    })
    wire, archive, absolute, saved = cfg.sources
    assert (wire.section, wire.language, wire.delay_seconds, wire.max_articles) == ("国際", "en", 5.0, 10)
    assert (wire.refresh_minutes, wire.url_pattern, wire.allowed_hosts) == (60, "/news/", ("www.example.org",))
    assert archive.name == "archive" and archive.path == Path("/srv/defnews/archive/a.jsonl")
    assert absolute.path == Path("/data/pages") and not saved.remote
    assert saved.path == Path("/srv/defnews/one.txt")
    assert cfg.allowed_hosts == {"news.example.org", "www.example.org", "cdn.example.org"}
    assert cfg.fetch.per_host_delay_seconds == 0.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fetch": {"timeout": 3}}, "sources.toml: unknown [fetch] setting(s): timeout"),
        ({"fetch": {"retries": "two"}}, "sources.toml: fetch.retries must be an integer (got 'two')"),
        ({"fetch": {"allow_private_addresses": 1}}, "fetch.allow_private_addresses must be true or false"),
        ({"fetch": {"timeout_seconds": 0}}, "fetch.timeout_seconds must be > 0 (got 0)"),
        ({"fetch": {"retries": -1}}, "fetch.retries must not be negative (got -1)"),
        ({"fetch": {"max_bytes": True}}, "fetch.max_bytes must be an integer (got True)"),
        ({"fetch": {"extra_allowed_hosts": ["a", " "]}}, "fetch.extra_allowed_hosts must be a list of host names"),
        ({"fetch": {"extra_allowed_hosts": "a.org"}}, "fetch.extra_allowed_hosts must be a list of host names"),
        ({"fetch": []}, "sources.toml: [fetch] must be a table"),
        ({"sources": []}, "sources.toml: no [[sources]] entries"),
        ({"sources": [5]}, "sources.toml: source #1 must be a table"),
        ({"sources": [{"kind": "feed"}]}, "sources.toml: source #1 has no name"),
        ({"sources": [FEED, FEED]}, "sources.toml: source 'wire' is defined twice"),
        ({"sources": [{**FEED, "foo": 1, "bar": 2}]}, "source 'wire' has unknown key(s): bar, foo"),
        ({"sources": [{**FEED, "kind": "rss"}]}, "source 'wire': kind must be one of feed, sitemap, listing, page"),
        ({"sources": [{"name": "wire"}]}, "source 'wire': kind must be one of"),
        ({"sources": [{**FEED, "url": "ftp://e.org/x"}]}, "source 'wire': url must be http(s) with a host"),
        ({"sources": [{**FEED, "url": None}]}, "source 'wire': kind 'feed' needs url = \"https://…\""),
        ({"sources": [{"name": "a", "kind": "jsonl"}]}, "source 'a': kind 'jsonl' needs path = \"…\""),
        ({"sources": [{**FEED, "allowed_hosts": [1]}]}, "source 'wire': allowed_hosts must be a list of host"),
        ({"sources": [{**FEED, "section": 3}]}, "source 'wire': section must be a string (got 3)"),
        ({"sources": [{**FEED, "delay_seconds": -1}]}, "source 'wire': delay_seconds must not be negative"),
        ({"sources": [{**FEED, "max_articles": 0}]}, "source 'wire': max_articles must be a positive integer"),
        ({"sources": [{**FEED, "refresh_minutes": True}]}, "source 'wire': refresh_minutes must be an integer"),
        ({"sources": [{**FEED, "url_pattern": "(["}]}, "source 'wire': url_pattern is not a valid regular"),
        ({"sources": [{**FEED, "kind": "page", "url_pattern": "a"}]}, "url_pattern is a regular expression for"),
    ],
)
def test_each_mistake_is_one_line_naming_file_source_and_setting(data, message):
    data.setdefault("sources", [FEED])
    with pytest.raises(ConfigError) as info:
        parse(data)
    text = str(info.value)
    assert message in text and text.startswith("sources.toml: ") and "\n" not in text


def test_fetch_options_are_validated_when_made_and_when_replaced():
    opts = FetchOptions(per_host_delay_seconds=0, timeout_seconds=2)
    assert replace(opts, retries=5).retries == 5
    with pytest.raises(ValidationError):
        replace(opts, retries=-1)
    with pytest.raises(ValidationError):
        FetchOptions(timeout=3)  # type: ignore[call-arg]


def test_the_example_file_and_file_errors(tmp_path):
    cfg = load_sources_file(ROOT / "examples" / "sources.example.toml")
    assert cfg.path == ROOT / "examples" / "sources.example.toml" and cfg.fetch == FetchOptions()
    folder = next(s for s in cfg.sources if s.kind == "folder")
    assert folder.path == ROOT / "examples" / "saved-pages"
    with pytest.raises(ConfigError, match="does not exist"):
        load_sources_file(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[sources]\n", "utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_sources_file(bad)

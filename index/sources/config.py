"""The sources file (TOML): which sources to index and how to fetch them.

```toml
[fetch]
allow_private_addresses = false   # true only for local testing
[[sources]]
name = "MOD news"
kind = "feed"                     # feed | sitemap | page | jsonl | folder
url = "https://example.org/rss.xml"   # or path = "articles.jsonl" for jsonl and folder
section = "日本の防衛"              # optional
```
Relative paths are resolved against the sources file's folder. ``examples/sources.example.toml`` shows every
setting; :class:`FetchOptions` and :class:`SourceSpec` list them with their defaults.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from ..errors import ConfigError

KINDS = ("feed", "sitemap", "page", "jsonl", "folder")
REMOTE_KINDS = ("feed", "sitemap", "page")


@dataclass(frozen=True)
class FetchOptions:
    """The ``[fetch]`` table: how live sources are fetched (see ``index/fetch.py``)."""

    allow_private_addresses: bool = False  # true only for local testing
    user_agent: str = ""  # empty: "defnews/<version> (+project URL)"
    timeout_seconds: float = 20.0  # connect/read/write; a whole response may take twice this
    max_bytes: int = 5 * 1024 * 1024  # per response (feed, sitemap or page), after decompression
    per_host_delay_seconds: float = 1.0  # between two requests to a host (a longer robots Crawl-delay wins)
    retries: int = 2  # extra tries on 5xx, 429 and network errors, with exponential backoff
    max_retry_wait_seconds: float = 30.0  # longest backoff/Retry-After waited; longer: fail, try next refresh
    max_articles_per_source: int = 200  # newest entries read per feed or sitemap
    extra_allowed_hosts: tuple[str, ...] = ()  # hosts allowed for every source (e.g. a CDN serving articles)


_FETCH_TYPES: dict[str, tuple[type, ...]] = {
    "allow_private_addresses": (bool,), "user_agent": (str,), "timeout_seconds": (int, float),
    "max_bytes": (int,), "per_host_delay_seconds": (int, float), "retries": (int,),
    "max_retry_wait_seconds": (int, float), "max_articles_per_source": (int,), "extra_allowed_hosts": (list,),
}


@dataclass(frozen=True)
class SourceSpec:
    name: str
    kind: str
    url: str | None = None
    path: Path | None = None
    section: str = ""
    language: str = ""
    delay_seconds: float | None = None  # per-host delay override
    max_articles: int | None = None
    allowed_hosts: tuple[str, ...] = ()  # article hosts besides the source URL's own host
    options: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def remote(self) -> bool:
        return self.kind in REMOTE_KINDS and self.url is not None

    @property
    def hosts(self) -> tuple[str, ...]:
        own = (urlparse(self.url).hostname or "",) if self.url else ()
        return tuple(h.lower() for h in (*own, *self.allowed_hosts) if h)


@dataclass(frozen=True)
class SourcesConfig:
    sources: tuple[SourceSpec, ...]
    fetch: FetchOptions = FetchOptions()
    path: Path | None = None

    @property
    def allowed_hosts(self) -> frozenset[str]:
        return frozenset(h for s in self.sources for h in s.hosts) | frozenset(self.fetch.extra_allowed_hosts)


def _err(where: str, msg: str) -> ConfigError:
    return ConfigError(f"{where}: {msg}")


def parse_sources(data: dict, where: str, base: Path) -> SourcesConfig:
    fetch_raw = data.get("fetch", {})
    if not isinstance(fetch_raw, dict):
        raise _err(where, "[fetch] must be a table")
    known_fetch = set(FetchOptions.__dataclass_fields__)
    unknown = set(fetch_raw) - known_fetch
    if unknown:
        raise _err(where, f"unknown [fetch] setting(s): {', '.join(sorted(unknown))}")
    for key, value in fetch_raw.items():
        types = _FETCH_TYPES[key]
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            want = {"bool": "true or false", "str": "a string", "int": "an integer", "list": "a list"}
            want_text = want.get(types[0].__name__, "a number")
            raise _err(where, f"fetch.{key} must be {want_text} (got {value!r})")
    try:
        fetch = FetchOptions(
            **{k: (tuple(v) if k == "extra_allowed_hosts" else v) for k, v in fetch_raw.items()}
        )
    except TypeError as exc:
        raise _err(where, f"bad [fetch] table ({exc})") from exc
    if not isinstance(fetch.allow_private_addresses, bool):
        raise _err(where, "fetch.allow_private_addresses must be true or false")
    if fetch.timeout_seconds <= 0 or fetch.max_bytes <= 0 or fetch.max_articles_per_source <= 0:
        raise _err(where, "fetch.timeout_seconds, fetch.max_bytes and fetch.max_articles_per_source "
                          "must be > 0")
    if fetch.per_host_delay_seconds < 0 or fetch.retries < 0 or fetch.max_retry_wait_seconds < 0:
        raise _err(where, "fetch.per_host_delay_seconds, fetch.retries and fetch.max_retry_wait_seconds "
                          "must not be negative")
    if not all(isinstance(h, str) and h.strip() for h in fetch.extra_allowed_hosts):
        raise _err(where, "fetch.extra_allowed_hosts must be a list of host names")
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise _err(where, "no [[sources]] entries")
    specs: list[SourceSpec] = []
    names: set[str] = set()
    known = {"name", "kind", "url", "path", "section", "language", "delay_seconds", "max_articles",
             "allowed_hosts", "refresh_minutes", "url_pattern"}
    for i, raw in enumerate(raw_sources, 1):
        at = f"{where}: source #{i}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{at} must be a table")
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{at} has no name")
        at = f"{where}: source {name!r}"
        if name in names:
            raise ConfigError(f"{at} is defined twice")
        names.add(name)
        unknown = set(raw) - known
        if unknown:
            raise ConfigError(f"{at} has unknown key(s): {', '.join(sorted(unknown))}")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise ConfigError(f"{at}: kind must be one of {', '.join(KINDS)} (got {kind!r})")
        url = raw.get("url")
        path = raw.get("path")
        if kind in ("jsonl", "folder"):
            if not isinstance(path, str) or not path:
                raise ConfigError(f"{at}: kind {kind!r} needs path = \"…\"")
            p = Path(path).expanduser()
            resolved = p if p.is_absolute() else base / p
            specs_path: Path | None = resolved
        else:
            specs_path = None
            if isinstance(path, str) and path and kind == "page":
                p = Path(path).expanduser()
                specs_path = p if p.is_absolute() else base / p
            elif not isinstance(url, str) or not url:
                raise ConfigError(f"{at}: kind {kind!r} needs url = \"https://…\"")
        if url is not None:
            parsed = urlparse(str(url))
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ConfigError(f"{at}: url must be http(s) with a host (got {url!r})")
        hosts = raw.get("allowed_hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            raise ConfigError(f"{at}: allowed_hosts must be a list of host names")
        section = raw.get("section", "")
        if not isinstance(section, str):
            raise ConfigError(f"{at}: section must be a string")
        delay = raw.get("delay_seconds")
        if delay is not None and (not isinstance(delay, int | float) or delay < 0):
            raise ConfigError(f"{at}: delay_seconds must be a non-negative number")
        max_articles = raw.get("max_articles")
        if max_articles is not None and (not isinstance(max_articles, int) or max_articles < 1):
            raise ConfigError(f"{at}: max_articles must be a positive integer")
        pattern = raw.get("url_pattern")
        if pattern is not None:
            if kind not in ("feed", "sitemap") or not isinstance(pattern, str):
                raise ConfigError(f"{at}: url_pattern is a regular expression for feed and sitemap sources")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{at}: url_pattern is not a valid regular expression ({exc})") from exc
        refresh = raw.get("refresh_minutes")
        if refresh is not None and (not isinstance(refresh, int) or isinstance(refresh, bool) or refresh < 1):
            raise ConfigError(f"{at}: refresh_minutes must be a positive integer")
        specs.append(
            SourceSpec(
                name=name.strip(), kind=kind, url=url, path=specs_path, section=section,
                language=str(raw.get("language", "")), delay_seconds=delay, max_articles=max_articles,
                allowed_hosts=tuple(hosts),
                options={k: raw[k] for k in ("refresh_minutes", "url_pattern") if k in raw},
            )
        )
    return SourcesConfig(sources=tuple(specs), fetch=fetch)


def load_sources_file(path: Path) -> SourcesConfig:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"sources file {path} does not exist") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read sources file {path} ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc})") from exc
    cfg = parse_sources(data, str(path), path.parent)
    return SourcesConfig(sources=cfg.sources, fetch=cfg.fetch, path=path)


def default_sources(sample_dir: Path) -> SourcesConfig:
    """No sources file configured: the bundled sample corpus alone (its articles and saved pages)."""
    return SourcesConfig(
        sources=(
            SourceSpec(name="sample corpus", kind="jsonl", path=sample_dir / "articles.jsonl"),
            SourceSpec(name="sample pages", kind="folder", path=sample_dir / "pages"),
        )
    )

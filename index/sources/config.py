"""The sources file (TOML): which sources to index and how to fetch them.

```toml
[fetch]
allow_private_addresses = false   # true only for local testing
[[sources]]
name = "MOD news"
kind = "feed"                     # feed | sitemap | listing | page | jsonl | folder
url = "https://example.org/rss.xml"   # or path = "articles.jsonl" for jsonl and folder
section = "日本の防衛"              # optional
```
Relative paths are resolved against the sources file's folder. ``examples/sources.example.toml`` shows every
setting; :class:`FetchOptions` and :class:`SourceSpec` list them with their defaults.

The file is validated by pydantic (the ``[fetch]`` table by :class:`FetchOptions` itself, each
``[[sources]]`` table by :class:`SourceTable`); every problem becomes one :class:`ConfigError` line that
names the file, the source and the setting.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass

from ..errors import ConfigError

Kind = Literal["feed", "sitemap", "listing", "page", "jsonl", "folder"]
KINDS: tuple[str, ...] = Kind.__args__
REMOTE_KINDS = ("feed", "sitemap", "listing", "page")
PATH_KINDS = ("jsonl", "folder")

_STRICT = ConfigDict(extra="forbid", strict=True)
_Hosts = Annotated[tuple[str, ...], Field(strict=False)]  # a TOML list becomes a tuple


@pydantic_dataclass(frozen=True, config=_STRICT)
class FetchOptions:
    """The ``[fetch]`` table: how live sources are fetched (see ``index/sources/fetch.py``)."""

    allow_private_addresses: bool = False  # true only for local testing
    user_agent: str = ""  # empty: "defnews/<version> (+project URL)"
    # connect/read/write; a whole response may take twice this
    timeout_seconds: Annotated[float, Field(gt=0)] = 20.0
    # per response (feed, sitemap or page), after decompression
    max_bytes: Annotated[int, Field(gt=0)] = 5 * 1024 * 1024
    # between two requests to a host (a longer robots Crawl-delay wins)
    per_host_delay_seconds: Annotated[float, Field(ge=0)] = 1.0
    # extra tries on 5xx, 429 and network errors, with exponential backoff
    retries: Annotated[int, Field(ge=0)] = 2
    # longest backoff/Retry-After waited; longer: fail, try next refresh
    max_retry_wait_seconds: Annotated[float, Field(ge=0)] = 30.0
    # newest entries read per feed or sitemap
    max_articles_per_source: Annotated[int, Field(gt=0)] = 200
    # hosts allowed for every source (e.g. a CDN serving articles)
    extra_allowed_hosts: _Hosts = ()

    @field_validator("extra_allowed_hosts")
    @classmethod
    def _named_hosts(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        if not all(h.strip() for h in hosts):
            raise ValueError("must be a list of host names")
        return hosts


class SourceTable(BaseModel):
    """One ``[[sources]]`` table as written in the file (before paths are resolved)."""

    model_config = _STRICT

    name: str
    kind: Kind
    url: str | None = None
    path: str | None = None
    section: str = ""
    language: Annotated[str, BeforeValidator(str)] = ""  # informational: any value, kept as text
    delay_seconds: Annotated[float, Field(ge=0)] | None = None
    max_articles: Annotated[int, Field(ge=1)] | None = None
    allowed_hosts: _Hosts = ()
    refresh_minutes: Annotated[int, Field(ge=1)] | None = None
    url_pattern: str | None = None
    link_pattern: str | None = None
    max_pages: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SourceTable:
        if self.kind in PATH_KINDS and not self.path:
            raise ValueError(f'kind {self.kind!r} needs path = "…"')
        if self.kind not in PATH_KINDS and not self.url and not (self.kind == "page" and self.path):
            raise ValueError(f'kind {self.kind!r} needs url = "https://…"')
        if self.url is not None:
            parsed = urlparse(self.url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ValueError(f"url must be http(s) with a host (got {self.url!r})")
        if self.url_pattern is not None:
            if self.kind not in ("feed", "sitemap"):
                raise ValueError("url_pattern is a regular expression for feed and sitemap sources")
            _check_pattern("url_pattern", self.url_pattern)
        if self.kind == "listing" and not self.link_pattern:
            raise ValueError("kind 'listing' needs link_pattern = \"…\" (a regular expression for article links)")
        for key in ("link_pattern", "max_pages"):
            if getattr(self, key) is not None and self.kind != "listing":
                raise ValueError(f"{key} is a setting of listing sources")
        if self.link_pattern is not None:
            _check_pattern("link_pattern", self.link_pattern)
        return self


def _check_pattern(key: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{key} is not a valid regular expression ({exc})") from exc


@dataclass(frozen=True)
class SourceSpec:
    """A source ready to read: the table's settings, its path resolved against the sources file."""

    name: str
    kind: str
    url: str | None = None
    path: Path | None = None
    section: str = ""
    language: str = ""
    delay_seconds: float | None = None  # per-host delay override
    max_articles: int | None = None
    allowed_hosts: tuple[str, ...] = ()  # article hosts besides the source URL's own host
    refresh_minutes: int | None = None  # informational for now
    url_pattern: str | None = None  # feed and sitemap: only matching article URLs are read
    link_pattern: str | None = None  # listing: links whose absolute URL matches are articles
    max_pages: int = 1  # listing: list pages read, following rel="next" / "次へ" links

    @property
    def remote(self) -> bool:
        return self.kind in REMOTE_KINDS and self.url is not None

    @property
    def hosts(self) -> tuple[str, ...]:
        own = (urlparse(self.url).hostname or "",) if self.url else ()
        return tuple(h.lower() for h in (*own, *self.allowed_hosts) if h)

    @classmethod
    def from_table(cls, table: SourceTable, base: Path) -> SourceSpec:
        path = None
        if table.path and (table.kind in PATH_KINDS or table.kind == "page"):
            p = Path(table.path).expanduser()
            path = p if p.is_absolute() else base / p
        fields = table.model_dump(exclude={"name", "path", "max_pages"})
        return cls(name=table.name.strip(), path=path, max_pages=table.max_pages or 1, **fields)


@dataclass(frozen=True)
class SourcesConfig:
    sources: tuple[SourceSpec, ...]
    fetch: FetchOptions = field(default_factory=FetchOptions)
    path: Path | None = None

    @property
    def allowed_hosts(self) -> frozenset[str]:
        return frozenset(h for s in self.sources for h in s.hosts) | frozenset(self.fetch.extra_allowed_hosts)


# --------------------------------------------------------------------------- one-line messages

_WANT = {
    "bool_type": "true or false", "int_type": "an integer", "float_type": "a number",
    "string_type": "a string", "list_type": "a list", "tuple_type": "a list",
}
_HOST_LISTS = ("allowed_hosts", "extra_allowed_hosts")


def _phrase(error: dict[str, Any], prefix: str) -> str:
    """One pydantic error as ``<setting> must …``."""
    loc = error["loc"]
    key = str(loc[0]) if loc else ""
    kind, ctx, got = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "value_error" or not key:
        message = str(ctx.get("error", error["msg"]))
        return f"{prefix}{key} {message}" if key and not message.startswith(key) else message
    if key in _HOST_LISTS and (kind in _WANT or len(loc) > 1):
        return f"{prefix}{key} must be a list of host names"
    if kind == "literal_error" or (kind == "missing" and key == "kind"):
        return f"{prefix}{key} must be one of {', '.join(KINDS)} (got {got!r})"
    if kind == "missing":
        return f"{prefix}{key} is required"
    if kind in ("greater_than", "greater_than_equal"):
        limit = ctx.get("gt", ctx.get("ge"))
        want = "not be negative" if kind == "greater_than_equal" and limit == 0 else (
            "be a positive integer" if limit == 1 else f"be > {limit:g}")
        return f"{prefix}{key} must {want} (got {got!r})"
    want = _WANT.get(kind, "valid")
    return f"{prefix}{key} must be {want} (got {got!r})"


def _unknown(errors: list[dict[str, Any]]) -> list[str]:
    return sorted(str(e["loc"][0]) for e in errors
                  if e["type"] in ("extra_forbidden", "unexpected_keyword_argument") and e["loc"])


def _fetch_options(raw: object, where: str) -> FetchOptions:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [fetch] must be a table")
    try:
        return FetchOptions(**raw)
    except ValidationError as exc:
        unknown = _unknown(exc.errors())
        if unknown:
            raise ConfigError(f"{where}: unknown [fetch] setting(s): {', '.join(unknown)}") from None
        raise ConfigError(f"{where}: {_phrase(exc.errors()[0], 'fetch.')}") from None


def _source_spec(raw: object, number: int, where: str, base: Path) -> SourceSpec:
    at = f"{where}: source #{number}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{at} must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{at} has no name")
    at = f"{where}: source {name!r}"
    try:
        table = SourceTable.model_validate(raw)
    except ValidationError as exc:
        unknown = _unknown(exc.errors())
        if unknown:
            raise ConfigError(f"{at} has unknown key(s): {', '.join(unknown)}") from None
        raise ConfigError(f"{at}: {_phrase(exc.errors()[0], '')}") from None
    return SourceSpec.from_table(table, base)


def parse_sources(data: dict, where: str, base: Path) -> SourcesConfig:
    """The parsed TOML of a sources file -> :class:`SourcesConfig`. Raises :class:`ConfigError`."""
    fetch = _fetch_options(data.get("fetch", {}), where)
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{where}: no [[sources]] entries")
    specs: list[SourceSpec] = []
    for number, raw in enumerate(raw_sources, 1):
        spec = _source_spec(raw, number, where, base)
        if any(s.name == spec.name for s in specs):
            raise ConfigError(f"{where}: source {raw['name']!r} is defined twice")
        specs.append(spec)
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

"""Read configured sources into articles, one source at a time; a failing source never stops the others."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from ..durable import atomic_write_bytes
from ..models import Article
from ..sources.config import SourcesConfig, SourceSpec
from ..sources.formats import ParseResult, ReadItem, Rejection, read_path
from ..sources.records import ReadLog

log = logging.getLogger(__name__)
STATE_FILE = "sources-state.json"


@dataclass
class SourceState:
    name: str
    kind: str
    ok: bool = True
    error: str = ""
    articles: int = 0
    rejected: int = 0
    last_run: str = ""
    last_ok: str = ""
    seconds: float = 0.0
    # What the web reader keeps between runs, by URL (feed, sitemap or article page):
    # {"etag", "last_modified"} validators, "items" (a feed's/sitemap's listing), "children" (a sitemap
    # index's sitemaps), "lastmod", and "article" (the URL of the article read from that page).
    http: dict = field(default_factory=dict)
    # Article URLs the source still lists but that were not re-read this run (not modified, or kept after
    # a passing fetch error): they count as present, so ``--prune`` does not drop them.
    kept: list[str] = field(default_factory=list)


def load_states(index_dir: Path) -> dict[str, SourceState]:
    path = Path(index_dir) / STATE_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        log.warning("ignoring unreadable %s (%s)", path, exc)
        return {}
    return states_from_bytes(data, str(path))


def states_from_bytes(data: bytes | None, where: str) -> dict[str, SourceState]:
    """The sources' states from their JSON document (``where`` names it in a warning)."""
    if data is None:
        return {}
    try:
        raw = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        log.warning("ignoring unreadable %s (%s)", where, exc)
        return {}
    states = {}
    for item in raw.get("sources", []):
        try:
            states[item["name"]] = SourceState(**item)
        except TypeError:
            continue
    return states


def forget_unindexed(states: dict[str, SourceState], indexed_urls: set[str]) -> int:
    """Drop remembered pages whose article is not in the index (so they are fetched again in full).

    Validators are only worth anything while the article they vouch for is indexed: after ``--full``, a
    deleted index or a write that never happened, a ``304`` would otherwise hide the article for good.
    Returns how many entries were dropped.
    """
    dropped = 0
    for st in states.values():
        stale = [u for u, e in st.http.items() if isinstance(e, dict) and e.get("article")
                 and e["article"] not in indexed_urls]
        for u in stale:
            del st.http[u]
        dropped += len(stale)
    return dropped


def save_states(index_dir: Path, states: dict[str, SourceState]) -> None:
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(Path(index_dir) / STATE_FILE, states_to_bytes(states))


def states_to_bytes(states: dict[str, SourceState]) -> bytes:
    data = {"sources": [asdict(s) for s in states.values()]}
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


RemoteReader = Callable[[SourceSpec, SourcesConfig, SourceState], ParseResult]


def _default_remote_reader() -> RemoteReader:
    from ..sources.web import read_remote_source

    return read_remote_source


def source_records(
    spec: SourceSpec, cfg: SourcesConfig, state: SourceState, *, remote_reader: RemoteReader | None = None
) -> Iterator[tuple[Article | Rejection, str]]:
    """The records of one source as they are read (a folder or file line by line; a remote source once it
    is read), each article in the source's name and section. Raises on failure before the first record."""
    if spec.remote:
        reader = remote_reader or _default_remote_reader()
        result = reader(spec, cfg, state)
        records = [*((a, result.location_of(i)) for i, a in enumerate(result.articles)),
                   *((r, r.location) for r in result.rejections)]
        return (_in_source(rec, spec) for rec in records)
    if spec.path is None:
        raise ValueError(f"source {spec.name!r} has no path")
    if not spec.path.exists():
        raise FileNotFoundError(f"{spec.path} does not exist")
    return (_in_source(rec, spec) for rec in read_path(spec.path, source=spec.name))


def _in_source(record: tuple[Article | Rejection, str], spec: SourceSpec) -> tuple[Article | Rejection, str]:
    a, where = record
    if isinstance(a, Article) and (a.source != spec.name or (spec.section and not a.section)):
        return replace(a, section=a.section or spec.section, source=spec.name), where
    return record


def read_sources(
    cfg: SourcesConfig,
    states: dict[str, SourceState] | None = None,
    *,
    remote_reader: RemoteReader | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[ParseResult, dict[str, SourceState]]:
    """Read every source; return all articles and each source's new state."""
    states = dict(states or {})
    read = ReadLog()
    total = ParseResult()
    for article in stream_sources(cfg, states, read, remote_reader=remote_reader, progress=progress):
        total.articles.append(article)
    total.locations = [item.location for item in read.read]
    total.rejections = read.rejections
    return total, states


def stream_sources(
    cfg: SourcesConfig,
    states: dict[str, SourceState],
    read: ReadLog,
    *,
    remote_reader: RemoteReader | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Iterator[Article]:
    """Every source's articles as they are read, one source after another, noting each record in ``read`` and
    each source's new state in ``states`` once it is read. A source that fails is recorded as failed and the
    others are read (what a folder yielded before an unexpected error stays read)."""
    for i, spec in enumerate(cfg.sources):
        state = states.get(spec.name) or SourceState(name=spec.name, kind=spec.kind)
        state.kind = spec.kind
        state.kept = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        t0 = time.perf_counter()
        articles = rejected = 0
        try:
            for record, where in source_records(spec, cfg, state, remote_reader=remote_reader):
                if isinstance(record, Rejection):
                    read.rejections.append(record)
                    rejected += 1
                else:
                    read.read.append(ReadItem.of_article(record, where))
                    articles += 1
                    yield record
        except Exception as exc:  # one failing source never stops the others
            log.warning("source %s failed: %s", spec.name, exc)
            state.ok = False
            state.error = f"{type(exc).__name__}: {exc}"[:300]
        else:
            state.ok = True
            state.error = ""
            state.articles = articles + len(state.kept)
            state.rejected = rejected
            state.last_ok = now
        state.last_run = now
        state.seconds = round(time.perf_counter() - t0, 3)
        states[spec.name] = state
        if progress:
            progress("read", i + 1, len(cfg.sources))

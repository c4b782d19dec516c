"""Merging incoming articles into the indexed ones: new, updated, unchanged, and the same body syndicated
under another URL (indexed once, the other URL kept as an alternative).

One core, :func:`merge_into`, over a :class:`MergeState`: a dict of articles (:func:`merge_batch`), or the
light keys of an ingest's staging database (:mod:`.staging`), which never holds the bodies in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol, TypeVar

from ..models import Article
from .report import IngestReport


class Mergeable(Protocol):
    """What merging reads of an article (an :class:`Article`, or a key of one); a dataclass with
    ``alt_urls``, so that ``dataclasses.replace`` gives it other alternatives."""

    url: str
    alt_urls: tuple[str, ...]

    @property
    def content_hash(self) -> str: ...

    @property
    def body_hash(self) -> str: ...


M = TypeVar("M", bound=Mergeable)


class MergeState(Protocol[M]):
    """The merged articles by URL, and for each body hash the URL last indexed with that body."""

    def get(self, url: str) -> M | None: ...

    def twin(self, body_hash: str) -> str | None: ...

    def put(self, url: str, item: M, *, body: bool = True) -> None:
        """``item`` is now the article at ``url`` (changed); with ``body``, also the one with its body."""
        ...


def merge_into(state: MergeState[M], batch: Iterable[M], report: IngestReport) -> None:
    """Merge ``batch`` (one article per URL) into ``state``, counting what happened in ``report``."""
    for art in batch:
        old = state.get(art.url)
        if old is not None:
            if old.content_hash == art.content_hash:
                report.unchanged += 1
                report.statuses[art.url] = "unchanged"
                continue
            state.put(art.url, replace(art, alt_urls=old.alt_urls))
            report.updated += 1
            report.statuses[art.url] = "updated"
            continue
        twin_url = state.twin(art.body_hash)
        if twin_url is not None and twin_url != art.url:
            twin = state.get(twin_url)
            if twin is not None and art.url not in twin.alt_urls:
                state.put(twin_url, replace(twin, alt_urls=(*twin.alt_urls, art.url)), body=False)
            report.duplicates += 1
            report.statuses[art.url] = "duplicate"
            continue
        state.put(art.url, art)
        report.added += 1
        report.statuses[art.url] = "added"


class _DictState:
    def __init__(self, existing: dict[str, Article]) -> None:
        self.merged = dict(existing)
        self.by_body = {a.body_hash: url for url, a in self.merged.items()}
        self.changed: set[str] = set()

    def get(self, url: str) -> Article | None:
        return self.merged.get(url)

    def twin(self, body_hash: str) -> str | None:
        return self.by_body.get(body_hash)

    def put(self, url: str, item: Article, *, body: bool = True) -> None:
        self.merged[url] = item
        if body:
            self.by_body[item.body_hash] = url
        self.changed.add(url)


def merge_batch(
    existing: dict[str, Article], incoming: Iterable[Article], report: IngestReport
) -> tuple[dict[str, Article], set[str]]:
    """Merge incoming articles into ``existing`` (url -> article). Returns the new map and changed URLs."""
    state = _DictState(existing)
    batch: dict[str, Article] = {}
    for art in incoming:  # the same URL twice in one batch: the later record wins
        batch[art.url] = art
    merge_into(state, batch.values(), report)
    return state.merged, state.changed

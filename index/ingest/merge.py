"""Merging incoming articles into the indexed ones: new, updated, unchanged, and the same body syndicated
under another URL (indexed once, the other URL kept as an alternative)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..models import Article
from .report import IngestReport


def merge_batch(
    existing: dict[str, Article], incoming: Iterable[Article], report: IngestReport
) -> tuple[dict[str, Article], set[str]]:
    """Merge incoming articles into ``existing`` (url -> article). Returns the new map and changed URLs."""
    merged = dict(existing)
    by_body = {a.body_hash: url for url, a in merged.items()}
    changed: set[str] = set()
    batch: dict[str, Article] = {}
    for art in incoming:  # the same URL twice in one batch: the later record wins
        batch[art.url] = art
    for art in batch.values():
        old = merged.get(art.url)
        if old is not None:
            if old.content_hash == art.content_hash:
                report.unchanged += 1
                report.statuses[art.url] = "unchanged"
                continue
            merged[art.url] = replace(art, alt_urls=old.alt_urls)
            by_body[art.body_hash] = art.url
            changed.add(art.url)
            report.updated += 1
            report.statuses[art.url] = "updated"
            continue
        twin_url = by_body.get(art.body_hash)
        if twin_url is not None and twin_url != art.url:
            twin = merged[twin_url]
            if art.url not in twin.alt_urls:
                merged[twin_url] = replace(twin, alt_urls=(*twin.alt_urls, art.url))
                changed.add(twin_url)
            report.duplicates += 1
            report.statuses[art.url] = "duplicate"
            continue
        merged[art.url] = art
        by_body[art.body_hash] = art.url
        changed.add(art.url)
        report.added += 1
        report.statuses[art.url] = "added"
    return merged, changed

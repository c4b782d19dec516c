"""What an ingest did: counts of added, updated, unchanged, duplicate, removed and rejected articles."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..sources.formats import Rejection


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # same body under another URL: indexed once, link kept
    removed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    chunks_total: int = 0
    chunks_embedded: int = 0
    articles_total: int = 0
    seconds: float = 0.0
    wrote: bool = False
    generation: str = ""
    statuses: dict[str, str] = field(default_factory=dict)  # url -> added | updated | unchanged | duplicate
    items: list[dict] = field(default_factory=list)  # what was read, each with its status (see ``with_items``)

    def as_dict(self) -> dict:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "duplicates": self.duplicates, "removed": self.removed, "rejected": len(self.rejected),
            "rejections": [{"location": r.location, "reason": r.reason} for r in self.rejected],
            "articles": self.articles_total, "chunks": self.chunks_total,
            "chunks_embedded": self.chunks_embedded, "seconds": round(self.seconds, 3),
            "generation": self.generation,
            **({"items": self.items} if self.items else {}),
        }

    def with_items(self, read: list) -> IngestReport:
        """Fill ``items`` from what the sources read (``ParseResult.items()``): each article with the status
        this ingest gave it (added, updated, unchanged, duplicate), each rejection with its reason."""
        self.items = [
            {**d, "status": self.statuses.get(d["url"], "unchanged")} if d["status"] == "read" else d
            for d in (item.as_dict() for item in read)
        ]
        return self

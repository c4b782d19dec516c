"""Progress on stderr: a rich bar on a terminal, a few plain lines otherwise."""

from __future__ import annotations

import sys
from typing import ClassVar

from ..features.reindex.logic import RATED_STAGES, StageClock


class StderrProgress:
    """A ``progress(stage, done, total)`` callable for ingest and reindex."""

    LABELS: ClassVar[dict[str, str]] = {"read": "reading sources", "chunk": "chunking articles",
                                        "embed": "embedding chunks", "write": "writing index"}

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._rich = None
        self._tasks: dict[str, int] = {}
        self._last: dict[str, int] = {}
        self._clock = StageClock()
        if not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._rich = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.fields[rate]}"),
                console=Console(stderr=True), transient=True,
            )

    def __enter__(self) -> StderrProgress:
        if self._rich:
            self._rich.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._rich:
            self._rich.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        label = self.LABELS.get(stage, stage)
        self._clock.seen(stage, done)
        rate = self._clock.rate(stage, done, total, RATED_STAGES[stage]) if stage in RATED_STAGES else ""
        if self._rich:
            if stage not in self._tasks:
                self._tasks[stage] = self._rich.add_task(label, total=total, rate="")
            self._rich.update(self._tasks[stage], completed=done, total=total, rate=rate)
            return
        # plain: first, every 25%, last
        step = max(1, total // 4)
        boundary = done in (0, total) or done // step != self._last.get(stage, -1) // step
        if boundary and done != self._last.get(stage):
            print(f"{label}: {done}/{total}" + (f" ({rate})" if rate else ""), file=sys.stderr, flush=True)
        self._last[stage] = done

"""An ingest or reindex report in the terminal (``defnews ingest``, ``defnews reindex``)."""

from __future__ import annotations

from index.service import IngestReport

from ..info.terminal import articles
from .logic import counts_text


def render_report_terminal(report: IngestReport) -> str:
    """An ingest or reindex report as ``defnews ingest`` / ``defnews reindex`` print it."""
    lines = [
        counts_text(report),
        f"index: {articles(report.articles_total)}, {report.chunks_total} chunks; "
        f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s",
    ]
    lines += [f"rejected {r.location}: {r.reason}" for r in report.rejected]
    return "\n".join(lines)

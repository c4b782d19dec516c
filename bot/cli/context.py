"""What every command starts from: the settings (``--index-dir`` on top), the service, an index."""

from __future__ import annotations

import sys
from pathlib import Path

from index.service import IndexService

from ..core.settings import Settings, load_settings
from ..core.wiring import build_service
from ..features.info.terminal import articles
from .progress import StderrProgress


def settings_of(args) -> Settings:
    return load_settings(index_dir=Path(args.index_dir) if getattr(args, "index_dir", None) else None)


def service_of(args) -> IndexService:
    return build_service(settings_of(args).index)


def ensure_index(service: IndexService, quiet: bool = False) -> None:
    """Build the index from the configured sources when there is none yet, saying so on stderr."""
    if service.has_index():
        return
    service.ensure_folder()  # a folder that cannot be written fails here, before anything is said or read
    src = ", ".join(s.name for s in service.sources.sources)
    if not quiet:
        print(f"No index in {service.index_dir} yet: building it from the configured sources ({src}).",
              file=sys.stderr, flush=True)
    with StderrProgress(quiet) as progress:
        report = service.ensure_index(progress=progress)
    if report and not quiet:
        print(f"Index built: {articles(report.articles_total)}, {report.chunks_total} chunks "
              f"in {report.seconds:.1f} s.", file=sys.stderr, flush=True)

"""``defnews digest``: what /digest would post, in the terminal (or as JSON)."""

from __future__ import annotations

import json

from ..core.wiring import build_service
from ..features.digest.logic import Digester
from ..features.digest.terminal import render_digest_terminal
from .context import ensure_index, settings_of
from .exits import EXIT_OK


def cmd_digest(args) -> int:
    settings = settings_of(args)
    service = build_service(settings.index)
    digester = Digester(settings.digest, service)
    since, until = digester.period(args.since, until=args.until)  # checked before anything is loaded
    ensure_index(service, args.quiet)
    service.load()
    digest = digester.digest(since, until, (args.section or "").strip() or None)
    print(json.dumps(digest.as_dict(), ensure_ascii=False) if args.json else render_digest_terminal(digest))
    return EXIT_OK

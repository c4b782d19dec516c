"""A pre-warmed `defnews` launcher for the crash tests: imports the CLI once, then forks one child per run.

Each child is a real, separate process running ``bot.cli.main(argv)`` with its own environment and
working folder, so a SIGKILL in it behaves exactly as in ``defnews …`` started from a shell; only the
interpreter start-up (about a second of imports) is shared. The server itself never touches an index.

Protocol (JSON lines): stdin ``{"argv": [...], "env": {...}, "cwd": "...", "out": "...", "err": "..."}``,
stdout ``{"rc": <exit code, or -signal>}``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback


def _child(req: dict) -> int:
    os.environ.clear()
    os.environ.update(req["env"])
    os.chdir(req["cwd"])
    for fd, path in ((1, req["out"]), (2, req["err"])):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(f, fd)
        os.close(f)
    from bot import cli

    try:
        return int(cli.main(req["argv"]) or 0)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def main() -> None:
    import faiss  # noqa: F401  (warm the heavy imports; nothing runs)

    import bot.cli
    import bot.cli.index_commands
    import bot.core.settings
    import bot.core.wiring  # noqa: F401
    import index.service  # noqa: F401

    out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os._exit(_child(req))
        _, status = os.waitpid(pid, 0)
        rc = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        out.write(json.dumps({"rc": rc}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()

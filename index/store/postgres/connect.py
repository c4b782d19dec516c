"""Connecting to the configured PostgreSQL: the URL, a password-free form of it for messages and stats,
and every way a connection fails turned into one line that names ``DEFNEWS_STORE_URL`` and the fix.

The password only ever goes to libpq: it is left out of :attr:`PgTarget.location` and scrubbed from any
server message before that message is shown or logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import ConfigError, StoreUnavailableError

SETTING = "DEFNEWS_STORE_URL"
CONNECT_TIMEOUT = 5  # seconds, unless the URL names its own connect_timeout
APPLICATION = "defnews"


def is_postgres_url(url: str) -> bool:
    return url.strip().lower().startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class PgTarget:
    """A parsed ``postgresql://`` URL. ``repr`` and ``location`` never show the password."""

    url: str
    user: str
    dbname: str
    host: str
    port: str
    password: str

    def __repr__(self) -> str:
        return f"PgTarget({self.location})"

    @classmethod
    def parse(cls, url: str) -> PgTarget:
        from psycopg import ProgrammingError
        from psycopg.conninfo import conninfo_to_dict

        if not is_postgres_url(url):
            raise ConfigError(f"{SETTING} must start with postgresql:// (e.g. postgresql://user:pass@host:5432/db)")
        try:
            parts = conninfo_to_dict(url.strip())
        except ProgrammingError:  # (its message would quote the URL, password included)
            raise ConfigError(
                f"{SETTING} is not a valid PostgreSQL URL; write it as postgresql://user:pass@host:5432/db "
                "(special characters in the password %-encoded)"
            ) from None
        return cls(
            url=url.strip(), user=str(parts.get("user") or ""), dbname=str(parts.get("dbname") or ""),
            host=str(parts.get("host") or ""), port=str(parts.get("port") or ""),
            password=str(parts.get("password") or ""),
        )

    @property
    def location(self) -> str:
        """``postgresql://user@host:port/db`` (a socket folder as ``?host=``), without the password."""
        netloc = self.host if self.host and not self.host.startswith("/") else ""
        if self.port and netloc:
            netloc += f":{self.port}"
        user = f"{self.user}@" if self.user else ""
        query = f"?host={self.host}" if self.host.startswith("/") else ""
        return f"postgresql://{user}{netloc}/{self.dbname}{query}"

    def scrub(self, text: str) -> str:
        """``text`` with the password (and the raw URL) taken out."""
        text = text.replace(self.url, self.location)
        if self.password:
            text = text.replace(self.password, "***")
        return text

    def connect(self, *, autocommit: bool = True):
        """A new connection, or a :class:`StoreUnavailableError` whose one line says what to fix."""
        import psycopg

        kwargs = {"autocommit": autocommit, "application_name": APPLICATION}
        if "connect_timeout" not in self.url:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT
        try:
            return psycopg.connect(self.url, **kwargs)
        except psycopg.Error as exc:
            raise StoreUnavailableError(explain_failure(self, exc)) from None


def _reason(message: str) -> str:
    """The server's or libpq's own words, on one line, without the "connection to server ... failed:"."""
    lines = [ln.strip() for ln in message.strip().splitlines() if ln.strip()]
    first = lines[0] if lines else "unknown error"
    first = re.sub(r"^.*\bfailed:\s*", "", first)  # ("connection failed: connection to server … failed:")
    first = re.sub(r"^FATAL:\s*", "", first)
    return first.rstrip(".")


def explain_failure(target: PgTarget, exc: Exception) -> str:
    """One line for a failed connection: what happened, and what to change."""
    msg = target.scrub(str(exc))
    low = msg.lower()
    reason = _reason(msg)
    where = target.location
    if ("password authentication failed" in low or "no password supplied" in low
            or ("role" in low and "does not exist" in low) or "pg_hba.conf" in low
            or "authentication failed" in low):
        return (f"the database at {where} refused user {target.user or '(default)'!r} ({reason}); "
                f"set the right user and password in {SETTING}")
    if "database" in low and "does not exist" in low:
        return (f"there is no database {target.dbname!r} at {where}; create it "
                f"(createdb -O {target.user or 'USER'} {target.dbname or 'DB'}) or name another in {SETTING}")
    return (f"cannot reach the database at {where} ({reason}); check the host and port in {SETTING} "
            "and that PostgreSQL is running there")

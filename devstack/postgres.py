"""Embedded PostgreSQL (pgserver) in DATA_DIR, unless DATABASE_URL names a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2


class StartupError(RuntimeError):
    """One line saying what is wrong and what to do."""


def embedded_database_url(data_dir: Path) -> tuple[str, object]:
    import pgserver  # imported here: only the embedded mode needs it

    pgdata = (data_dir / "postgres").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(str(pgdata), cleanup_mode="stop")
    except Exception as exc:  # noqa: BLE001 - pgserver raises plain exceptions
        raise StartupError(
            f"The embedded PostgreSQL did not start in {pgdata}: {exc}. "
            "Delete that folder to start afresh, or set DATABASE_URL."
        ) from exc
    return server.get_uri(), server


#: The API's own user on the embedded server: DML only, as on AWS (chalicelib/migrate.py).
LOCAL_APP_USER = "pagepress_api"


def with_user(url: str, user: str, password: str = "local") -> str:
    """The same server and database, as another user."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"))


def check_database_url(url: str) -> None:
    try:
        psycopg2.connect(url, connect_timeout=5).close()
    except psycopg2.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StartupError(
            f"Cannot connect to DATABASE_URL ({first}): check it, or unset it to use the embedded PostgreSQL."
        ) from None


def restart_embedded(server: Any) -> None:
    """Stop the embedded PostgreSQL (fast: open sessions are cut, as in a crash or a failover) and
    start it again on the same data and socket; connections made before are broken."""
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # pgserver's own helper, not exported

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
    with server._lock:  # pgserver's own start, under the lock it expects; it re-reads the postmaster
        server.ensure_postgres_running()

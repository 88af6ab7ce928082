"""Schema migrations as their own step, run as the schema owner: never by the API, never on a cold start.

``python -m chalicelib.migrate`` (``make run`` and the tests call the same function), or on AWS the
migrate Lambda (``chalicelib.migrate.handler``), whose role alone can read the owner's secret.
It applies the pending migrations, then makes DATABASE_URL's user a member of ``pagepress_app``
(DML only, see migrations/004_app_role.sql) with a connection limit, so the API's credentials can
read and write rows and nothing more, and cannot take every connection the server has.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from aws_lambda_powertools import Logger
from psycopg2 import sql

from chalicelib.adapters.postgres import Database
from chalicelib.config import ConfigError, Settings

logger = Logger(service="pagepress-migrate")
APP_GROUP_ROLE = "pagepress_app"
_SCRAM_ITERATIONS = 4096


@dataclass(frozen=True)
class MigrationResult:
    applied: list[str]
    app_user: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "app_user": self.app_user}


def migrate(owner_url: str, app_url: str | None = None, app_connection_limit: int | None = None) -> MigrationResult:
    """Apply pending migrations as the owner; then give app_url's user exactly the app's rights."""
    database = Database(owner_url, max_connections=1)
    try:
        applied = database.migrate()
        app_user = None
        if app_url is not None:
            app_user, password = _credentials(app_url)
            owner_user, _ = _credentials(owner_url)
            if app_user == owner_user:
                raise ConfigError("The API's database user must not be the schema owner: give it a user of its own.")
            with database.transaction() as cur:
                _ensure_app_login(cur, app_user, password, app_connection_limit)
        return MigrationResult(applied, app_user)
    finally:
        database.close()


def _ensure_app_login(cur: Any, user: str, password: str, connection_limit: int | None) -> None:
    """Create or update the API's login role: a member of pagepress_app and nothing else."""
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
    verb = sql.SQL("ALTER") if cur.fetchone() else sql.SQL("CREATE")
    cur.execute(
        sql.SQL(
            "{} ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT "
            "CONNECTION LIMIT {} PASSWORD {}"
        ).format(
            verb,
            sql.Identifier(user),
            sql.Literal(-1 if connection_limit is None else connection_limit),
            # A SCRAM verifier, not the password: nothing readable reaches the server's statement log.
            sql.Literal(scram_verifier(password)),
        )
    )
    cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(APP_GROUP_ROLE), sql.Identifier(user)))


def scram_verifier(password: str, salt: bytes | None = None) -> str:
    """PostgreSQL's SCRAM-SHA-256 verifier (RFC 5802/7677), as ``CREATE ROLE ... PASSWORD`` accepts it."""
    salt = os.urandom(16) if salt is None else salt
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _SCRAM_ITERATIONS)
    stored_key = hashlib.sha256(hmac.digest(salted, b"Client Key", "sha256")).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    return f"SCRAM-SHA-256${_SCRAM_ITERATIONS}:{_b64(salt)}${_b64(stored_key)}:{_b64(server_key)}"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _credentials(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if not parts.username:
        raise ConfigError("A database URL must name its user.")
    return unquote(parts.username), unquote(parts.password or "")


def migrate_from_settings(settings: Settings) -> MigrationResult:
    """The owner from DATABASE_OWNER_URL/_SECRET_ID; the API's user from DATABASE_URL/_SECRET_ID."""
    from chalicelib.wiring import Container

    secrets = Container(settings).secrets
    return migrate(secrets.database_owner_url(), secrets.database_url(), settings.database_app_connection_limit)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The migrate Lambda: invoked once per release, before the API's new code (README, "Migrations")."""
    result = migrate_from_settings(Settings.from_env())
    logger.info("migrations applied", extra=result.as_dict())
    return result.as_dict()


def main() -> int:
    try:
        result = migrate_from_settings(Settings.from_env())
    except ConfigError as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 2
    print(f"migrate: applied {', '.join(result.applied) or 'nothing (up to date)'}; API user {result.app_user}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

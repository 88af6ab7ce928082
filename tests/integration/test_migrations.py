"""Migrations are their own step, run by the schema owner; the API's user reads and writes rows and nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import psycopg2.errors
import pytest

from chalicelib.adapters.postgres import MIGRATIONS_DIR
from chalicelib.config import ConfigError
from chalicelib.migrate import APP_GROUP_ROLE, migrate
from chalicelib.wiring import Container
from devstack.postgres import with_user
from tests.support.paths import REPO

ALL_VERSIONS = sorted(path.stem for path in MIGRATIONS_DIR.glob("*.sql"))


def in_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture
def fresh_database(postgres_owner_url) -> Iterator[str]:
    """An empty database of its own on the session's server, as its owner."""
    name = f"pp_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(postgres_owner_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    try:
        yield in_database(postgres_owner_url, name)
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE {name} WITH (FORCE)")
        admin.close()


def table_exists(url: str, table: str) -> bool:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (table,))
        return cur.fetchone()[0] is not None


def test_migrate_applies_every_migration_once_and_the_api_user_gets_a_connection_limit(fresh_database):
    user = f"api_{uuid.uuid4().hex[:8]}"
    app_url = with_user(fresh_database, user, "s3cret-password")

    first = migrate(fresh_database, app_url, app_connection_limit=7)
    again = migrate(fresh_database, app_url, app_connection_limit=9)

    assert first.applied == ALL_VERSIONS and first.app_user == user
    assert again.applied == []
    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT r.rolconnlimit, r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, a.rolpassword "
            "FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname = %s",
            (user,),
        )
        limit, can_login, superuser, createdb, createrole, stored = cur.fetchone() or (None,) * 6
        cur.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", (user, APP_GROUP_ROLE))
        member = cur.fetchone()[0]
    assert (limit, can_login, superuser, createdb, createrole, member) == (9, True, False, False, False, True)
    assert stored.startswith("SCRAM-SHA-256$4096:") and "s3cret-password" not in stored


def test_the_api_user_cannot_create_alter_or_drop_but_reads_and_writes_rows(postgres_url):
    denied = [
        "CREATE TABLE intruder (id int)",
        "CREATE TEMP TABLE intruder (id int)",
        "CREATE SCHEMA intruder",
        "ALTER TABLE users ADD COLUMN intruder text",
        "DROP TABLE sign_in_failures",
        "DROP INDEX users_email_lower",
        "TRUNCATE users",
        "INSERT INTO schema_migrations (version) VALUES ('999_forged')",
    ]
    conn = psycopg2.connect(postgres_url)
    try:
        for statement in denied:
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                with conn.cursor() as cur:
                    cur.execute(statement)
            conn.rollback()
        with conn.cursor() as cur:
            cur.execute("INSERT INTO sign_in_failures (key, failed_at) VALUES ('migration-test', now())")
            cur.execute("DELETE FROM sign_in_failures WHERE key = 'migration-test'")
            assert cur.rowcount == 1
            cur.execute("SELECT count(*) FROM schema_migrations")
            assert cur.fetchone()[0] == len(ALL_VERSIONS)
        conn.rollback()
    finally:
        conn.close()


def test_the_api_does_not_migrate_on_a_cold_start(fresh_database, make_settings):
    container = Container(make_settings(database_url=fresh_database))
    with container.database.transaction() as cur:
        cur.execute("SELECT 1")
    assert not table_exists(fresh_database, "users")
    assert not table_exists(fresh_database, "schema_migrations")


def test_the_api_user_confirms_an_up_to_date_schema_but_cannot_migrate_a_stale_one(fresh_database):
    app_url = with_user(fresh_database, f"api_{uuid.uuid4().hex[:8]}")
    migrate(fresh_database, app_url)
    assert migrate(app_url).applied == []  # nothing pending: a read, no rights needed

    with psycopg2.connect(fresh_database) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM schema_migrations WHERE version = %s", (ALL_VERSIONS[-1],))
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        migrate(app_url)


def test_the_api_user_must_not_be_the_owner(fresh_database):
    with pytest.raises(ConfigError, match="must not be the schema owner"):
        migrate(fresh_database, fresh_database)


def test_python_m_chalicelib_migrate_is_the_entry_point(fresh_database):
    user = f"api_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "chalicelib.migrate"], cwd=REPO, env=env | extra, capture_output=True, text=True
    )

    missing = run({"DATABASE_URL": with_user(fresh_database, user)})
    done = run({"DATABASE_OWNER_URL": fresh_database, "DATABASE_URL": with_user(fresh_database, user)})

    assert missing.returncode == 2 and "DATABASE_OWNER_URL" in missing.stderr
    assert done.returncode == 0, done.stderr
    assert f"applied {', '.join(ALL_VERSIONS)}; API user {user}" in done.stdout
    assert table_exists(fresh_database, "api_keys")

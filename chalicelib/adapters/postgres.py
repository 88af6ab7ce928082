"""PostgreSQL: transactions, versioned migrations, users and sign-in failures."""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg2
import psycopg2.errors

from chalicelib.adapters.postgres_pool import ConnectionPool, first_line
from chalicelib.domain.errors import Conflict, DependencyUnavailable
from chalicelib.domain.models import User
from chalicelib.domain.ports import AttemptLimiter, FailureCount, UserRepository

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_MIGRATION_LOCK_ID = 0x70616765  # "page": one migrator at a time
#: How long a request waits for a connection when every one is busy (a burst) before a 503.
POOL_WAIT_SECONDS = 5.0


class Database:
    """Transactions on pooled connections (``postgres_pool``); a broken connection is dropped, not reused."""

    def __init__(self, dsn: str, max_connections: int = 8, wait_seconds: float = POOL_WAIT_SECONDS) -> None:
        # tcp_user_timeout (ms): a connection kept across a failover may point at a host that no
        # longer answers at all; what it sends (the reuse check, a query) then fails in 10 s
        # rather than after TCP's own retries (about 15 minutes). Unix sockets ignore it.
        connect = functools.partial(psycopg2.connect, dsn, connect_timeout=5, tcp_user_timeout=10_000)
        self._pool = ConnectionPool(connect, max_connections, wait_seconds)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[psycopg2.extensions.cursor]:
        with self._pool.connection() as conn:
            try:
                with conn:
                    with conn.cursor() as cur:
                        yield cur
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                conn.close()  # not given back to the pool
                raise DependencyUnavailable(f"PostgreSQL does not answer: {first_line(exc)}") from exc

    def migrate(self) -> list[str]:
        """Apply pending migrations in order; returns the versions applied now."""
        applied_now = []
        with self.transaction() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK_ID,))
            # Looked up first: CREATE ... IF NOT EXISTS needs CREATE rights even when the table exists,
            # and a role without them may still confirm that nothing is pending.
            cur.execute("SELECT to_regclass('schema_migrations')")
            found = cur.fetchone()
            if found is None or found[0] is None:
                cur.execute(
                    "CREATE TABLE schema_migrations (version text PRIMARY KEY, "
                    "applied_at timestamptz NOT NULL DEFAULT now())"
                )
            cur.execute("SELECT version FROM schema_migrations")
            done = {row[0] for row in cur.fetchall()}
            for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
                version = path.stem
                if version in done:
                    continue
                cur.execute(path.read_text())
                cur.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (version,))
                applied_now.append(version)
        return applied_now

    def close(self) -> None:
        self._pool.close()


class PostgresUsers(UserRepository):
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, email: str, password_hash: str) -> User:
        user_id = str(uuid.uuid4())
        try:
            with self._db.transaction() as cur:
                cur.execute(
                    "INSERT INTO users (id, email, password_hash) VALUES (%s, %s, %s) RETURNING created_at",
                    (user_id, email, password_hash),
                )
                row = cur.fetchone()
                assert row is not None, "INSERT ... RETURNING returns its row"
                created_at = row[0]
        except psycopg2.errors.UniqueViolation:
            raise Conflict("An account with this e-mail already exists.", "email_taken", field="email") from None
        return User(user_id, email, password_hash, None, created_at)

    def by_email(self, email: str) -> User | None:
        return self._one(
            "SELECT id, email, password_hash, session_id, created_at FROM users WHERE lower(email) = lower(%s)",
            (email,),
        )

    def by_id(self, user_id: str) -> User | None:
        try:
            uuid.UUID(user_id)
        except ValueError:
            return None
        return self._one("SELECT id, email, password_hash, session_id, created_at FROM users WHERE id = %s", (user_id,))

    def set_session(self, user_id: str, session_id: str | None) -> None:
        with self._db.transaction() as cur:
            cur.execute("UPDATE users SET session_id = %s WHERE id = %s", (session_id, user_id))

    def set_password(self, user_id: str, password_hash: str, session_id: str) -> None:
        with self._db.transaction() as cur:
            cur.execute(
                "UPDATE users SET password_hash = %s, session_id = %s WHERE id = %s",
                (password_hash, session_id, user_id),
            )

    def remove(self, user_id: str) -> bool:
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM users WHERE id = %s", (user_id,))  # its API keys go with it (ON DELETE CASCADE)
            return cur.rowcount > 0

    def ping(self) -> None:
        with self._db.transaction() as cur:
            cur.execute("SELECT 1")

    def _one(self, sql: str, args: tuple[object, ...]) -> User | None:
        with self._db.transaction() as cur:
            cur.execute(sql, args)
            row = cur.fetchone()
        if row is None:
            return None
        return User(str(row[0]), row[1], row[2], str(row[3]) if row[3] else None, row[4])


class PostgresAttemptLimiter(AttemptLimiter):
    def __init__(self, db: Database) -> None:
        self._db = db

    def failures(self, key: str, since: datetime, until: datetime) -> FailureCount:
        with self._db.transaction() as cur:
            cur.execute(
                "SELECT count(*), min(failed_at), max(failed_at) FROM sign_in_failures "
                "WHERE key = %s AND failed_at > %s AND failed_at < %s",
                (key, since, until),
            )
            row = cur.fetchone()
        assert row is not None, "an aggregate query returns one row"
        count, oldest, newest = row
        return FailureCount(int(count), oldest, newest)

    def record_failure(self, key: str, at: datetime) -> None:
        with self._db.transaction() as cur:
            cur.execute("INSERT INTO sign_in_failures (key, failed_at) VALUES (%s, %s)", (key, at))
            # Keep the table small: what is older than a day can no longer throttle anyone.
            cur.execute("DELETE FROM sign_in_failures WHERE failed_at < %s - interval '1 day'", (at,))

    def clear(self, key: str) -> None:
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM sign_in_failures WHERE key = %s", (key,))

    def clear_prefix(self, prefix: str) -> None:
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM sign_in_failures WHERE key LIKE %s", (pattern,))

    def forget(self, key: str, at: datetime) -> None:
        with self._db.transaction() as cur:
            cur.execute(
                "DELETE FROM sign_in_failures WHERE ctid IN (SELECT ctid FROM sign_in_failures "
                "WHERE key = %s AND failed_at = %s LIMIT 1)",
                (key, at),
            )

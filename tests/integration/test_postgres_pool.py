"""Connections kept between transactions, checked before reuse, on the embedded PostgreSQL."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator

import psycopg2
import pytest

from chalicelib.adapters import postgres_pool
from chalicelib.adapters.postgres import Database
from chalicelib.adapters.postgres_pool import ConnectionPool
from chalicelib.domain.errors import DependencyUnavailable


def backend_pid(db: Database) -> int:
    with db.transaction() as cur:
        cur.execute("SELECT pg_backend_pid()")
        row = cur.fetchone()
    assert row is not None
    return int(row[0])


def terminate(owner_url: str, pid: int) -> None:
    """What a server restart, a failover or an idle timeout does to a connection."""
    with psycopg2.connect(owner_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert cur.fetchone() == (True,)
    conn.close()


def alive(owner_url: str, pid: int) -> bool:
    with psycopg2.connect(owner_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
        row = cur.fetchone()
    conn.close()
    return row == (1,)


def gone(owner_url: str, pid: int) -> bool:
    """True once the server process has ended (it exits a moment after its client closes)."""
    deadline = time.monotonic() + 10
    while alive(owner_url, pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url, max_connections=2, wait_seconds=5)
    yield database
    database.close()


def test_transactions_reuse_one_connection_instead_of_opening_one_each(db: Database) -> None:
    first = backend_pid(db)
    assert [backend_pid(db) for _ in range(5)] == [first] * 5


def test_a_connection_the_server_dropped_while_idle_is_replaced_without_an_error(
    db: Database, postgres_owner_url: str
) -> None:
    dropped = backend_pid(db)
    terminate(postgres_owner_url, dropped)

    replacement = backend_pid(db)  # no DependencyUnavailable: the check before reuse caught it

    assert replacement != dropped
    assert backend_pid(db) == replacement


def test_a_connection_that_breaks_inside_a_transaction_is_a_503_and_is_not_kept(
    db: Database, postgres_owner_url: str
) -> None:
    with pytest.raises(DependencyUnavailable, match="PostgreSQL does not answer"):
        with db.transaction() as cur:
            cur.execute("SELECT pg_backend_pid()")
            row = cur.fetchone()
            assert row is not None
            broken = int(row[0])
            terminate(postgres_owner_url, broken)
            cur.execute("SELECT 1")

    assert backend_pid(db) != broken


def test_a_failed_statement_rolls_back_and_leaves_the_connection_usable(db: Database) -> None:
    before = backend_pid(db)
    with pytest.raises(psycopg2.errors.DivisionByZero):
        with db.transaction() as cur:
            cur.execute("SELECT 1 / 0")

    assert backend_pid(db) == before


def test_a_connection_idle_for_too_long_is_closed_rather_than_reused(
    postgres_url: str, postgres_owner_url: str
) -> None:
    now = [1000.0]
    pool = ConnectionPool(
        functools.partial(psycopg2.connect, postgres_url), max_connections=1, wait_seconds=1, clock=lambda: now[0]
    )

    def pid() -> int:
        with pool.connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            row = cur.fetchone()
            conn.rollback()
        assert row is not None
        return int(row[0])

    first = pid()
    now[0] += postgres_pool.MAX_IDLE_SECONDS - 1
    assert pid() == first
    now[0] += postgres_pool.MAX_IDLE_SECONDS + 1
    second = pid()

    assert second != first
    assert gone(postgres_owner_url, first), "its server process was let go"
    pool.close()


def test_close_lets_idle_connections_go_and_closes_the_ones_out_when_they_come_back(
    postgres_url: str, postgres_owner_url: str
) -> None:
    db = Database(postgres_url, max_connections=2)
    idle = backend_pid(db)
    with db.transaction() as cur:
        cur.execute("SELECT pg_backend_pid()")
        row = cur.fetchone()
        assert row == (idle,)
        db.close()
        assert alive(postgres_owner_url, idle), "the connection in use stays usable until its transaction ends"
        cur.execute("SELECT 1")
    assert gone(postgres_owner_url, idle)

    fresh = backend_pid(db)  # a closed Database can still open a connection (a new stop would close it)
    assert fresh != idle
    db.close()
    assert gone(postgres_owner_url, fresh)


def test_a_server_that_is_down_is_a_503() -> None:
    db = Database("postgresql://nobody@127.0.0.1:9/none", max_connections=1)
    with pytest.raises(DependencyUnavailable, match="PostgreSQL does not answer"):
        with db.transaction():
            pass

"""PostgreSQL connections kept between requests, bounded, and checked before they are reused.

Opening a connection costs a server process, and on RDS a TLS handshake and a SCRAM
exchange: far more than the query a request makes. psycopg2's own pool keeps only
``minconn`` connections, and opens that many up front, so with ``minconn=0`` it closed every
connection it was given back. Here a connection goes back to an idle list (newest first) and
is reused, after one ``SELECT 1``: a server restart, an idle timeout or a frozen Lambda
container all leave sockets that look open until they are used (SQLAlchemy's "pre-ping").
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import psycopg2
import psycopg2.extensions

from chalicelib.domain.errors import DependencyUnavailable

#: A connection idle for longer than this is closed rather than reused (its server process freed).
MAX_IDLE_SECONDS = 600.0

Connection = psycopg2.extensions.connection


def first_line(exc: Exception) -> str:
    """The first line of a driver error: enough to say what went wrong, never a query's values."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class ConnectionPool:
    """At most ``max_connections`` connections out at once; a burst waits ``wait_seconds`` for one."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        max_connections: int,
        wait_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connect = connect
        self._max = max_connections
        self._wait = wait_seconds
        self._clock = clock
        self._free = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        self._idle: list[tuple[Connection, float]] = []  # (connection, when it was given back)
        self._generation = 0  # bumped by close(): connections out at that moment are not kept

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """A live connection for the block; given back afterwards, or closed if it broke."""
        if not self._free.acquire(timeout=self._wait):
            raise DependencyUnavailable(
                f"PostgreSQL does not answer: all {self._max} connections stayed busy for {self._wait:g} s"
            )
        try:
            generation = self._generation
            conn = self._reused() or self._opened()
            try:
                yield conn
            finally:
                self._give_back(conn, generation)
        finally:
            self._free.release()

    def close(self) -> None:
        """Close the idle connections; those out now are closed when they come back."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._generation += 1
        for conn, _ in idle:
            conn.close()

    def _opened(self) -> Connection:
        try:
            return self._connect()
        except psycopg2.OperationalError as exc:
            raise DependencyUnavailable(f"PostgreSQL does not answer: {first_line(exc)}") from exc

    def _reused(self) -> Connection | None:
        """The most recently returned connection that still works; stale ones are closed."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                conn, returned_at = self._idle.pop()
            idle_for = self._clock() - returned_at
            if idle_for > MAX_IDLE_SECONDS or not _answers(conn):
                conn.close()
                continue
            return conn

    def _give_back(self, conn: Connection, generation: int) -> None:
        usable = not conn.closed and conn.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_IDLE
        with self._lock:
            if usable and generation == self._generation:
                self._idle.append((conn, self._clock()))
                return
        conn.close()


def _answers(conn: Connection) -> bool:
    """One round trip (autocommit: no BEGIN, no ROLLBACK); False if the server is gone."""
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
        conn.autocommit = False
    except psycopg2.Error:  # whatever it is, this connection is not to be trusted again
        return False
    return True

"""API keys in PostgreSQL, beside the accounts they belong to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from chalicelib.adapters.postgres import Database
from chalicelib.domain.models import ApiKey
from chalicelib.domain.ports import ApiKeyRepository

_COLUMNS = "id, user_id, name, scopes, prefix, created_at, last_used_at"


class PostgresApiKeys(ApiKeyRepository):
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, user_id: str, name: str, scopes: tuple[str, ...], prefix: str, secret_hash: str) -> ApiKey:
        with self._db.transaction() as cur:
            cur.execute(
                f"INSERT INTO api_keys (id, user_id, name, scopes, prefix, secret_hash) "
                f"VALUES (%s, %s, %s, %s, %s, %s) RETURNING {_COLUMNS}",
                (str(uuid.uuid4()), user_id, name, list(scopes), prefix, secret_hash),
            )
            row = cur.fetchone()
            assert row is not None, "INSERT ... RETURNING returns its row"
            return _key(row)

    def for_user(self, user_id: str) -> list[ApiKey]:
        with self._db.transaction() as cur:
            cur.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE user_id = %s ORDER BY created_at DESC", (user_id,))
            return [_key(row) for row in cur.fetchall()]

    def by_hash(self, secret_hash: str) -> ApiKey | None:
        with self._db.transaction() as cur:
            cur.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE secret_hash = %s", (secret_hash,))
            row = cur.fetchone()
        return _key(row) if row else None

    def touch(self, key_id: str, at: datetime) -> None:
        with self._db.transaction() as cur:
            cur.execute("UPDATE api_keys SET last_used_at = %s WHERE id = %s", (at, key_id))

    def remove(self, user_id: str, key_id: str) -> bool:
        try:
            uuid.UUID(key_id)
        except ValueError:
            return False
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM api_keys WHERE id = %s AND user_id = %s", (key_id, user_id))
            return cur.rowcount == 1

    def remove_all(self, user_id: str) -> int:
        with self._db.transaction() as cur:
            cur.execute("DELETE FROM api_keys WHERE user_id = %s", (user_id,))
            return cur.rowcount


def _key(row: tuple[Any, ...]) -> ApiKey:
    return ApiKey(str(row[0]), str(row[1]), row[2], tuple(row[3]), row[4], row[5], row[6])

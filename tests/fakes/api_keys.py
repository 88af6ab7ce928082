"""In-memory ApiKeyRepository, typed against the port it stands in for."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from chalicelib.domain.models import ApiKey
from chalicelib.domain.ports import ApiKeyRepository


class MemoryApiKeys(ApiKeyRepository):
    def __init__(self) -> None:
        self.keys: dict[str, tuple[ApiKey, str]] = {}

    def add(self, user_id: str, name: str, scopes: tuple[str, ...], prefix: str, secret_hash: str) -> ApiKey:
        key = ApiKey(str(uuid.uuid4()), user_id, name, scopes, prefix, datetime.now(UTC))
        self.keys[key.id] = (key, secret_hash)
        return key

    def for_user(self, user_id: str) -> list[ApiKey]:
        return [key for key, _ in reversed(self.keys.values()) if key.user_id == user_id]

    def by_hash(self, secret_hash: str) -> ApiKey | None:
        return next((key for key, stored in self.keys.values() if stored == secret_hash), None)

    def touch(self, key_id: str, at: datetime) -> None:
        key, stored = self.keys[key_id]
        self.keys[key_id] = (replace(key, last_used_at=at), stored)

    def remove_all(self, user_id: str) -> int:
        mine = [key.id for key, _ in self.keys.values() if key.user_id == user_id]
        for key_id in mine:
            del self.keys[key_id]
        return len(mine)

    def remove(self, user_id: str, key_id: str) -> bool:
        key = self.keys.get(key_id, (None, ""))[0]
        if key is None or key.user_id != user_id:
            return False
        del self.keys[key_id]
        return True

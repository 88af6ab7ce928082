"""In-memory UserRepository and AttemptLimiter, typed against the ports they stand in for."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from chalicelib.domain.errors import Conflict
from chalicelib.domain.models import User
from chalicelib.domain.ports import AttemptLimiter, FailureCount, UserRepository


class MemoryUsers(UserRepository):
    def __init__(self) -> None:
        self.users: dict[str, User] = {}

    def add(self, email: str, password_hash: str) -> User:
        if self.by_email(email):
            raise Conflict("taken", "email_taken", field="email")
        user = User(str(uuid.uuid4()), email, password_hash)
        self.users[user.id] = user
        return user

    def by_email(self, email: str) -> User | None:
        return next((u for u in self.users.values() if u.email.lower() == email.lower()), None)

    def by_id(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def set_session(self, user_id: str, session_id: str | None) -> None:
        self.users[user_id] = replace(self.users[user_id], session_id=session_id)

    def set_password(self, user_id: str, password_hash: str, session_id: str) -> None:
        self.users[user_id] = replace(self.users[user_id], password_hash=password_hash, session_id=session_id)

    def remove(self, user_id: str) -> bool:
        return self.users.pop(user_id, None) is not None

    def ping(self) -> None:
        return None


class MemoryLimiter(AttemptLimiter):
    def __init__(self) -> None:
        self.failed: dict[str, list[datetime]] = {}

    def failures(self, key: str, since: datetime, until: datetime) -> FailureCount:
        recent = [at for at in list(self.failed.get(key, [])) if since < at < until]
        return FailureCount(len(recent), min(recent, default=None), max(recent, default=None))

    def record_failure(self, key: str, at: datetime) -> None:
        self.failed.setdefault(key, []).append(at)

    def clear(self, key: str) -> None:
        self.failed.pop(key, None)

    def clear_prefix(self, prefix: str) -> None:
        for key in [k for k in self.failed if k.startswith(prefix)]:
            del self.failed[key]

    def forget(self, key: str, at: datetime) -> None:
        if at in self.failed.get(key, []):
            self.failed[key].remove(at)

"""Closing an account: the owner's password, then every trace of them, store by store.

Order matters. The session and the API keys die first, so nothing new arrives while the
data goes; then each store erases what it holds of the user (PDFs, thumbnails and sources in
S3; entries, idempotency markers, usage counters and the webhook secret in DynamoDB); the
account row goes last, so a store that fails half-way leaves an account its owner can sign
in to and close again. A converter still rendering finds its entry gone and deletes its PDF.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.accounts import AccountService
from chalicelib.domain.models import User
from chalicelib.domain.ports import AccountEraser, ApiKeyRepository, UserRepository


class AccountClosure:
    def __init__(
        self,
        accounts: AccountService,
        users: UserRepository,
        api_keys: ApiKeyRepository,
        erasers: Sequence[AccountEraser],
    ) -> None:
        self._accounts = accounts
        self._users = users
        self._api_keys = api_keys
        self._erasers = erasers

    def close(self, user: User, password: object, client: str) -> None:
        self._accounts.confirm_password(user, password, client)
        self._users.set_session(user.id, None)
        self._api_keys.remove_all(user.id)
        for eraser in self._erasers:
            eraser.erase(user.id)
        self._accounts.forget(user)

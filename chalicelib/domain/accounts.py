"""Accounts: sign-up, sign-in with throttling, one active session per user, sign-out."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email

from chalicelib.domain import passwords, tokens
from chalicelib.domain.errors import AuthenticationFailed, InvalidInput
from chalicelib.domain.models import User
from chalicelib.domain.ports import ApiKeyRepository, AttemptLimiter, UserRepository
from chalicelib.domain.signin_throttle import SignInLimits, SignInThrottle

_WRONG_CREDENTIALS = "The e-mail or the password is wrong."


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime


def normalise_email(raw: object) -> str:
    """Syntax-checked e-mail in one spelling per address: NFKC, then case-folded, so
    "ａｌｉｃｅ@example.com", "ALICE@example.com" and "alice@example.com" are one account."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("Enter your e-mail address.", field="email")
    try:
        checked = validate_email(unicodedata.normalize("NFKC", raw.strip()), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"That is not a valid e-mail address: {exc}", field="email") from None
    return unicodedata.normalize("NFKC", checked.normalized.casefold())


def check_password_rules(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidInput("Enter a password.", field="password")
    if not passwords.MIN_LENGTH <= len(raw) <= passwords.MAX_LENGTH:
        raise InvalidInput(
            f"The password must be {passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters long.",
            field="password",
        )
    return raw


class AccountService:
    def __init__(
        self,
        users: UserRepository,
        limiter: AttemptLimiter,
        secret: Callable[[], str],
        *,
        token_ttl_seconds: int,
        bcrypt_rounds: int,
        limits: SignInLimits,
        api_keys: ApiKeyRepository | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._users = users
        self._api_keys = api_keys
        self._throttle = SignInThrottle(limiter, limits, now)
        self._secret = secret
        self._ttl = token_ttl_seconds
        self._rounds = bcrypt_rounds
        self._now = now

    def sign_up(self, email: object, password: object) -> User:
        address = normalise_email(email)
        secret = check_password_rules(password)
        return self._users.add(address, passwords.hash_password(secret, self._rounds))

    def sign_in(self, email: object, password: object, client: str) -> IssuedSession:
        """Same answer, and about the same time, for an unknown e-mail and a wrong password."""
        try:
            address = normalise_email(email)  # the same spelling sign-up stored (IDNA, Unicode forms, case)
        except InvalidInput:
            address = ""  # not an address: answered like an unknown one, dummy check included
        secret = password if isinstance(password, str) else ""
        attempt = self._throttle.admit(address, client)  # a failure until it succeeds
        user = self._users.by_email(address) if address else None
        matches = passwords.verify_password(secret, user.password_hash if user else passwords.dummy_hash(self._rounds))
        if user is None or not matches:
            raise AuthenticationFailed(_WRONG_CREDENTIALS, "invalid_credentials")
        self._throttle.succeeded(attempt)
        session_id = str(uuid.uuid4())
        self._users.set_session(user.id, session_id)
        return self._issue(user.id, session_id)

    def _issue(self, user_id: str, session_id: str) -> IssuedSession:
        token, expires_at = tokens.issue(self._secret(), user_id, session_id, self._now(), self._ttl)
        return IssuedSession(token, expires_at)

    def confirm_password(self, user: User, password: object, client: str, field: str = "password") -> None:
        """For what only the account's owner may do: their password again, throttled like a
        sign-in (a stolen session must not become a way to guess it). 401 when wrong."""
        attempt = self._throttle.admit(user.email, client)
        if not passwords.verify_password(password if isinstance(password, str) else "", user.password_hash):
            raise AuthenticationFailed("The password is wrong.", "wrong_password", field=field)
        self._throttle.succeeded(attempt)

    def change_password(self, user: User, current: object, new: object, client: str) -> IssuedSession:
        """A new password and a new session; every other session and every API key stop working."""
        try:
            secret = check_password_rules(new)
        except InvalidInput as refused:
            refused.field = "new_password"
            raise
        self.confirm_password(user, current, client, "current_password")
        session_id = str(uuid.uuid4())
        self._users.set_password(user.id, passwords.hash_password(secret, self._rounds), session_id)
        if self._api_keys is not None:
            self._api_keys.remove_all(user.id)
        return self._issue(user.id, session_id)

    def forget(self, user: User) -> None:
        """The account's own row and every sign-in failure naming its e-mail (after its data is gone)."""
        self._users.remove(user.id)
        self._throttle.forget_account(user.email)

    def authenticate(self, authorization: str | None) -> User:
        """The user a bearer token belongs to, if it is their one live session."""
        if not authorization:
            raise AuthenticationFailed("Sign in to continue.", "token_missing")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.", "token_invalid")
        claims = tokens.decode(self._secret(), token.strip())
        user = self._users.by_id(claims.user_id)
        if user is None:
            raise AuthenticationFailed("The token is not valid. Please sign in again.", "token_invalid")
        if user.session_id is None:
            raise AuthenticationFailed("You signed out. Please sign in again.", "signed_out")
        if user.session_id != claims.session_id:
            raise AuthenticationFailed(
                "You were signed out because your account signed in somewhere else.", "session_replaced"
            )
        return user

    def sign_out(self, user: User) -> None:
        self._users.set_session(user.id, None)

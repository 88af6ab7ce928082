"""Sign-up, sign-in (and the original README's spellings), sign-out, and who am I."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from api import schemas
from api.routing import client_address, json_response, route, signed_in_user
from chalicelib.wiring import container

if TYPE_CHECKING:  # importing the accounts service loads bcrypt's native module: only when a route needs it
    from chalicelib.domain.accounts import IssuedSession

accounts = Blueprint(__name__)
_CREDENTIALS = frozenset({"email", "password"})
_PASSWORD_CHANGE = frozenset({"current_password", "new_password"})
_CONFIRMATION = frozenset({"password"})


def _credentials() -> dict:
    return _body(_CREDENTIALS)


@route(accounts, "/sign-up", methods=["POST"])
def sign_up():
    body = _credentials()
    user = container().accounts.sign_up(body.get("email"), body.get("password"))
    return json_response(schemas.account(user), 201)


@route(accounts, "/sign-in", methods=["POST"])
def sign_in():
    body = _credentials()
    session = container().accounts.sign_in(
        body.get("email"), body.get("password"), client_address(accounts.current_request)
    )
    return json_response(_session(session))


def _session(session: IssuedSession) -> dict[str, str]:
    return {"token": session.token, "expires_at": session.expires_at.isoformat().replace("+00:00", "Z")}


def _body(allowed: frozenset[str]) -> dict:
    return schemas.json_object(accounts.current_request, container().settings.max_body_bytes, allowed)


# The seed README documented these misspellings; clients written against it keep working.
route(accounts, "/sing-up", methods=["POST"])(sign_up)
route(accounts, "/sing-in", methods=["POST"])(sign_in)


@route(accounts, "/sign-out", methods=["POST"], takes_body=False)
def sign_out():
    container().accounts.sign_out(signed_in_user(accounts.current_request))
    return json_response(None, 204)


@route(accounts, "/me", methods=["GET"], takes_body=False)
def me():
    return json_response(schemas.account(signed_in_user(accounts.current_request)))


@route(accounts, "/password", methods=["POST"])
def change_password():
    """Session only (not an API key): a new password ends every other session and every key."""
    request = accounts.current_request
    user = signed_in_user(request)
    body = _body(_PASSWORD_CHANGE)
    session = container().accounts.change_password(
        user, body.get("current_password"), body.get("new_password"), client_address(request)
    )
    return json_response(_session(session))


@route(accounts, "/me", methods=["DELETE"])
def close_account():
    """Session only: with the password, the account and everything of it are gone."""
    request = accounts.current_request
    user = signed_in_user(request)
    body = _body(_CONFIRMATION)
    container().account_closure.close(user, body.get("password"), client_address(request))
    return json_response(None, 204)

"""Sign-up, sign-in (and the original README's spellings), sign-out, and who am I."""

from __future__ import annotations

from chalice import Blueprint

from api import schemas
from api.routing import client_address, json_response, route, signed_in_user
from chalicelib.wiring import container

accounts = Blueprint(__name__)
_CREDENTIALS = frozenset({"email", "password"})


def _credentials() -> dict:
    settings = container().settings
    return schemas.json_object(accounts.current_request, settings.max_body_bytes, _CREDENTIALS)


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
    expires_at = session.expires_at.isoformat().replace("+00:00", "Z")
    return json_response({"token": session.token, "expires_at": expires_at})


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

"""API keys: create (the secret shown once), list, revoke. Managing keys needs a signed-in session."""

from __future__ import annotations

from chalice import Blueprint

from api import schemas
from api.routing import json_response, route, signed_in_user
from chalicelib.wiring import container

keys = Blueprint(__name__)
_KEY_FIELDS = frozenset({"name", "scopes"})


@route(keys, "/keys", methods=["POST"])
def create_key():
    request = keys.current_request
    user = signed_in_user(request)
    body = schemas.json_object(request, container().settings.max_body_bytes, _KEY_FIELDS)
    issued = container().api_keys.create(user, body.get("name"), body.get("scopes"))
    return json_response({**schemas.api_key(issued.key), "key": issued.secret}, 201)


@route(keys, "/keys", methods=["GET"], takes_body=False)
def list_keys():
    user = signed_in_user(keys.current_request)
    return json_response({"keys": [schemas.api_key(key) for key in container().api_keys.list(user)]})


@route(keys, "/keys/{key_id}", methods=["DELETE"], takes_body=False)
def revoke_key(key_id: str):
    container().api_keys.revoke(signed_in_user(keys.current_request), key_id)
    return json_response(None, 204)

"""The account's webhook signing secret: read it, or rotate it. Needs a signed-in session."""

from __future__ import annotations

from chalice import Blueprint

from api.routing import json_response, route, signed_in_user
from chalicelib.wiring import container

webhooks = Blueprint(__name__)


@route(webhooks, "/webhooks/secret", methods=["GET"], takes_body=False)
def webhook_secret():
    return json_response({"secret": container().webhook_secrets.current(signed_in_user(webhooks.current_request))})


@route(webhooks, "/webhooks/secret", methods=["POST"], takes_body=False)
def rotate_webhook_secret():
    return json_response({"secret": container().webhook_secrets.rotate(signed_in_user(webhooks.current_request))})

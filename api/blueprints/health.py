"""Health: 200 when every dependency answers, 503 naming the one that does not."""
from __future__ import annotations

from chalice import Blueprint

from api.routing import json_response, route
from chalicelib.wiring import container

health = Blueprint(__name__)


@route(health, "/health", methods=["GET"], takes_body=False)
def check_health():
    checks = container().health()
    healthy = all(value == "ok" for value in checks.values())
    return json_response({"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503)

"""Health: 200 when every dependency answers, 503 naming the one that does not."""

from __future__ import annotations

from chalice import Blueprint

from api.log import logger
from api.routing import json_response, route
from chalicelib.domain.errors import DependencyUnavailable
from chalicelib.wiring import container

health = Blueprint(__name__)


@route(health, "/health", methods=["GET"], takes_body=False)
def check_health():
    problems = container().health()
    failing = {name: detail for name, detail in problems.items() if detail is not None}
    if failing:  # the details name hosts and addresses: logged, not shown to anonymous callers
        logger.warning("dependencies unavailable", extra={"failing": failing})
    checks = {name: "unavailable" if name in failing else "ok" for name in problems}
    healthy = not failing
    body = {"status": "ok" if healthy else "unavailable", "stage": container().settings.stage, "checks": checks}
    if healthy:
        return json_response(body)
    return json_response(body, 503, {"Retry-After": str(DependencyUnavailable.retry_after_seconds)})

"""What the signed-in user has used of their limits."""

from __future__ import annotations

from chalice import Blueprint

from api.routing import json_response, route, signed_in_user
from chalicelib.wiring import container

usage = Blueprint(__name__)


@route(usage, "/usage", methods=["GET"], takes_body=False)
def show_usage():
    used = container().usage.usage(signed_in_user(usage.current_request))
    limits = used.limits
    return json_response(
        {
            "requests_per_minute": {"used": used.requests_this_minute, "limit": limits.requests_per_minute},
            "unfinished_jobs": {"used": used.unfinished_jobs, "limit": limits.max_unfinished_jobs},
            "stored_bytes": {"used": used.stored_bytes, "limit": limits.max_stored_bytes},
            "files": used.files,
        }
    )

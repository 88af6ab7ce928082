"""The API against its contract: Schemathesis generates requests from api/openapi.yaml.

The real app answers over real HTTP (devstack's server, Chalice's LocalGateway) on the
test stack (embedded PostgreSQL, moto). Every operation gets the schema's examples, the
coverage phase's boundary and invalid values, and fuzzed valid and invalid data; a
response must never be a 5xx, must have a documented status, content type, headers and
body, and invalid data must be refused with a 4xx.

Authentication: one user signs in before the run and every secured case carries its
token, except sign-out, which would end that session: it gets a fresh session of a
throwaway user each time. Generated sign-ins use other e-mails, so they can neither
replace the token nor throttle it (the per-client limit is raised for the run).
"""

from __future__ import annotations

import uuid

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config._checks import NegativeDataRejectionConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.domain.models import object_key
from tests.support.local_server import serving
from tests.support.paths import REPO

SPEC = REPO / "api" / "openapi.yaml"
PASSWORD = "correct horse battery"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
MAX_EXAMPLES = 25
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(
        egress_allow=f"127.0.0.1:{page_server.port}",
        signin_max_failures_per_client=10_000,
        user_requests_per_minute=10_000,
        user_max_unfinished_jobs=10_000,
    )


@pytest.fixture
def base_url(wired):
    """The app on a loopback port, as `make run` serves it."""
    with serving(wired.settings.max_request_bytes) as port:
        yield f"http://127.0.0.1:{port}/api/v1"


def _session_for(base: str, email: str) -> tuple[str, str]:
    """Sign up and sign in; the account id and a token."""
    created = requests.post(f"{base}/sign-up", json={"email": email, "password": PASSWORD}, timeout=10)
    assert created.status_code == 201, created.text
    signed_in = requests.post(f"{base}/sign-in", json={"email": email, "password": PASSWORD}, timeout=10)
    assert signed_in.status_code == 200, signed_in.text
    return created.json()["id"], signed_in.json()["token"]


def _seed_files(base: str, token: str, user_id: str, wired, page_server) -> list[str]:
    """A pending, a ready and a failed file, so lists, downloads and retries have something to answer."""
    names = []
    for index in range(3):
        url = page_server.page(f"/seed-{index}", f"<title>Seed {index}</title><p>seed</p>")
        response = requests.post(
            f"{base}/request", json={"url": url}, timeout=10, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 202, response.text
        names.append(response.json()["name"])
    _, ready, failed = names
    wired.object_store.put_pdf(object_key(user_id, ready), b"%PDF-1.7 seed", {"correlation-id": "seed"})
    assert wired.file_index.mark_processing(user_id, ready, 1)
    assert wired.file_index.mark_ready(user_id, ready, title="Seed 1", size=13, pages=1, warnings=())
    assert wired.file_index.mark_processing(user_id, failed, 1)
    assert wired.file_index.mark_failed(user_id, failed, code="http_error", message="The page answered HTTP 500")
    return names


@pytest.fixture
def contract(request, base_url, wired, page_server):
    """The schema, aimed at the running app, with auth and seeded files."""
    # Schemathesis 4.32's lazy schema renames the node through `_nodeid`, which pytest 9 no longer sets.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    user_id, token = _session_for(base_url, f"contract-{uuid.uuid4().hex[:8]}@example.com")
    kept = _seed_files(base_url, token, user_id, wired, page_server)  # pending, ready, failed
    disposable = _seed_files(base_url, token, user_id, wired, page_server)  # for DELETE to remove
    page = page_server.page("/page", "<title>A page</title><p>Hello</p>")

    schema = schemathesis.openapi.from_path(SPEC)
    schema.config.update(base_url=base_url, request_timeout=30)
    schema.config.generation.update(
        modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        deterministic=True,
        database="none",
    )
    schema.config.seed = 20240601
    # Invalid data must be refused with a 4xx; 413 (a body over MAX_BODY_BYTES) is one, though not in the default list.
    schema.config.checks.negative_data_rejection = NegativeDataRejectionConfig(expected_statuses=REJECTED)

    class BearerToken:
        """The run's user for every secured operation; a throwaway session for sign-out."""

        def get(self, case, context):
            if case.operation.definition.raw.get("operationId") == "signOut":
                return _session_for(base_url, f"leaving-{uuid.uuid4().hex[:12]}@example.com")[1]
            return token

        def set(self, case, data, context):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    schema.auth(refresh_interval=None)(BearerToken)

    # Random names and URLs almost never hit a file or a fetchable page, so valid-looking values
    # are sometimes swapped for real ones: the success paths answer too, not only 404 and 400.
    # Values a negative case made invalid (a name too long, a URL too long or not a string) are kept.
    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        name = (path_parameters or {}).get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            return st.just(path_parameters)
        pool = disposable if context.operation.method.upper() == "DELETE" else kept
        return st.one_of(
            st.just(path_parameters), st.sampled_from(pool).map(lambda real: {**path_parameters, "name": real})
        )

    @schema.hook
    def flatmap_body(context, body):
        if context.operation.path != "/request" or not isinstance(body, dict):
            return st.just(body)
        url = body.get("url")
        if not isinstance(url, str) or not 1 <= len(url) <= 2048:
            return st.just(body)
        return st.one_of(st.just(body), st.just({**body, "url": page}))

    return schema


schema = schemathesis.pytest.from_fixture("contract")


@schema.parametrize()
@hypothesis.settings(
    deadline=None,
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_api_keeps_its_contract(case):
    case.call_and_validate(checks=CHECKS)

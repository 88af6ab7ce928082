"""Webhook POSTs under the converter's egress rules, dialling only the addresses just vetted.

The name is resolved and every answer checked (``EgressPolicy.resolve``, as the converter's
proxy does), then the connection goes to one of those addresses with the name kept for
the Host header and TLS (SNI and certificate check): a DNS answer that changes between
the check and the connection (rebinding) cannot move the request. No redirects, one
overall deadline.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import urllib3

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.ports import WebhookPoster
from chalicelib.domain.webhooks import DeliveryFailed, DeliveryRefused
from chalicelib.egress import EgressPolicy


class PinnedHttpPoster(WebhookPoster):
    def __init__(self, policy: EgressPolicy, timeout_seconds: float) -> None:
        self._policy = policy
        self._timeout = timeout_seconds

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            target = self._policy.parse_url(url)
            addresses = self._policy.resolve(target.host, target.port)
        except InvalidInput as refused:  # Blocked included
            raise DeliveryRefused(refused.message) from None
        parts = urlsplit(target.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.netloc  # the name (and a non-default port) as the URL gave it
        deadline = time.monotonic() + self._timeout
        problem = "no address to try"
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                problem = f"no answer within {self._timeout:g} seconds"
                break
            pool = self._pool(target.scheme, target.host, address, target.port)
            try:
                response = pool.urlopen(
                    "POST",
                    path,
                    body=body,
                    headers={**headers, "Host": host_header},
                    redirect=False,
                    retries=False,
                    preload_content=False,
                    timeout=urllib3.Timeout(total=remaining),
                )
                response.release_conn()
                return response.status
            except urllib3.exceptions.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            finally:
                pool.close()
        raise DeliveryFailed(problem)

    @staticmethod
    def _pool(scheme: str, host: str, address: str, port: int) -> urllib3.HTTPConnectionPool:
        if scheme == "https":
            return urllib3.HTTPSConnectionPool(
                address, port, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED", maxsize=1
            )
        return urllib3.HTTPConnectionPool(address, port, maxsize=1)

"""Whether a failed navigation is retried follows Chromium's error code, not the words around it."""

from __future__ import annotations

import pytest

from chalicelib.egress import RefusalKind
from converter import failures
from converter.egress_proxy import BlockedRequest


@pytest.mark.parametrize(
    ("error_text", "code", "permanent"),
    [
        ("page.goto: net::ERR_NAME_NOT_RESOLVED at https://nowhere.example/", "dns_failure", True),
        ("net::ERR_CONNECTION_REFUSED", "connection_failed", False),
        ("page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://self-signed.example/", "tls_error", True),
        ("page.goto: net::ERR_SSL_PROTOCOL_ERROR", "tls_error", True),
        ("Download is starting", "not_a_page", True),
    ],
)
def test_a_known_chromium_code_decides_code_and_retry(error_text: str, code: str, permanent: bool) -> None:
    failure = failures.navigation_failure(error_text)
    assert (failure.code, failure.permanent) == (code, permanent)


def test_the_wording_around_the_code_does_not_matter() -> None:
    reworded = failures.navigation_failure("Navigation went wrong (net::ERR_NAME_NOT_RESOLVED); call log: ...")
    assert (reworded.code, reworded.permanent) == ("dns_failure", True)


def test_a_message_that_only_describes_a_failure_in_words_is_not_classified_by_them() -> None:
    failure = failures.navigation_failure("The name does not resolve and the certificate is invalid")
    assert (failure.code, failure.permanent) == ("navigation_failed", False)


def test_an_unknown_code_is_transient_and_keeps_the_first_line_for_people() -> None:
    failure = failures.navigation_failure("page.goto: net::ERR_SOMETHING_NEW\nCall log:\n  - navigating")
    assert (failure.code, failure.permanent) == ("navigation_failed", False)
    assert "net::ERR_SOMETHING_NEW" in failure.message and "Call log" not in failure.message


@pytest.mark.parametrize(
    ("kind", "code", "permanent"),
    [
        (RefusalKind.UNRESOLVED, "dns_failure", True),
        (RefusalKind.LOOKUP_TIMEOUT, "dns_failure", False),
        (RefusalKind.FORBIDDEN, "blocked", True),
    ],
)
def test_a_guard_refusal_is_classified_by_its_kind_whatever_its_reason_says(
    kind: RefusalKind, code: str, permanent: bool
) -> None:
    refusal = BlockedRequest("https://x.example/", "x.example", 443, "does not resolve", kind)
    failure = failures.egress_refusal(refusal)
    assert (failure.code, failure.permanent) == (code, permanent)

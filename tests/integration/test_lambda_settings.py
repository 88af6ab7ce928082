"""What only the local stack may use is refused on AWS Lambda, clearly and without a crash."""

from __future__ import annotations

import pytest

from chalicelib.config import ConfigError, Settings


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(on_lambda=True, credentials_kms_key_id=None, egress_allow=f"127.0.0.1:{page_server.port}")


def test_settings_know_they_run_on_lambda_from_its_environment():
    assert Settings.from_env({"AWS_LAMBDA_FUNCTION_NAME": "pagepress-api"}).on_lambda
    assert not Settings.from_env({}).on_lambda


def test_on_lambda_without_a_kms_key_there_is_no_credential_sealer(wired):
    with pytest.raises(ConfigError, match="CREDENTIALS_KMS_KEY_ID"):
        _ = wired.credential_sealer


def test_a_request_with_headers_is_a_503_naming_no_secret_and_records_nothing(http, page_server):
    token = http.token()
    url = page_server.page("/private", "<p>private</p>")
    response = http.call(
        "POST",
        "/request",
        {"url": url, "options": {"headers": {"Authorization": "Bearer page-secret"}}},
        token=token,
    )
    assert response.status_code == 503, response.json
    assert response.json["error"]["code"] == "misconfigured"
    assert "page-secret" not in str(response.json)
    assert http.call("GET", "/files", token=token).json["files"] == []

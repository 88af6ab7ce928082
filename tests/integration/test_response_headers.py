"""Every API answer carries nosniff and no-store; the SPA `make run` serves has the nginx image's CSP."""

from __future__ import annotations

import re
import subprocess

import pytest
import requests

from tests.support.local_server import serving
from tests.support.paths import REPO


@pytest.fixture
def base(wired, tmp_path):
    spa = tmp_path / "dist"
    spa.mkdir()
    (spa / "index.html").write_text("<!doctype html><title>PagePress</title>")
    with serving(wired.settings.max_body_bytes, spa) as port:
        yield f"http://127.0.0.1:{port}"


def _assert_api_headers(response):
    assert response.headers.get("X-Content-Type-Options") == "nosniff", (response.status_code, response.headers)
    assert response.headers.get("Cache-Control") == "no-store", (response.status_code, response.headers)


def test_every_kind_of_api_answer_is_nosniff_and_no_store(base, http):
    token = http.token()
    auth = {"Authorization": f"Bearer {token}"}
    answers = [
        requests.get(f"{base}/api/v1/health", timeout=30),  # a view
        requests.get(f"{base}/api/v1/me", timeout=30),  # our error (401)
        requests.get(f"{base}/api/v1/files?limit=x", headers=auth, timeout=30),  # 400
        requests.put(f"{base}/api/v1/me", headers=auth, timeout=30),  # Chalice's own 405
        requests.get(f"{base}/api/v1/no-such-route", timeout=30),  # the local server's own 404
        requests.post(f"{base}/api/v1/sign-in", data=b"x" * 100_000, timeout=30),  # its 413
    ]
    for response in answers:
        _assert_api_headers(response)


def _nginx_csp(tmp_path) -> str:
    """The CSP the SPA image writes for a same-origin API, by running its own start-up script."""
    out = tmp_path / "nginx"
    subprocess.run(
        ["sh", str(REPO / "frontend-build" / "nginx" / "40-pagepress-config.sh")],
        check=True,
        env={"PAGEPRESS_CONFIG_DIR": str(out), "PATH": "/usr/bin:/bin"},
        capture_output=True,
    )
    return re.fullmatch(r'set \$pagepress_csp "(.*)";\n', (out / "csp.conf").read_text()).group(1)


def _nginx_static_headers() -> dict[str, str]:
    conf = (REPO / "frontend-build" / "nginx" / "security-headers.conf").read_text()
    return {name.lower(): value for name, value in re.findall(r'add_header ([\w-]+) "([^"]*)" always;', conf)}


def test_the_spa_served_by_make_run_has_the_same_security_headers_as_the_nginx_image(base, tmp_path):
    response = requests.get(f"{base}/sign-in", timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == _nginx_csp(tmp_path)
    expected = _nginx_static_headers()
    expected.pop("strict-transport-security")  # meaningless on make run's plain-http loopback
    served = {name.lower(): value for name, value in response.headers.items()}
    assert {name: served.get(name) for name in expected} == expected


def test_the_nginx_image_lets_screenshots_load_from_the_files_origins_only(tmp_path):
    script = str(REPO / "frontend-build" / "nginx" / "40-pagepress-config.sh")
    files = "https://b.s3.amazonaws.com https://b.s3.eu-west-1.amazonaws.com"
    env = {"PAGEPRESS_CONFIG_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "FILES_ORIGIN": files}
    subprocess.run(["sh", script], check=True, env=env, capture_output=True)
    csp = (tmp_path / "csp.conf").read_text()
    assert f"img-src 'self' data: {files};" in csp and "connect-src 'self';" in csp
    refused = subprocess.run(["sh", script], env={**env, "FILES_ORIGIN": "http://b"}, capture_output=True)
    assert refused.returncode != 0 and b"FILES_ORIGIN" in refused.stderr

"""The SPA image's nginx forwards /api/ to API Gateway over verified TLS, as its start-up script writes it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support.paths import REPO

NGINX = REPO / "frontend-build" / "nginx"
HOST = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"


def configure(tmp_path: Path, nameserver: str = "10.100.0.10", **env: str) -> subprocess.CompletedProcess[str]:
    resolv = tmp_path / "resolv.conf"
    resolv.write_text(f"search pagepress-dev.svc.cluster.local\nnameserver {nameserver}\n")
    return subprocess.run(
        ["sh", str(NGINX / "40-pagepress-config.sh")],
        env={"PAGEPRESS_CONFIG_DIR": str(tmp_path / "out"), "RESOLV_CONF": str(resolv), "PATH": "/usr/bin:/bin"} | env,
        capture_output=True,
        text=True,
    )


def test_api_upstream_becomes_a_verified_tls_proxy_resolved_per_request(tmp_path):
    result = configure(tmp_path, API_UPSTREAM=HOST)
    assert result.returncode == 0, result.stderr
    conf = (tmp_path / "out" / "api-proxy.conf").read_text()
    assert "resolver 10.100.0.10 valid=30s;" in conf
    assert "location /api/ {" in conf
    assert f'set $pagepress_api "{HOST}";' in conf
    # A variable in proxy_pass: resolved at request time, and the request's own URI passed on.
    assert "proxy_pass https://$pagepress_api;" in conf
    for directive in (
        "proxy_set_header Host $pagepress_api;",
        "proxy_ssl_server_name on;",
        "proxy_ssl_name $pagepress_api;",
        "proxy_ssl_verify on;",
        "proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;",
        # The ALB's header unchanged: its last hop is the client (api/routing.py walks from the right).
        "proxy_set_header X-Forwarded-For $http_x_forwarded_for;",
    ):
        assert directive in conf
    limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert limit and int(limit.group(1)) * 1024 * 1024 > 16 * 1024 + 2 * 2 * 1024 * 1024, "the API's largest body"


def test_an_ipv6_nameserver_is_bracketed(tmp_path):
    assert configure(tmp_path, nameserver="fd00::a", API_UPSTREAM=HOST).returncode == 0
    assert "resolver [fd00::a] valid=30s;" in (tmp_path / "out" / "api-proxy.conf").read_text()


def test_without_api_upstream_nothing_is_forwarded(tmp_path):
    assert configure(tmp_path).returncode == 0
    assert (tmp_path / "out" / "api-proxy.conf").read_text() == ""


def test_an_upstream_that_is_not_a_host_name_stops_the_container(tmp_path):
    for bad in ("evil;host", "host name", "https://x.example.com", "x.example.com/path", "onelabel"):
        result = configure(tmp_path, API_UPSTREAM=bad)
        assert result.returncode == 1 and "API_UPSTREAM must be a host name" in result.stderr, bad
        assert not (tmp_path / "out" / "api-proxy.conf").exists()


def test_the_server_block_includes_the_proxy():
    conf = (NGINX / "default.conf").read_text()
    server = conf[conf.index("server {") :]
    assert "include /tmp/pagepress/api-proxy.conf;" in server

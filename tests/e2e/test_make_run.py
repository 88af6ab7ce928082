"""End to end through `make run`: accounts, a conversion of a loopback page, and a graceful restart."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.support.pages import Reply
from tests.support.pdf import pdf_text
from tests.support.polling import poll_until
from tests.support.stack import RunningApp

pytestmark = pytest.mark.e2e


class Client:
    def __init__(self, app: RunningApp) -> None:
        self.app = app
        self.token = ""

    def call(self, method: str, path: str, json=None, token=None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token}"} if (token or self.token) else {}
        return requests.request(
            method, self.app.base + "/api/v1" + path, json=json, headers=headers, timeout=15, **kwargs
        )

    def sign_in(self, email: str, password: str) -> str:
        response = self.call("POST", "/sign-in", {"email": email, "password": password}, token="-")
        assert response.status_code == 200, response.text
        self.token = response.json()["token"]
        return self.token

    def wait_for(self, name: str, statuses: set[str], timeout: float = 90) -> dict:
        def current():
            return next((f for f in self.call("GET", "/files?limit=100").json()["files"] if f["name"] == name), None)

        return poll_until(
            current,
            lambda f: f is not None and f["status"] in statuses,
            timeout,
            interval=0.5,
            what=f"{name} to be {statuses}",
        )


def test_accounts_over_http_and_an_old_token_is_refused(app):
    client = Client(app)
    created = client.call("POST", "/sign-up", {"email": "e2e@example.com", "password": "e2e-password"})
    assert created.status_code == 201
    first = client.sign_in("e2e@example.com", "e2e-password")
    assert client.call("GET", "/me").json()["email"] == "e2e@example.com"
    client.sign_in("e2e@example.com", "e2e-password")
    refused = client.call("GET", "/me", token=first)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_replaced"
    assert requests.get(app.base + "/api/v1/nowhere", timeout=5).status_code == 404
    too_big = requests.post(
        app.base + "/api/v1/sign-up",
        data=b"x" * 20_000,
        timeout=5,
        headers={"Content-Type": "application/json", "X-Correlation-Id": "big-1"},
    )
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "request_too_large"
    assert too_big.headers["X-Correlation-Id"] == "big-1"
    home = requests.get(app.base + "/", timeout=5)
    assert home.status_code == 200 and "text/html" in home.headers["Content-Type"]


def test_a_page_becomes_a_pdf_that_downloads_and_deletes(app, pages):
    client = Client(app)
    client.call("POST", "/sign-up", {"email": "pdf@example.com", "password": "pdf-password"})
    client.sign_in("pdf@example.com", "pdf-password")
    url = pages.page("/article", "<title>E2E Article</title><h1>Rendered by PagePress end to end</h1>")
    requested = client.call("POST", "/request", {"url": url, "options": {"format": "Letter"}})
    assert requested.status_code == 202 and requested.json()["status"] == "pending"
    name = requested.json()["name"]
    ready = client.wait_for(name, {"ready", "failed"})
    assert ready["status"] == "ready", ready
    assert ready["title"] == "E2E Article" and ready["pages"] == 1 and ready["filename"] == "E2E-Article.pdf"
    download = client.call("GET", f"/file/{name}")  # 302 to a presigned URL, followed
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert "Rendered by PagePress end to end" in pdf_text(download.content)
    assert 'filename="E2E-Article.pdf"' in download.headers["Content-Disposition"]
    # nobody else can reach it, whatever the path trick
    other = Client(app)
    other.call("POST", "/sign-up", {"email": "other@example.com", "password": "other-password"})
    other.sign_in("other@example.com", "other-password")
    me = client.call("GET", "/me").json()["id"]
    for trick in [name, f"../{me}/{name}", f"..%2F{me}%2F{name}", f"{name}/", f"./{name}"]:
        assert other.call("GET", f"/file/{trick}", allow_redirects=False).status_code == 404, trick
        assert other.call("DELETE", f"/file/{trick}").status_code == 404, trick
    assert client.call("DELETE", f"/file/{name}").status_code == 204
    assert client.call("GET", f"/file/{name}", allow_redirects=False).status_code == 404


def test_a_graceful_restart_keeps_accounts_files_and_unfinished_jobs(app, pages):
    client = Client(app)
    client.call("POST", "/sign-up", {"email": "keep@example.com", "password": "keep-password"})
    client.sign_in("keep@example.com", "keep-password")
    kept = client.call("POST", "/request", {"url": pages.page("/kept", "<title>Kept</title><p>kept</p>")}).json()
    client.wait_for(kept["name"], {"ready"})

    held = threading.Event()
    release = threading.Event()

    def slow_page() -> Reply:
        held.set()
        release.wait(60)
        return Reply(200, "<title>Resumed</title><p>resumed after restart</p>")

    pages.routes["/slow"] = slow_page
    waiting = client.call("POST", "/request", {"url": pages.origin + "/slow"}).json()
    poll_until(held.is_set, bool, 60, what="the converter to fetch the slow page")

    assert app.stop(), app.log()  # graceful: the in-flight job is abandoned, not lost
    release.set()
    pages.routes["/slow"] = Reply(200, "<title>Resumed</title><p>resumed after restart</p>")
    app.start()

    token = client.sign_in("keep@example.com", "keep-password")  # the account survived
    assert token
    files = {f["name"]: f for f in client.call("GET", "/files").json()["files"]}
    assert files[kept["name"]]["status"] == "ready"
    download = client.call("GET", f"/file/{kept['name']}")
    assert download.status_code == 200 and "kept" in pdf_text(download.content)
    resumed = client.wait_for(waiting["name"], {"ready", "failed"})
    assert resumed["status"] == "ready" and resumed["title"] == "Resumed", resumed

"""GET /files?q=&status=: server-side filtering through the real index (moto), paginated."""

from __future__ import annotations

import pytest

from tests.support.pages import PageServer


@pytest.fixture(scope="module")
def pages():
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture
def settings(make_settings, pages):
    return make_settings(egress_allow=f"127.0.0.1:{pages.port}")


def _request(http, token, url: str, title: str | None = None) -> str:
    body = {"url": url, **({"title": title} if title else {})}
    response = http.call("POST", "/request", body, token=token)
    assert response.status_code == 202, response.json
    return response.json["name"]


def _names(http, token, query: str) -> list[str]:
    response = http.call("GET", f"/files?{query}", token=token)
    assert response.status_code == 200, response.json
    return [f["name"] for f in response.json["files"]]


def test_words_match_title_or_url_in_any_case_and_status_narrows(http, wired, pages):
    token = http.token("finder@example.com")
    user_id = http.call("GET", "/me", token=token).json["id"]
    invoice = _request(http, token, pages.origin + "/billing/2026", "Invoice March")
    report = _request(http, token, pages.origin + "/reports/q1", "Quarterly Report")
    notes = _request(http, token, pages.origin + "/notes", "Meeting notes about the INVOICE")
    wired.file_index.mark_processing(user_id, report, 1)
    wired.file_index.mark_ready(user_id, report, title="Quarterly Report", size=1, pages=1, warnings=())
    other = http.token("someone@example.com")
    _request(http, other, pages.origin + "/billing/x", "Invoice of someone else")

    assert _names(http, token, "q=invoice") == [notes, invoice]  # newest first, either case
    assert _names(http, token, "q=BILLING") == [invoice]  # in the URL
    assert _names(http, token, "q=invoice%20march") == [invoice]  # every word must appear
    assert _names(http, token, "status=ready") == [report]
    assert _names(http, token, "q=report&status=pending") == []
    assert _names(http, token, "q=") == [notes, report, invoice]  # an empty search is no filter


def test_a_filtered_list_pages_through_every_match_once(http, wired, pages):
    token = http.token("pager@example.com")
    user_id = http.call("GET", "/me", token=token).json["id"]
    wanted = []
    for n in range(7):
        title = None if n == 1 else f"{'Keep' if n % 2 else 'Skip'} {n}"  # the first one gets its title when ready
        name = _request(http, token, pages.origin + f"/p{n}", title)
        if n % 2:
            wanted.append(name)
    for name in wanted[:1]:  # a title set by the converter is searchable too
        wired.file_index.mark_processing(user_id, name, 1)
        wired.file_index.mark_ready(
            user_id, name, title="A keeper, titled by the converter", size=1, pages=1, warnings=()
        )
    seen, cursor = [], None
    while True:
        query = "q=keep&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = http.call("GET", f"/files?{query}", token=token).json
        assert len(page["files"]) <= 2
        seen += [f["name"] for f in page["files"]]
        cursor = page.get("next")
        if not cursor:
            break
    assert sorted(seen) == sorted(wanted) and len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "query, field",
    [("status=done", "status"), ("q=" + "x" * 201, "q"), ("q=" + "+".join("abcdefghi"), "q")],
)
def test_a_bad_filter_is_a_400_naming_it(http, query, field):
    token = http.token("picky@example.com")
    response = http.call("GET", f"/files?{query}", token=token)
    assert response.status_code == 400 and response.json["error"]["field"] == field

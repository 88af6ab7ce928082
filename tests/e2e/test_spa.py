"""The web app end to end: real headless Chromium driving the SPA that `make run` serves.

Sign up, convert a loopback page, watch it become Ready, download it, delete it, lose the
session to a sign-in elsewhere; a failed conversion and its Retry; keyboard-only sign-in.
The screenshots in docs/screenshots/ are written by `test_screenshots` on every run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, Route, ViewportSize, expect, sync_playwright

from chalicelib.config import default_chromium
from tests.support.pages import PageServer
from tests.support.pdf import pdf_text
from tests.support.stack import REPO

pytestmark = pytest.mark.e2e

SCREENSHOTS = REPO / "docs" / "screenshots"
CONVERSION_TIMEOUT_MS = 60_000  # the SPA polls with backoff up to 15 s between polls
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-partial-raster",
]  # repaints must not leave anti-aliasing that varies per run
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="module", autouse=True)
def built_spa():
    if not (REPO / "frontend-build" / "dist" / "index.html").exists():
        pytest.fail("frontend-build/dist is missing: run `make spa` first")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=default_chromium(), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def new_context(browser: Browser, **options) -> BrowserContext:
    settings = {
        "viewport": DESKTOP,
        "locale": "en-US",
        "timezone_id": "UTC",
        "accept_downloads": True,
        "reduced_motion": "reduce",
        **options,
    }
    return browser.new_context(**settings)


# --- small helpers in the words a person would use ---------------------------------------------


def fill_credentials(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)


def sign_up(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/sign-in$"))  # no session: sent to sign in
    page.get_by_role("link", name="Sign up for an account").click()
    expect(page.get_by_role("heading", name="Create your PagePress account")).to_be_visible()
    fill_credentials(page, email, password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(base + "/sign-in")
    fill_credentials(page, email, password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page).to_have_url(base + "/")


def convert(page: Page, url: str) -> None:
    page.get_by_label("Page URL").fill(url)
    page.get_by_role("button", name="Convert").click()
    expect(page.get_by_role("status").filter(has_text="to your PDFs")).to_be_visible()
    expect(page.get_by_label("Page URL")).to_have_value("")


def file_item(page: Page, title: str):
    """The list item whose heading (the file's title) is `title`."""
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=title, exact=True))


def expect_status(item, status: str, timeout: int = CONVERSION_TIMEOUT_MS) -> None:
    expect(item.get_by_text(status, exact=True)).to_be_visible(timeout=timeout)


def api_sign_in(base: str, email: str, password: str) -> str:
    response = requests.post(base + "/api/v1/sign-in", json={"email": email, "password": password}, timeout=15)
    assert response.status_code == 200, response.text
    return response.json()["token"]


# --- the journeys ---------------------------------------------------------------------------------


def test_sign_up_convert_download_delete_then_signed_in_elsewhere(app, pages, browser):
    email, password = "reader@example.com", "reader-password"
    url = pages.page(
        "/spa-article",
        "<title>SPA Article</title><h1>Printed through the web app</h1>"
        "<p>Every word of this paragraph should reach the PDF.</p>",
    )
    context = new_context(browser)
    page = context.new_page()
    try:
        sign_up(page, app.base, email, password)
        # sign out and back in: the account works with the sign-in form too
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("status").filter(has_text="You have signed out.")).to_be_visible()
        expect(page.get_by_label("Email")).to_have_value(email)
        sign_in(page, app.base, email, password)
        expect(page.get_by_text("No PDFs yet.")).to_be_visible()

        convert(page, url)
        item = file_item(page, "SPA Article")  # the title arrives with the finished PDF
        expect_status(item, "Ready")
        expect(item.get_by_text("1 page", exact=True)).to_be_visible()

        with page.expect_download() as downloading:
            item.get_by_role("button", name="Download").click()
        download = downloading.value
        assert download.suggested_filename == "SPA-Article.pdf"
        content = Path(download.path()).read_bytes()
        assert content.startswith(b"%PDF-")
        text = pdf_text(content)
        assert "Printed through the web app" in text and "Every word of this paragraph" in text

        item.get_by_role("button", name="Delete").click()
        dialog = page.get_by_role("dialog", name="Delete this PDF?")
        expect(dialog).to_contain_text("“SPA Article” and its PDF will be deleted for good.")
        dialog.get_by_role("button", name="Delete").click()
        expect(dialog).to_be_hidden()
        expect(item).to_have_count(0)
        expect(page.get_by_text("No PDFs yet.")).to_be_visible()
        expect(page.get_by_role("heading", name="Your PDFs")).to_be_focused()

        # the same account signs in somewhere else; this tab learns it on its next API call
        elsewhere = new_context(browser)
        try:
            other = elsewhere.new_page()
            sign_in(other, app.base, email, password)
            expect(other.get_by_text("No PDFs yet.")).to_be_visible()
        finally:
            elsewhere.close()
        page.get_by_label("Page URL").fill(url)
        page.get_by_role("button", name="Convert").click()
        expect(page).to_have_url(app.base + "/sign-in")
        expect(page.get_by_role("alert")).to_have_text(
            "You were signed out because your account signed in somewhere else."
        )
        expect(page.get_by_role("heading", name="Sign in to PagePress")).to_be_focused()
        expect(page.get_by_label("Email")).to_have_value(email)
    finally:
        context.close()


def test_a_failed_conversion_shows_its_reason_and_retries(app, pages, browser):
    email, password = "failing@example.com", "failing-password"
    url = pages.page("/gone", "<title>Gone</title><p>Not here</p>", status=404)
    context = new_context(browser)
    page = context.new_page()
    try:
        sign_up(page, app.base, email, password)
        convert(page, url)
        item = file_item(page, f"127.0.0.1:{pages.port}/gone")  # no title yet: the address stands in
        expect_status(item, "Failed")
        expect(item).to_contain_text("The page answered HTTP 404 Not Found.")
        expect(item.get_by_role("button", name="Download")).to_have_count(0)
        retry = item.get_by_role("button", name="Retry")
        expect(retry).to_be_visible()

        pages.page("/gone", "<title>Back Again</title><p>The page is back.</p>")  # the site is fixed
        retry.click()
        ready = file_item(page, "Back Again")
        expect_status(ready, "Ready")
        expect(ready.get_by_role("button", name="Retry")).to_have_count(0)
        expect(ready.get_by_role("button", name="Download")).to_be_visible()
    finally:
        context.close()


def test_pasted_html_and_an_uploaded_markdown_file_become_pdfs(app, browser, tmp_path):
    email, password = "sources@example.com", "sources-password"
    notes = tmp_path / "release-notes.md"
    notes.write_text("# Release notes\n\nUploaded *through* the web app.\n")
    context = new_context(browser)
    page = context.new_page()
    try:
        sign_up(page, app.base, email, password)
        page.get_by_label("Paste HTML").check()
        page.get_by_label("HTML", exact=True).fill("<title>Pasted in the app</title><p>Pasted through the web app</p>")
        page.get_by_role("button", name="Convert").click()
        expect_status(file_item(page, "Pasted in the app"), "Ready")

        page.get_by_label("Upload a file").check()
        page.get_by_label("File", exact=True).set_input_files(str(notes))
        page.get_by_role("button", name="Convert").click()
        uploaded = file_item(page, "release-notes")  # Markdown's title: the file's name
        expect_status(uploaded, "Ready")
        with page.expect_download() as download:
            uploaded.get_by_role("button", name="Download").click()
        text = " ".join(pdf_text(Path(download.value.path()).read_bytes()).split())
        assert "Uploaded through the web app." in text
    finally:
        context.close()


def test_keyboard_only_sign_in_and_a_reload_after_a_sign_in_elsewhere(app, browser):
    email, password = "keys@example.com", "keys-password"
    created = requests.post(app.base + "/api/v1/sign-up", json={"email": email, "password": password}, timeout=15)
    assert created.status_code == 201, created.text
    context = new_context(browser)
    page = context.new_page()
    try:
        page.goto(app.base + "/sign-in")
        expect(page.get_by_role("heading", name="Sign in to PagePress")).to_be_visible()
        # from the top of the document: skip link, then the form
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.get_by_label("Email")).to_be_focused()
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        expect(page.get_by_label("Password", exact=True)).to_be_focused()
        page.keyboard.type(password)
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        expect(page).to_have_url(app.base + "/")
        expect(page.get_by_role("heading", name="PagePress: turn web pages into PDFs")).to_be_focused()

        api_sign_in(app.base, email, password)  # elsewhere: a script with the same account
        page.reload()
        expect(page).to_have_url(app.base + "/sign-in")
        expect(page.get_by_role("alert")).to_contain_text("signed in somewhere else")
    finally:
        context.close()


# --- screenshots ----------------------------------------------------------------------------------

SCREENSHOT_TIME = "2025-03-14T09:26:00Z"
STEADY_TIMINGS = {"queued": 40, "navigate": 420, "settle": 150, "print": 310, "store": 25, "total": 960}
STEADY_USAGE = {
    "requests_per_minute": {"used": 0, "limit": 10},
    "unfinished_jobs": {"used": 0, "limit": 5},
    "stored_bytes": {"used": 48_230, "limit": 1_073_741_824},
    "files": 2,
}
NOTES_PAGE = """<title>Field notes on printing the web</title>
<style>body{font-family:sans-serif;margin:0} header{background:#1d4ed8;color:#fff;padding:40px}
.row{display:flex;gap:16px;padding:24px} .box{flex:1;height:160px;border-radius:8px}</style>
<header><h1>Field notes</h1><p>What a browser prints, and what it leaves out.</p></header>
<div class="row"><div class="box" style="background:#f59e0b"></div><div class="box" style="background:#10b981"></div>
<div class="box" style="background:#ef4444"></div></div>
<p style="padding:0 24px">Three charts below come from an internal address and are not fetched.</p>
<img src="http://10.0.0.1/chart-1.png"><img src="http://10.0.0.2/chart-2.png"><img src="http://192.168.1.20/chart-3.png">"""


def _steady_files(pages: PageServer):
    """Rewrites the list's per-run details (times, the page server's port) so screenshots repeat."""

    def handle(route: Route) -> None:
        response = route.fetch()
        if response.status != 200:
            route.fulfill(response=response)
            return
        body = response.json()
        for entry in body.get("files", []):
            entry["created_at"] = SCREENSHOT_TIME
            entry["url"] = entry["url"].replace(pages.origin, "https://example.com")
            if entry.get("size") is not None:
                entry["size"] = 48_230
            report = entry.get("report")
            if report:
                report["final_url"] = report["final_url"].replace(pages.origin, "https://example.com")
                report["timings_ms"] = {k: STEADY_TIMINGS[k] for k in report["timings_ms"]}
                if report["pdf"]:
                    report["pdf"]["bytes"] = 48_230
        route.fulfill(response=response, json=body)

    return handle


def shoot(page: Page, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    assert path.stat().st_size < 300_000, f"{path.name} is {path.stat().st_size} bytes"


def test_screenshots(app, pages, browser):
    email, password = "ada@example.com", "ada-password"
    requests.post(app.base + "/api/v1/sign-up", json={"email": email, "password": password}, timeout=15)
    token = api_sign_in(app.base, email, password)
    headers = {"Authorization": f"Bearer {token}"}
    pages.page("/notes", NOTES_PAGE)
    pages.page("/moved-away", "<title>Moved</title>", status=404)
    for path in ("/moved-away", "/notes"):  # newest first: the ready one on top
        queued = requests.post(
            app.base + "/api/v1/request", json={"url": pages.origin + path}, headers=headers, timeout=15
        )
        assert queued.status_code == 202, queued.text

    context = new_context(browser)
    context.route("**/api/v1/files**", _steady_files(pages))
    context.route("**/api/v1/usage", lambda route: route.fulfill(json=STEADY_USAGE))
    page = context.new_page()
    try:
        page.goto(app.base + "/sign-in")
        expect(page.get_by_role("heading", name="Sign in to PagePress")).to_be_visible()
        shoot(page, "sign-in")

        sign_in(page, app.base, email, password)
        ready = file_item(page, "Field notes on printing the web")
        failed = file_item(page, "example.com/moved-away")
        expect_status(ready, "Ready")
        expect_status(failed, "Failed")
        expect(failed).to_contain_text("The page answered HTTP 404 Not Found.")
        picture = ready.locator("img.thumb")
        expect(picture).to_be_visible()
        # decode() waits for the picture to arrive: the converter's thumbnail, 300 px wide
        assert picture.evaluate("img => img.decode().then(() => img.naturalWidth)") == 300
        page.locator(":focus").evaluate("element => element.blur()")
        shoot(page, "file-list")

        ready.locator("summary").filter(has_text="Details").click()
        expect(ready).to_contain_text("3 requests to private addresses were blocked")
        expect(ready).to_contain_text("10.0.0.1")
        shoot(page, "file-details")
        page.set_viewport_size(PHONE)
        page.emulate_media(color_scheme="dark")
        shoot(page, "file-details-phone-dark")
        page.emulate_media(color_scheme="light")
        page.set_viewport_size(DESKTOP)
        ready.locator("summary").filter(has_text="Details").click()

        options = page.locator("summary").filter(has_text="Options")
        options.click()
        expect(page.get_by_label("Page size")).to_be_visible()
        page.get_by_label("Page URL").fill("https://example.com/article")
        shoot(page, "convert-options")
        options.click()
        expect(page.get_by_label("Page size")).to_be_hidden()
        page.get_by_role("button", name="Clear URL").click()
        page.locator(":focus").evaluate("element => element.blur()")

        page.set_viewport_size(PHONE)
        expect_status(ready, "Ready")
        shoot(page, "file-list-phone")

        page.set_viewport_size(DESKTOP)
        page.emulate_media(color_scheme="dark")
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        shoot(page, "file-list-dark")
        page.set_viewport_size(PHONE)
        shoot(page, "file-list-phone-dark")

        page.set_viewport_size(DESKTOP)
        page.emulate_media(color_scheme="light")
        page.get_by_role("link", name="Account").click()
        expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
        expect(page.get_by_text("47 KB of 1.0 GB")).to_be_visible()
        page.locator(":focus").evaluate("element => element.blur()")
        shoot(page, "account")
        page.set_viewport_size(PHONE)
        page.emulate_media(color_scheme="dark")
        shoot(page, "account-phone-dark")
    finally:
        context.close()

"""PlaywrightRenderer against real Chromium and pages served on 127.0.0.1.

One renderer serves the module (launching Chromium is the slow part); lifecycle tests
that need other settings (recycling, hung browsers) start their own and close them.
Small settle/timeout bounds keep the module well under a minute or two.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

pytest.importorskip("playwright")
from pypdf import PdfReader  # noqa: E402 - after the importorskip above

from chalicelib.config import Settings  # noqa: E402 - after the importorskip above
from chalicelib.domain.errors import ConversionFailed  # noqa: E402 - after the importorskip above
from chalicelib.domain.models import ConversionOptions, Margin  # noqa: E402 - after the importorskip above
from chalicelib.egress import EgressPolicy  # noqa: E402 - after the importorskip above
from converter.chromium_process import group_members  # noqa: E402 - after the importorskip above
from converter.renderer import PlaywrightRenderer  # noqa: E402 - after the importorskip above

CHROMIUM = Settings.from_env({}).chromium_path
WEB_FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed-BoldItalic.ttf"
WEB_FONT_NAME = "DejaVuSerifCondensed-BoldItalic"
SETTLE_SECONDS = 4.0  # roomy: a loaded CI machine draws frames slowly
RENDER_SECONDS = 12.0
PAGE_CAP = 4

pytestmark = pytest.mark.timeout(120)


# --- the page server ------------------------------------------------------------------------


def _html(title: str, body: str, head: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body>{body}</body></html>"
    ).encode()


def _paragraphs(count: int) -> str:
    return "".join(f"<p>Paragraph number {i} of the long page.</p>" for i in range(count))


class PageServer:
    """Serves the test pages; remembers which paths were requested; a stop event frees hung handlers."""

    def __init__(self) -> None:
        self.requested: list[str] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                server.requested.append(self.path)
                status, content_type, body = server.route(self.path)
                if status is None:
                    return
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def was_requested(self, prefix: str) -> bool:
        return any(path.startswith(prefix) for path in list(self.requested))

    def route(self, raw_path: str):
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        html = "text/html; charset=utf-8"
        if path == "/text":
            marker = query.get("marker", ["The quick brown fox jumps over the lazy dog"])[0]
            return 200, html, _html("Hello PagePress", f"<h1>{marker}</h1>")
        if path == "/untitled":
            return 200, html, _html("", "<p>No title here</p>")
        if path == "/long":
            return 200, html, _html("Long", _paragraphs(int(query.get("paragraphs", ["60"])[0])))
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            return code, html, _html("Error", f"<p>status {code}</p>")
        if path == "/late":
            script = (
                "<script>window.addEventListener('load', () => fetch('/data.txt')"
                ".then(r => r.text()).then(t => { document.getElementById('late').textContent = t; }));"
                "</script>"
            )
            return 200, html, _html("Late", "<p id='late'>placeholder</p>" + script)
        if path == "/data.txt":
            return 200, "text/plain", b"Fetched after the load event"
        if path == "/lazy":
            body = (
                "<p>Top of page</p><div style='height:3000px'></div>"
                "<img loading='lazy' src='/img/far-below.svg' width='50' height='50'><p>Bottom</p>"
            )
            return 200, html, _html("Lazy", body)
        if path.startswith("/img/"):
            svg = b"<svg xmlns='http://www.w3.org/2000/svg' width='50' height='50'><rect width='50' height='50'/></svg>"
            return 200, "image/svg+xml", svg
        if path == "/font":
            head = (
                "<style>@font-face{font-family:'PPWebFont';src:url('/fonts/web.ttf') format('truetype');}"
                "p{font-family:'PPWebFont',serif;font-size:20px}</style>"
            )
            return 200, html, _html("Font", "<p>Text in a web font</p>", head)
        if path == "/fonts/web.ttf":
            with open(WEB_FONT_FILE, "rb") as handle:
                return 200, "font/ttf", handle.read()
        if path == "/long-poll":
            script = "<script>fetch('/never').catch(() => {});</script>"
            return 200, html, _html("Busy", "<p>Waiting forever</p>" + script)
        if path == "/hanging-image":
            script = (
                "<script>addEventListener('load', () => { const img = new Image(); img.src = '/hang';"
                " document.body.append(img); });</script>"
            )
            return 200, html, _html("Hanging image", "<p>An image that never arrives</p>" + script)
        if path == "/timer":
            script = (
                "<script>setTimeout(() => { document.getElementById('t').textContent = 'Written by a timer'; },"
                " 300);</script>"
            )
            return 200, html, _html("Timer", "<p id='t'>placeholder</p>" + script)
        if path == "/frames":
            script = (
                "<script>requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() =>"
                " { document.getElementById('f').textContent = 'Written three frames later'; })));</script>"
            )
            return 200, html, _html("Frames", "<p id='f'>placeholder</p>" + script)
        if path == "/endless":
            # Everything here goes on forever; none of it may hold the page to the bound.
            script = (
                "<script>"
                "setInterval(() => navigator.sendBeacon('/beacon', 'x'), 100);"
                "setInterval(() => fetch('/data.txt?poll'), 100);"
                "(function spin() { requestAnimationFrame(spin); })();"
                "(function tick() { setTimeout(tick, 50); })();"
                "new EventSource('/never');"
                "fetch('/hang').catch(() => {});"
                "setTimeout(() => { document.getElementById('e').textContent = 'Loaded beside endless work'; }, 200);"
                "</script>"
            )
            return 200, html, _html("Endless", "<p id='e'>placeholder</p>" + script)
        if path in ("/observed-lazy", "/scroll-lazy"):
            loader = (
                "const io = new IntersectionObserver(es => es.forEach(e => { if (e.isIntersecting) {"
                " e.target.src = e.target.dataset.src; io.unobserve(e.target); } }));"
                "document.querySelectorAll('img[data-src]').forEach(img => io.observe(img));"
                if path == "/observed-lazy"
                else "addEventListener('scroll', () => document.querySelectorAll('img[data-src]').forEach(img => {"
                " if (img.getBoundingClientRect().top < innerHeight && !img.src) img.src = img.dataset.src; }));"
            )
            name = path.strip("/")
            body = (
                f"<p>Top</p><div style='height:2500px'></div><img data-src='/img/{name}.svg' width='50' "
                f"height='50'><p>Bottom</p><script>{loader}</script>"
            )
            return 200, html, _html("Script-lazy", body)
        if path in ("/never", "/hang"):
            self.release.wait(60)  # answers only when the test module ends
            return 204, "text/plain", b""
        return 404, html, _html("Not Found", "<p>nothing here</p>")

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    pages = PageServer()
    yield pages
    pages.stop()


@pytest.fixture(scope="module")
def refused_port() -> int:
    return _free_port()


def _policy(server: PageServer, *extra_ports: int) -> EgressPolicy:
    allow = ",".join(f"127.0.0.1:{port}" for port in (server.port, *extra_ports))
    return EgressPolicy(allow=allow)


def _renderer(server: PageServer, *extra_ports: int, **overrides) -> PlaywrightRenderer:
    settings: dict[str, Any] = dict(
        chromium_path=CHROMIUM,
        render_timeout_seconds=RENDER_SECONDS,
        settle_timeout_seconds=SETTLE_SECONDS,
        max_pdf_pages=PAGE_CAP,
        render_concurrency=2,
        browser_recycle_after=50,
    )
    settings.update(overrides)
    return PlaywrightRenderer(_policy(server, *extra_ports), **settings)


@pytest.fixture(scope="module")
def renderer(server, refused_port):
    instance = _renderer(server, refused_port)
    yield instance
    instance.close()


def _render(renderer: PlaywrightRenderer, url: str, **options):
    return renderer.render(url, ConversionOptions(**options), correlation_id="test-correlation")


def _reader(pdf) -> PdfReader:
    return PdfReader(io.BytesIO(pdf.content))


def _text(pdf) -> str:
    return " ".join(page.extract_text() for page in _reader(pdf).pages)


def _fonts(pdf) -> set[str]:
    names = set()
    for page in _reader(pdf).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object().get("/BaseFont")))
    return names


def _poll(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    """Check ``condition`` repeatedly until it holds or the deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        threading.Event().wait(0.05)
    return condition()


# --- content and options --------------------------------------------------------------------


def test_page_text_title_and_source_end_up_in_the_pdf(renderer, server):
    url = server.url("/text")
    pdf = _render(renderer, url)
    assert "The quick brown fox jumps over the lazy dog" in _text(pdf)
    assert pdf.title == "Hello PagePress"
    assert pdf.pages == 1 == len(_reader(pdf).pages)
    metadata = _reader(pdf).metadata
    assert metadata.title == "Hello PagePress"
    assert metadata.subject == url
    assert pdf.warnings == ()


def test_a_page_without_a_title_is_titled_by_its_url(renderer, server):
    url = server.url("/untitled")
    pdf = _render(renderer, url)
    assert pdf.title == url
    assert _reader(pdf).metadata.title == url


def test_paper_format_sets_the_page_size(renderer, server):
    a4 = _reader(_render(renderer, server.url("/text"), format="A4")).pages[0].mediabox
    letter = _reader(_render(renderer, server.url("/text"), format="Letter")).pages[0].mediabox
    # Chromium rounds paper sizes to whole CSS pixels, so allow a point or two.
    assert float(a4.width) == pytest.approx(595, abs=2) and float(a4.height) == pytest.approx(842, abs=2)
    assert float(letter.width) == pytest.approx(612, abs=2)
    assert float(letter.height) == pytest.approx(792, abs=2)


def test_landscape_makes_pages_wider_than_tall(renderer, server):
    box = _reader(_render(renderer, server.url("/text"), landscape=True)).pages[0].mediabox
    assert float(box.width) > float(box.height)


def test_a_long_page_spans_several_pages_and_scale_changes_the_count(renderer, server):
    url = server.url("/long?paragraphs=60")
    full = _render(renderer, url)
    small = _render(renderer, url, scale=0.5)
    assert full.pages >= 2
    assert small.pages < full.pages
    assert "Paragraph number 59" in _text(full)


def test_headers_and_footers_use_the_given_templates(renderer, server):
    pdf = _render(
        renderer,
        server.url("/text"),
        margin=Margin(top="2cm", bottom="2cm"),
        footer_template="<div style='font-size:10px'>Page <span class='pageNumber'></span> "
        "of <span class='totalPages'></span></div>",
    )
    assert "Page 1 of 1" in _text(pdf)


def test_content_fetched_after_load_is_waited_for(renderer, server):
    pdf = _render(renderer, server.url("/late"))
    assert "Fetched after the load event" in _text(pdf)
    assert pdf.warnings == ()


def test_lazy_images_are_loaded(renderer, server):
    _render(renderer, server.url("/lazy"))
    assert server.was_requested("/img/far-below.svg")


def test_web_fonts_are_loaded_before_printing(renderer, server):
    pdf = _render(renderer, server.url("/font"))
    assert server.was_requested("/fonts/web.ttf")
    assert any(WEB_FONT_NAME in name for name in _fonts(pdf)), _fonts(pdf)


def test_a_page_that_never_finishes_loading_still_prints_with_a_warning(renderer, server):
    started = time.monotonic()
    pdf = _render(renderer, server.url("/hanging-image"))
    assert "An image that never arrives" in _text(pdf)
    assert any("still loading" in warning for warning in pdf.warnings), pdf.warnings
    assert time.monotonic() - started < RENDER_SECONDS


def test_a_long_poll_does_not_hold_the_page_to_the_bound(renderer, server):
    pdf = _render(renderer, server.url("/long-poll"))
    assert "Waiting forever" in _text(pdf)
    assert pdf.warnings == ()  # ready before SETTLE_SECONDS ran out


def test_endless_timers_frames_beacons_polls_and_streams_do_not_hold_the_page(renderer, server):
    pdf = _render(renderer, server.url("/endless"))
    assert "Loaded beside endless work" in _text(pdf)
    assert pdf.warnings == ()


def test_a_short_timer_is_waited_for(renderer, server):
    assert "Written by a timer" in _text(_render(renderer, server.url("/timer")))


def test_a_chain_of_animation_frames_is_waited_for(renderer, server):
    assert "Written three frames later" in _text(_render(renderer, server.url("/frames")))


@pytest.mark.parametrize("path", ["/observed-lazy", "/scroll-lazy"])
def test_images_loaded_by_scripts_on_scrolling_are_loaded(renderer, server, path):
    pdf = _render(renderer, server.url(path))
    assert server.was_requested(f"/img{path}.svg")
    assert pdf.warnings == ()


# --- classified failures ----------------------------------------------------------------------


def _failure(renderer, url: str, **options) -> ConversionFailed:
    with pytest.raises(ConversionFailed) as caught:
        _render(renderer, url, **options)
    return caught.value


def test_http_404_is_a_permanent_http_error(renderer, server):
    failure = _failure(renderer, server.url("/status/404"))
    assert (failure.code, failure.permanent) == ("http_error", True)
    assert failure.message == "The page answered HTTP 404 Not Found"


def test_http_503_is_a_transient_http_error(renderer, server):
    failure = _failure(renderer, server.url("/status/503"))
    assert (failure.code, failure.permanent) == ("http_error", False)
    assert "503" in failure.message


def test_an_unknown_host_is_a_permanent_dns_failure(renderer):
    failure = _failure(renderer, "http://no-such-host.pagepress.invalid/")
    assert (failure.code, failure.permanent) == ("dns_failure", True)


def test_a_refused_connection_is_transient(renderer, refused_port):
    failure = _failure(renderer, f"http://127.0.0.1:{refused_port}/")
    assert (failure.code, failure.permanent) == ("connection_failed", False)


def test_a_missing_selector_fails_permanently(renderer, server):
    failure = _failure(renderer, server.url("/text"), wait_for_selector="#does-not-exist")
    assert (failure.code, failure.permanent) == ("selector_not_found", True)
    assert "#does-not-exist" in failure.message


def test_a_present_selector_lets_the_page_print(renderer, server):
    pdf = _render(renderer, server.url("/text"), wait_for_selector="h1")
    assert "quick brown fox" in _text(pdf)


def test_too_many_pages_is_too_large(renderer, server):
    failure = _failure(renderer, server.url("/long?paragraphs=400"))
    assert (failure.code, failure.permanent) == ("too_large", True)
    assert f"limit of {PAGE_CAP} pages" in failure.message


def test_a_page_that_never_answers_times_out_naming_the_bound(renderer, server):
    failure = _failure(renderer, server.url("/hang"))
    assert (failure.code, failure.permanent) == ("timeout", True)
    assert "seconds" in failure.message


def test_a_non_public_address_is_blocked(renderer):
    failure = _failure(renderer, "http://127.0.0.2:9/")
    assert (failure.code, failure.permanent) == ("blocked", True)


# --- concurrency and the browser's life -------------------------------------------------------


def test_renders_from_several_threads_at_once(renderer, server):
    markers = [f"Concurrent marker {i}" for i in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda m: _render(renderer, server.url(f"/text?marker={quote(m)}")), markers))
    for marker, pdf in zip(markers, results, strict=False):
        assert marker in _text(pdf)


def _gone(process) -> bool:
    """No process (not even a zombie) left in the browser's group and its profile removed."""
    return not group_members(process.pid) and not (process.profile_dir and os.path.exists(process.profile_dir))


def test_recycling_launches_a_fresh_browser_and_leaves_nothing_behind(server):
    recycling = _renderer(server, browser_recycle_after=2)
    try:
        for _ in range(3):
            assert "quick brown fox" in _text(_render(recycling, server.url("/text")))
        assert recycling.browser_launches == 2
        first, second = recycling.browser_processes
        assert first.pid != second.pid
        assert first.profile_dir and second.profile_dir
        assert _poll(lambda: _gone(first)), group_members(first.pid)
        assert group_members(second.pid, include_zombies=False)  # still serving
    finally:
        recycling.close()
    assert _poll(lambda: _gone(second)), group_members(second.pid)
    recycling.close()  # idempotent


def test_a_worn_out_browser_is_replaced_between_jobs_not_in_front_of_one(server):
    recycling = _renderer(server, browser_recycle_after=2)
    try:
        for _ in range(2):
            _render(recycling, server.url("/text"))
        assert recycling.browser_launches == 1
        recycling.prepare_next_job()  # what the converter does once a batch is ready
        assert recycling.browser_launches == 2
        first, second = recycling.browser_processes
        assert _poll(lambda: _gone(first)), group_members(first.pid)
        assert "quick brown fox" in _text(_render(recycling, server.url("/text")))
        recycling.prepare_next_job()  # one job on the new browser: nothing to do
        assert recycling.browser_launches == 2 and recycling.browser_processes == (first, second)
    finally:
        recycling.close()


def test_a_dead_browser_is_replaced_on_the_next_job(server):
    fragile = _renderer(server)
    try:
        _render(fragile, server.url("/text"))
        (crashed,) = fragile.browser_processes
        os.killpg(crashed.pid, signal.SIGKILL)
        assert _poll(lambda: not group_members(crashed.pid, include_zombies=False))
        pdf = _render(fragile, server.url("/text"))
        assert "quick brown fox" in _text(pdf)
        assert fragile.browser_launches == 2
        assert _poll(lambda: _gone(crashed)), group_members(crashed.pid)
    finally:
        fragile.close()


def test_a_hung_browser_is_killed_with_its_process_group(server):
    hung = _renderer(server, close_timeout_seconds=1.0)
    _render(hung, server.url("/text"))
    (process,) = hung.browser_processes
    os.kill(process.pid, signal.SIGSTOP)  # browser.close() can no longer succeed
    started = time.monotonic()
    hung.close()
    assert time.monotonic() - started < 10
    assert _poll(lambda: _gone(process)), group_members(process.pid)

"""The page and print options (issue 15) in real Chromium, on pages served on 127.0.0.1.

Each test renders with an option and checks what only that option produces, so it fails
when the option is ignored.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright")

from chalicelib.domain.errors import ConversionFailed  # noqa: E402
from chalicelib.domain.models import ConversionOptions, MediaFeature  # noqa: E402
from converter.renderer import PlaywrightRenderer  # noqa: E402
from tests.support.pages import PageServer, Reply  # noqa: E402
from tests.support.pdf import pdf_reader, pdf_text  # noqa: E402
from tests.support.renderers import loopback_renderer  # noqa: E402

pytestmark = pytest.mark.timeout(120)

RENDER_SECONDS = 12.0
SETTLE_SECONDS = 4.0
THREE_PAGES = "".join(f"<h1 style='break-after:page'>Sheet {n}</h1>" for n in (1, 2, 3))


@pytest.fixture(scope="module")
def pages():
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def other_site():
    """Another site: another host, since ports alone do not make another site."""
    server = PageServer("127.0.0.2").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def renderer(pages, other_site):
    instance = loopback_renderer(
        f"127.0.0.1:{pages.port}",
        f"127.0.0.2:{other_site.port}",
        render_timeout=RENDER_SECONDS,
        settle_timeout=SETTLE_SECONDS,
    )
    yield instance
    instance.close()


def _render(renderer: PlaywrightRenderer, url: str, **options):
    return renderer.render(url, ConversionOptions(**options), "options-test")


def _failure(renderer: PlaywrightRenderer, url: str, **options) -> ConversionFailed:
    with pytest.raises(ConversionFailed) as caught:
        _render(renderer, url, **options)
    return caught.value


def test_page_ranges_print_only_the_pages_named(renderer, pages):
    url = pages.page("/three-sheets", THREE_PAGES)
    pdf = _render(renderer, url, page_ranges="1,3")
    text = pdf_text(pdf.content)
    assert pdf.pages == 2
    assert "Sheet 1" in text and "Sheet 3" in text and "Sheet 2" not in text


def test_a_page_range_past_the_document_fails_as_invalid_page_range(renderer, pages):
    url = pages.page("/three-sheets-again", THREE_PAGES)
    failure = _failure(renderer, url, page_ranges="7")
    assert failure.code == "invalid_page_range" and failure.permanent


def test_single_page_prints_a_long_page_on_one_tall_page(renderer, pages):
    body = "".join(f"<p>Line {n} of a long page</p>" for n in range(150))
    url = pages.page("/long-single", f"<title>Long</title>{body}")
    assert _render(renderer, url).pages > 1
    pdf = _render(renderer, url, single_page=True)
    reader = pdf_reader(pdf.content)
    assert pdf.pages == 1 == len(reader.pages)
    box = reader.pages[0].mediabox
    assert float(box.height) > 3 * float(box.width)
    assert "Line 0 of" in pdf_text(pdf.content) and "Line 149 of" in pdf_text(pdf.content)


def test_prefer_css_page_size_lets_the_pages_own_size_win(renderer, pages):
    url = pages.page("/css-size", "<style>@page { size: 4in 6in; }</style><p>A postcard</p>")
    a4 = pdf_reader(_render(renderer, url).content).pages[0].mediabox
    postcard = pdf_reader(_render(renderer, url, prefer_css_page_size=True).content).pages[0].mediabox
    assert float(a4.width) == pytest.approx(595, abs=2)
    assert float(postcard.width) == pytest.approx(288, abs=2) and float(postcard.height) == pytest.approx(432, abs=2)


def _content_stream(pdf) -> bytes:
    return b"".join(page.get_contents().get_data() for page in pdf_reader(pdf.content).pages)


def test_omit_background_leaves_the_pages_own_background_out(renderer, pages):
    url = pages.page("/red", "<style>body { background: #ff0000; }</style><p>On red</p>")
    red_fill = b"1 0 0 rg"
    assert red_fill in _content_stream(_render(renderer, url, print_background=True))
    assert red_fill not in _content_stream(_render(renderer, url, print_background=True, omit_background=True))


def test_user_agent_is_sent_and_seen_by_the_page(renderer, pages):
    script = "<script>document.getElementById('ua').textContent = 'Agent: ' + navigator.userAgent;</script>"
    url = pages.page("/agent", "<p id='ua'></p>" + script)
    pdf = _render(renderer, url, user_agent="PagePressTestAgent/1.0")
    assert "Agent: PagePressTestAgent/1.0" in pdf_text(pdf.content)
    assert pages.headers["/agent"]["user-agent"] == "PagePressTestAgent/1.0"


def test_user_agent_reaches_a_frame_from_another_site_and_a_worker(renderer, pages, other_site):
    """The override is sent on the page's own session; a frame from another site (which site
    isolation puts in a renderer process of its own) and a dedicated worker see it as the page does."""
    shows_agent = (
        "<p id='ua'></p><script>document.getElementById('ua').textContent = '{label}: ' + navigator.userAgent;</script>"
    )
    frame = other_site.page("/agent-frame", shows_agent.format(label="Frame agent"))
    pages.routes["/agent-worker.js"] = Reply(200, b"postMessage(navigator.userAgent);", "text/javascript")
    url = pages.page(
        "/agent-outer",
        f"<iframe src='{frame}' style='width:600px;height:120px'></iframe><p id='w'></p>"
        "<script>new Worker('/agent-worker.js').onmessage ="
        " e => { document.getElementById('w').textContent = 'Worker agent: ' + e.data; };</script>",
    )
    text = pdf_text(_render(renderer, url, user_agent="PagePressTestAgent/2.0").content)
    assert "Frame agent: PagePressTestAgent/2.0" in text and "Worker agent: PagePressTestAgent/2.0" in text
    assert other_site.headers["/agent-frame"]["user-agent"] == "PagePressTestAgent/2.0"
    assert pages.headers["/agent-worker.js"]["user-agent"] == "PagePressTestAgent/2.0"


def test_media_features_are_emulated(renderer, pages):
    script = (
        "<script>document.getElementById('m').textContent ="
        " (matchMedia('(prefers-color-scheme: dark)').matches ? 'Scheme dark' : 'Scheme light') + ' / ' +"
        " (matchMedia('(prefers-reduced-motion: reduce)').matches ? 'Motion reduced' : 'Motion full');</script>"
    )
    url = pages.page("/media", "<p id='m'></p>" + script)
    assert "Scheme light / Motion full" in pdf_text(_render(renderer, url).content)
    features = (MediaFeature("prefers-color-scheme", "dark"), MediaFeature("prefers-reduced-motion", "reduce"))
    assert "Scheme dark / Motion reduced" in pdf_text(_render(renderer, url, media_features=features).content)


# --- failure controls --------------------------------------------------------------------


def test_fail_on_http_status_narrows_which_statuses_fail(renderer, pages):
    url = pages.page("/gone", "<h1>Custom not-found page</h1>", status=404)
    assert _failure(renderer, url).code == "http_error"
    pdf = _render(renderer, url, fail_on_http_status=("5xx",))
    assert "Custom not-found page" in pdf_text(pdf.content)


def test_fail_on_http_status_may_name_a_success_code(renderer, pages):
    url = pages.page("/fine", "<h1>Fine</h1>")
    failure = _failure(renderer, url, fail_on_http_status=(200,))
    assert failure.code == "http_error" and "200" in failure.message


def test_fail_on_resource_http_status_fails_on_a_subresource(renderer, pages):
    url = pages.page("/with-missing-image", "<h1>Image below</h1><img src='/missing.png?token=secret'>")
    assert _render(renderer, url).pages == 1  # by default a missing image is no failure
    failure = _failure(renderer, url, fail_on_resource_http_status=("4xx",))
    assert failure.code == "resource_http_error" and failure.permanent
    assert "404" in failure.message and "/missing.png" in failure.message and "secret" not in failure.message


def test_fail_on_resource_loading_failed_fails_on_a_broken_load(renderer, pages):
    # The egress guard refuses the other port: the image fails to load.
    url = pages.page("/with-unreachable", "<h1>Unreachable image</h1><img src='http://127.0.0.1:9/x.png'>")
    assert _render(renderer, url).pages == 1
    failure = _failure(renderer, url, fail_on_resource_loading_failed=True)
    assert failure.code == "resource_failed" and "127.0.0.1:9/x.png" in failure.message


def test_fail_on_console_exceptions_names_the_exception(renderer, pages):
    url = pages.page("/throws", "<h1>Throws</h1><script>throw new TypeError('the widget broke');</script>")
    assert _render(renderer, url).pages == 1
    failure = _failure(renderer, url, fail_on_console_exceptions=True)
    assert failure.code == "console_exception" and "the widget broke" in failure.message


def test_wait_for_expression_waits_until_it_is_true(renderer, pages):
    script = (
        "<script>setTimeout(() => { window.chartDone = true;"
        " document.getElementById('c').textContent = 'Chart drawn'; }, 1500);</script>"
    )
    url = pages.page("/chart", "<p id='c'>Chart pending</p>" + script)
    pdf = _render(renderer, url, wait_for_expression="window.chartDone === true")
    assert "Chart drawn" in pdf_text(pdf.content)


def test_wait_for_expression_that_never_holds_fails_within_the_render_timeout(renderer, pages):
    url = pages.page("/never-true", "<p>Never</p>")
    failure = _failure(renderer, url, wait_for_expression="window.neverSet")
    assert failure.code == "expression_timeout" and failure.permanent


def test_a_broken_expression_fails_as_invalid(renderer, pages):
    url = pages.page("/bad-expression", "<p>Bad</p>")
    assert _failure(renderer, url, wait_for_expression="(((").code == "invalid_expression"


# --- screenshots ---------------------------------------------------------------------------


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")


def _png_has_alpha(content: bytes) -> bool:
    return content[25] in (4, 6)  # IHDR colour type: grey + alpha, or RGBA


def test_a_png_screenshot_is_the_whole_page_or_the_first_screen(renderer, pages):
    body = "".join(f"<p>Row {n}</p>" for n in range(120))
    url = pages.page("/tall-picture", f"<title>Tall picture</title>{body}")
    full = _render(renderer, url, output="png", media="screen")
    assert full.title == "Tall picture" and full.pages == 1
    width, height = _png_size(full.content)
    assert width == 1280 and height > 2000
    screen = _render(renderer, url, output="png", media="screen", full_page=False)
    assert _png_size(screen.content) == (1280, 900)


def test_jpeg_and_webp_screenshots_and_their_quality(renderer, pages):
    body = "".join(f"<p style='color:hsl({n * 7},70%,40%)'>Colourful row {n}</p>" for n in range(40))
    url = pages.page("/colourful", body)
    best = _render(renderer, url, output="jpeg", quality=100).content
    rough = _render(renderer, url, output="jpeg", quality=10).content
    assert best[:3] == rough[:3] == b"\xff\xd8\xff"
    assert len(rough) < len(best)
    webp = _render(renderer, url, output="webp", quality=50).content
    assert webp[:4] == b"RIFF" and webp[8:12] == b"WEBP"


def test_omit_background_gives_a_png_with_transparency(renderer, pages):
    url = pages.page("/plain-picture", "<p>On nothing</p>")
    assert not _png_has_alpha(_render(renderer, url, output="png").content)
    assert _png_has_alpha(_render(renderer, url, output="png", omit_background=True).content)

"""Thumbnails and the inline view: drawn by the converter from the PDF it printed, stored next
to the PDF, linked from the list and deleted with the file."""

from __future__ import annotations

import io
import logging
import time

import pytest
import requests
from aws_lambda_powertools import Logger

pytest.importorskip("playwright")
from PIL import Image  # noqa: E402

from chalicelib.domain.models import ConversionJob, ConversionOptions, RenderedPdf, object_key  # noqa: E402
from chalicelib.domain.page_credentials import PageCredentials  # noqa: E402
from chalicelib.domain.ports import Renderer  # noqa: E402
from converter.thumbnail import THUMBNAIL_WIDTH  # noqa: E402
from tests.support.pages import PageServer  # noqa: E402
from tests.support.renderers import loopback_renderer  # noqa: E402

pytestmark = pytest.mark.timeout(120)
log = logging.getLogger(__name__)
Logger(service="pagepress-converter")  # the renderer's logger is its child (the handler makes this one)
PDF = b"%PDF-1.4 a made-up PDF"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 made-up picture"


@pytest.fixture(scope="module")
def pages():
    server = PageServer().start()
    yield server
    server.stop()


def test_the_renderer_draws_a_small_picture_of_the_printed_first_page(pages):
    renderer = loopback_renderer(f"127.0.0.1:{pages.port}")
    costs: list[int] = []
    try:
        url = pages.page("/red", "<style>body{background:#c00;margin:0}</style><h1>Red page</h1>")
        for landscape in (False, True, False):
            rendered = renderer.render(url, ConversionOptions(landscape=landscape), "corr-thumb")
            assert rendered.draw_thumbnail is not None
            started = time.process_time()
            drawn = rendered.draw_thumbnail()
            costs.append(round((time.process_time() - started) * 1000))
            assert drawn is not None
            picture = Image.open(io.BytesIO(drawn))
            assert picture.format == "WEBP" and picture.width == THUMBNAIL_WIDTH
            assert (picture.height < picture.width) is landscape  # the paper's proportions
            rgb = picture.convert("RGB")
            middle = rgb.getpixel((picture.width // 2, picture.height // 2))
            assert middle[0] > 150 > middle[1]  # the red background: the printed page, not a blank one
            corner = rgb.getpixel((2, 2))
            assert (
                isinstance(corner, tuple) and min(corner) >= 250
            )  # the 1 cm white margin (lossy WebP): the page as printed, not the screen
    finally:
        renderer.close()
    # What the picture costs, for the record (speed is not asserted).
    log.warning("thumbnail CPU ms per job: %s", costs)


class _WithThumbnail(Renderer):
    def render(
        self, url: str, options: ConversionOptions, correlation_id: str, credentials: PageCredentials | None = None
    ) -> RenderedPdf:
        return RenderedPdf(PDF, "Pictured", 1, draw_thumbnail=lambda: WEBP)

    def render_html(self, html: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf:
        return RenderedPdf(PDF, "Pictured", 1, draw_thumbnail=lambda: None)

    def close(self) -> None:
        return None


@pytest.fixture
def settings(make_settings, pages):
    return make_settings(egress_allow=f"127.0.0.1:{pages.port}")


@pytest.fixture
def renderer_factory():
    return lambda _settings: _WithThumbnail()


def _finish(wired, http, token, body) -> str:
    created = http.call("POST", "/request", body, token=token).json
    user_id = http.call("GET", "/me", token=token).json["id"]
    entry = wired.file_index.get(user_id, created["name"])
    assert created["thumbnail_url"] is None  # none before the job ran
    assert http.call("GET", f"/file/{entry.file_id}/thumbnail", token=token).status_code == 404
    assert http.call("GET", f"/file/{entry.file_id}/view", token=token).status_code == 409  # not ready
    assert wired.jobs.process(ConversionJob.for_entry(entry), 1).status == "ready"
    return entry.file_id


def test_a_ready_file_has_a_thumbnail_and_an_inline_view_and_loses_both_when_deleted(wired, http, pages):
    token = http.token("pictures@example.com")
    name = _finish(wired, http, token, {"url": pages.origin + "/any"})
    user_id = http.call("GET", "/me", token=token).json["id"]
    keys = {o["Key"] for o in wired.client("s3").list_objects_v2(Bucket=wired.settings.files_bucket)["Contents"]}
    assert keys == {object_key(user_id, name), f"users/{user_id}/{name}.thumb.webp"}  # next to the PDF

    listed = http.call("GET", "/files", token=token).json["files"][0]
    picture = requests.get(listed["thumbnail_url"], timeout=10)
    assert picture.content == WEBP and picture.headers["Content-Type"] == "image/webp"

    redirect = http.call("GET", f"/file/{name}/thumbnail", token=token)
    assert redirect.status_code == 302 and requests.get(redirect.headers["Location"], timeout=10).content == WEBP
    view = http.call("GET", f"/file/{name}/view", token=token)
    assert view.status_code == 302
    shown = requests.get(view.headers["Location"], timeout=10)
    assert shown.content == PDF and shown.headers["Content-Disposition"].startswith("inline;")

    link = http.call("GET", f"/file/{name}/link?disposition=inline", token=token).json
    assert requests.get(link["url"], timeout=10).headers["Content-Disposition"].startswith("inline;")
    saved = http.call("GET", f"/file/{name}/link", token=token).json
    assert requests.get(saved["url"], timeout=10).headers["Content-Disposition"].startswith("attachment;")
    refused = http.call("GET", f"/file/{name}/link?disposition=sideways", token=token)
    assert refused.status_code == 400 and refused.json["error"]["field"] == "disposition"

    other = http.token("someone-else@example.com")
    assert http.call("GET", f"/file/{name}/thumbnail", token=other).status_code == 404
    assert http.call("GET", f"/file/{name}/view", token=other).status_code == 404

    assert http.call("DELETE", f"/file/{name}", token=token).status_code == 204
    assert "Contents" not in wired.client("s3").list_objects_v2(Bucket=wired.settings.files_bucket)


def test_a_file_without_a_picture_answers_404_for_its_thumbnail(wired, http):
    token = http.token("no-picture@example.com")
    name = _finish(wired, http, token, {"html": "<p>no picture</p>"})
    response = http.call("GET", f"/file/{name}/thumbnail", token=token)
    assert response.status_code == 404 and response.json["error"]["code"] == "no_thumbnail"
    assert http.call("GET", "/files", token=token).json["files"][0]["thumbnail_url"] is None

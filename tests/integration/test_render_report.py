"""The render report: real Chromium on loopback pages, then the entry as GET /files shows it."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("playwright")

from pypdf import PdfReader  # noqa: E402

from chalicelib.domain.errors import ConversionFailed, InvalidInput  # noqa: E402
from chalicelib.domain.models import ConversionJob, ConversionOptions, RenderedPdf  # noqa: E402
from chalicelib.domain.options import parse_options  # noqa: E402
from chalicelib.domain.page_credentials import PageCredentials  # noqa: E402
from chalicelib.domain.ports import Renderer  # noqa: E402
from chalicelib.domain.render_report import PdfFacts, RenderReport  # noqa: E402
from tests.support.pages import PageServer, Reply  # noqa: E402
from tests.support.renderers import loopback_renderer  # noqa: E402

pytestmark = pytest.mark.timeout(120)

BUSY_PAGE = """<title>Busy</title><h1>Busy page</h1>
<img src="http://10.0.0.1/logo.png"><img src="http://10.0.0.2/a.png"><img src="http://192.168.1.9/b.png">
<script>
console.error("first complaint");
console.error("x".repeat(5000));
console.log("not an error");
const aborted = new AbortController();
fetch("/slow", {signal: aborted.signal}).catch(() => {});
aborted.abort();
setTimeout(() => { throw new Error("late failure"); }, 0);
</script>"""


@pytest.fixture(scope="module")
def pages():
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def renderer(pages):
    renderer = loopback_renderer(f"127.0.0.1:{pages.port}")
    yield renderer
    renderer.close()


def test_the_report_counts_blocked_and_failed_requests_and_console_errors(renderer, pages):
    url = pages.page("/busy", BUSY_PAGE)
    report = renderer.render(url, ConversionOptions(), "corr-report").report
    assert report is not None
    assert (report.final_url, report.http_status, report.redirects) == (url, 200, ())
    assert report.blocked_requests.count == 3
    assert {e.host for e in report.blocked_requests.examples} == {"10.0.0.1", "10.0.0.2", "192.168.1.9"}
    assert all(e.reason and not e.url for e in report.blocked_requests.examples)
    assert report.failed_requests.count == 1
    assert report.failed_requests.examples[0].url == pages.origin + "/slow"
    assert report.console_errors.count == 3  # two console.error calls and the uncaught error
    first, long, uncaught = report.console_errors.messages
    assert first == "first complaint" and len(long) == 300 and "late failure" in uncaught
    assert set(report.timings_ms) == {"navigate", "settle", "print"}
    assert report.pdf is not None and report.pdf.pages == 1 and report.pdf.bytes > 1000


def test_the_report_follows_redirects_to_the_final_address(renderer, pages):
    final = pages.page("/landed", "<title>Landed</title><p>here</p>")
    pages.routes["/moved"] = Reply(301, "", headers={"Location": "/hop"})
    pages.routes["/hop"] = Reply(302, "", headers={"Location": "/landed"})
    report = renderer.render(pages.origin + "/moved", ConversionOptions(), "corr-redirect").report
    assert report is not None
    assert report.final_url == final and report.http_status == 200
    assert report.redirects == (pages.origin + "/moved", pages.origin + "/hop")


def test_a_failure_carries_what_was_seen_before_it(renderer, pages):
    url = pages.page("/gone", "<h1>Gone</h1>", status=404)
    with pytest.raises(ConversionFailed) as failed:
        renderer.render(url, ConversionOptions(), "corr-404")
    assert failed.value.report is not None and failed.value.report.final_url == url


HEADINGS = "<title>Handbook</title>" + "".join(f"<h1>Part {i}</h1><p>text</p><h2>Detail {i}</h2>" for i in range(3))


def test_pdfs_are_tagged_with_an_outline_when_asked_and_carry_metadata(renderer, pages):
    url = pages.page("/handbook", HEADINGS)
    default = renderer.render(url, ConversionOptions(tagged=True, outline=True), "corr-tagged")
    reader = PdfReader(io.BytesIO(default.content))
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged: readers can follow the structure
    assert default.report is not None and default.report.pdf is not None
    assert default.report.pdf.outline_entries == 6  # one bookmark per heading
    assert (reader.metadata["/Title"], reader.metadata["/Subject"], reader.metadata["/Creator"]) == (
        "Handbook",
        url,
        "PagePress",
    )

    plain = renderer.render(url, ConversionOptions(), "corr-plain")  # the default: neither
    assert "/StructTreeRoot" not in PdfReader(io.BytesIO(plain.content)).trailer["/Root"]
    assert plain.report is not None and plain.report.pdf is not None and plain.report.pdf.outline_entries == 0
    untitled = renderer.render(url, ConversionOptions(tagged=True, outline=False), "corr-no-outline")
    assert untitled.report is not None and untitled.report.pdf is not None
    assert untitled.report.pdf.outline_entries == 0


@pytest.mark.parametrize(
    ("name", "expected"), [("tagged", ConversionOptions(tagged=True)), ("outline", ConversionOptions(outline=True))]
)
def test_tagging_and_outline_options_must_be_true_or_false(name, expected):
    assert parse_options({name: True}) == expected
    with pytest.raises(InvalidInput) as refused:
        parse_options({name: "no"})
    assert refused.value.field == f"options.{name}"


class _Reported(Renderer):
    """A renderer whose report is known, to see what the job and the index make of it."""

    def __init__(self, report: RenderReport) -> None:
        self.report = report

    def render(
        self, url: str, options: ConversionOptions, correlation_id: str, credentials: PageCredentials | None = None
    ) -> RenderedPdf:
        return RenderedPdf(b"%PDF-1.4 made up", "Made up", 1, (), self.report)

    def render_html(self, html: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf:
        raise AssertionError("not used")

    def close(self) -> None:
        return None


@pytest.fixture
def settings(make_settings, pages):
    return make_settings(egress_allow=f"127.0.0.1:{pages.port}")


@pytest.fixture
def renderer_factory():
    report = RenderReport(final_url="https://example.com/", http_status=200, timings_ms={"navigate": 5})
    report = RenderReport.from_dict({**report.to_dict(), "pdf": {"pages": 1, "bytes": 16, "outline_entries": 2}})
    return lambda _settings: _Reported(report)


def test_a_finished_entry_keeps_its_report_with_the_job_s_own_timings(wired, http, pages):
    token = http.token("reporter@example.com")
    created = http.call("POST", "/request", {"url": pages.origin + "/anything"}, token=token).json
    assert created["report"] is None  # nothing to report before the job ran
    user_id = http.call("GET", "/me", token=token).json["id"]
    entry = wired.file_index.get(user_id, created["name"])
    assert wired.jobs.process(ConversionJob.for_entry(entry), 1).status == "ready"
    listed = http.call("GET", "/files", token=token).json["files"][0]
    report = listed["report"]
    assert report["final_url"] == "https://example.com/" and report["pdf"] == {
        "pages": 1,
        "bytes": 16,
        "outline_entries": 2,
    }
    assert list(report["timings_ms"]) == ["queued", "navigate", "store", "total"]
    assert report["timings_ms"]["total"] >= report["timings_ms"]["queued"]
    assert RenderReport.from_dict(report).pdf == PdfFacts(1, 16, 2)  # what is stored reads back the same

"""``options.headers`` and ``options.cookies``: each rule refuses with a 400 naming the field, the
values are sealed apart from the options, opened only for the job, and gone when it ends."""

from __future__ import annotations

import pytest

from chalicelib.domain.conversions import QUEUE_UNAVAILABLE, ConversionService
from chalicelib.domain.errors import Conflict, ConversionFailed, DependencyUnavailable, InvalidInput, Unprocessable
from chalicelib.domain.jobs import JobProcessor, RetryLater
from chalicelib.domain.models import ConversionJob, FileStatus, User
from chalicelib.domain.page_credentials import (
    MAX_HEADERS,
    MAX_SEALED_BYTES,
    Cookie,
    PageCredentials,
    origin_of,
    parse_credentials,
)
from chalicelib.domain.sources import Source
from tests.fakes.files import MemoryFileIndex, MemoryJobQueue, MemoryObjectStore, ScriptedRenderer
from tests.fakes.sealer import FakeSealer

URL = "https://app.example.com/report"
ADA = User("user-ada", "ada@example.com", "hash")
SECRET = "Bearer t0ps3cret"


def _refused(raw: dict, url: str | None = URL) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_credentials(raw, url)
    return caught.value


# --- headers -----------------------------------------------------------------------------------


def test_headers_keep_their_names_and_values_in_order():
    parsed = parse_credentials({"headers": {"Authorization": SECRET, "X-Tenant": "a b"}}, URL)
    assert parsed is not None and parsed.headers == (("Authorization", SECRET), ("X-Tenant", "a b"))
    assert parsed.header_names == ("Authorization", "X-Tenant") and parsed.cookies == ()


def test_no_headers_and_no_cookies_is_none():
    assert parse_credentials({"format": "A4"}, URL) is None
    assert parse_credentials({"headers": {}, "cookies": []}, URL) is None


@pytest.mark.parametrize(
    "name, rule",
    [
        ("Host", "forbidden request header"),
        ("connection", "forbidden request header"),
        ("Keep-Alive", "forbidden request header"),
        ("Transfer-Encoding", "forbidden request header"),
        ("TE", "forbidden request header"),
        ("Upgrade", "forbidden request header"),
        ("Trailer", "forbidden request header"),
        ("Content-Length", "forbidden request header"),
        ("Origin", "forbidden request header"),
        ("Referer", "forbidden request header"),
        ("Proxy-Authorization", "forbidden request header"),
        ("Sec-Fetch-Site", "forbidden request header"),
        ("Cookie", "options.cookies"),
        ("User-Agent", "options.user_agent"),
    ],
)
def test_headers_the_browser_keeps_for_itself_are_refused_saying_which_rule(name, rule):
    refused = _refused({"headers": {name: "x"}})
    assert refused.field == f"options.headers.{name}" and rule in refused.message


@pytest.mark.parametrize(
    "raw",
    [
        {"headers": {"Host": SECRET}},
        {"headers": {"X-Line": SECRET + "\r\n"}},
        {"headers": {"X-Big": SECRET * 200}},
        {"cookies": [{"name": "a", "value": SECRET}]},
        {"cookies": [{"name": "a", "value": "ok", "domain": "evil.com"}, {"name": "b", "value": SECRET}]},
    ],
)
def test_no_refusal_repeats_a_value(raw):
    assert "t0ps3cret" not in _refused(raw).message


def test_a_method_override_may_not_name_a_forbidden_method():
    assert _refused({"headers": {"X-HTTP-Method-Override": "GET, TRACE"}}).field == (
        "options.headers.X-HTTP-Method-Override"
    )
    assert parse_credentials({"headers": {"X-HTTP-Method-Override": "PATCH"}}, URL) is not None


@pytest.mark.parametrize(
    "headers, field",
    [
        ({"Bad Name": "x"}, "options.headers"),
        ({"X-Ü": "x"}, "options.headers"),
        ({"X-" + "a" * 63: "x"}, "options.headers"),
        ({"X-Line": "a\r\nHost: evil"}, "options.headers.X-Line"),
        ({"X-Line": "a\nb"}, "options.headers.X-Line"),
        ({"X-Tab": "a\tb"}, "options.headers.X-Tab"),
        ({"X-Empty": ""}, "options.headers.X-Empty"),
        ({"X-Space": " padded "}, "options.headers.X-Space"),
        ({"X-Utf8": "café"}, "options.headers.X-Utf8"),
        ({"X-Long": "a" * 2049}, "options.headers.X-Long"),
        ({"X-Number": 5}, "options.headers.X-Number"),
        ({"X-Twice": "1", "x-twice": "2"}, "options.headers.x-twice"),
        ({f"X-{n}": "v" for n in range(MAX_HEADERS + 1)}, "options.headers"),
        (["X-List"], "options.headers"),
    ],
)
def test_header_names_and_values_are_bounded(headers, field):
    assert _refused({"headers": headers}).field == field


def test_headers_and_cookies_together_fit_what_kms_seals_at_once():
    big = {f"X-{n}": "v" * 2000 for n in range(3)}
    refused = _refused({"headers": big})
    assert refused.field == "options.headers" and str(MAX_SEALED_BYTES) in refused.message


def test_sent_html_has_no_origin_to_send_them_to():
    assert _refused({"headers": {"X-A": "1"}}, url=None).field == "options.headers"
    assert _refused({"cookies": [{"name": "a", "value": "1"}]}, url=None).field == "options.cookies"


# --- cookies -----------------------------------------------------------------------------------


def test_cookies_default_to_the_pages_host_and_the_root_path():
    parsed = parse_credentials({"cookies": [{"name": "session", "value": "abc"}]}, URL)
    assert parsed is not None and parsed.cookies == (Cookie("session", "abc"),)
    assert parsed.cookies[0].domain is None and parsed.cookies[0].path == "/"


def test_a_cookie_may_name_the_pages_host_or_a_parent_domain():
    parsed = parse_credentials(
        {
            "cookies": [
                {"name": "a", "value": "1", "domain": "app.example.com"},
                {"name": "b", "value": "2", "domain": ".Example.com", "path": "/reports", "secure": True},
                {"name": "c", "value": '"quoted"', "http_only": True, "same_site": "Strict"},
            ]
        },
        URL,
    )
    assert parsed is not None and [c.domain for c in parsed.cookies] == ["app.example.com", "example.com", None]


@pytest.mark.parametrize(
    "cookie, url, field",
    [
        ({"name": "a", "value": "1", "domain": "evil.com"}, URL, "options.cookies.0.domain"),
        ({"name": "a", "value": "1", "domain": "com"}, URL, "options.cookies.0.domain"),
        ({"name": "a", "value": "1", "domain": "xapp.example.com"}, URL, "options.cookies.0.domain"),
        ({"name": "a", "value": "1", "domain": "other.example.com"}, URL, "options.cookies.0.domain"),
        ({"name": "a", "value": "1", "domain": "0.0.1"}, "http://127.0.0.1/", "options.cookies.0.domain"),
        ({"name": "a", "value": "1", "domain": "ex ample.com"}, URL, "options.cookies.0.domain"),
        ({"name": "a b", "value": "1"}, URL, "options.cookies.0.name"),
        ({"name": "a=b", "value": "1"}, URL, "options.cookies.0.name"),
        ({"name": "a", "value": "semi;colon"}, URL, "options.cookies.0.value"),
        ({"name": "a", "value": "with space"}, URL, "options.cookies.0.value"),
        ({"name": "a", "value": "back\\slash"}, URL, "options.cookies.0.value"),
        ({"name": "a", "value": "comma,"}, URL, "options.cookies.0.value"),
        ({"name": "a", "value": "line\r\nbreak"}, URL, "options.cookies.0.value"),
        ({"name": "a", "value": 1}, URL, "options.cookies.0.value"),
        ({"name": "a", "value": "1", "path": "reports"}, URL, "options.cookies.0.path"),
        ({"name": "a", "value": "1", "path": "/a;b"}, URL, "options.cookies.0.path"),
        ({"name": "a", "value": "1", "secure": "yes"}, URL, "options.cookies.0.secure"),
        ({"name": "a", "value": "1", "secure": True}, "http://example.com/", "options.cookies.0.secure"),
        ({"name": "a", "value": "1", "same_site": "None"}, URL, "options.cookies.0.secure"),
        ({"name": "a", "value": "1", "same_site": "lax"}, URL, "options.cookies.0.same_site"),
        ({"name": "a", "value": "1", "expires": 5}, URL, "options.cookies.0.expires"),
        ({"name": "a"}, URL, "options.cookies.0"),
        ("a=1", URL, "options.cookies.0"),
    ],
)
def test_each_cookie_rule_names_the_field(cookie, url, field):
    assert _refused({"cookies": [cookie]}, url).field == field


def test_a_cookie_given_twice_and_too_many_cookies_are_refused():
    twice = [{"name": "a", "value": "1"}, {"name": "a", "value": "2"}]
    assert _refused({"cookies": twice}).field == "options.cookies.1.name"
    assert _refused({"cookies": [{"name": f"c{n}", "value": "1"} for n in range(21)]}).field == "options.cookies"
    assert _refused({"cookies": {"name": "a"}}).field == "options.cookies"


def test_origins_are_written_as_browsers_write_them():
    assert origin_of("https://Example.com:443/a?b") == "https://example.com"
    assert origin_of("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"
    assert origin_of("http://[::1]:81/") == "http://[::1]:81"


def test_credentials_survive_sealing_and_never_show_in_their_repr():
    credentials = PageCredentials((("Authorization", SECRET),), (Cookie("s", "v4lue", "example.com", "/a", True),))
    assert PageCredentials.from_bytes(credentials.to_bytes()) == credentials
    assert SECRET not in repr(credentials) and "v4lue" not in repr(credentials)


# --- the service and the processor -------------------------------------------------------------

OPTIONS = {"headers": {"Authorization": SECRET}, "cookies": [{"name": "session", "value": "c00kie"}]}


@pytest.fixture
def sealer() -> FakeSealer:
    return FakeSealer()


@pytest.fixture
def service(
    index: MemoryFileIndex, queue: MemoryJobQueue, store: MemoryObjectStore, sealer: FakeSealer
) -> ConversionService:
    return ConversionService(index, queue, store, lambda url: url, download_ttl_seconds=60, sealer=lambda: sealer)


@pytest.fixture
def processor(
    index: MemoryFileIndex, store: MemoryObjectStore, renderer: ScriptedRenderer, sealer: FakeSealer
) -> JobProcessor:
    return JobProcessor(index, store, lambda: renderer, sealer=lambda: sealer)


def test_a_request_keeps_only_the_names_in_its_options_and_the_values_sealed(
    service: ConversionService, index: MemoryFileIndex, queue: MemoryJobQueue
) -> None:
    entry = service.request(ADA, URL, OPTIONS, None, "cid")
    assert entry.options.header_names == ("Authorization",) and entry.options.cookie_names == ("session",)
    assert SECRET not in repr(entry) and SECRET not in repr(queue.jobs[0].to_message())
    sealed = index.sealed_credentials(ADA.id, entry.file_id)
    assert sealed is not None and SECRET.encode() not in sealed


def test_the_job_renders_with_its_credentials_and_they_are_gone_when_it_ends(
    service: ConversionService, processor: JobProcessor, index: MemoryFileIndex, renderer: ScriptedRenderer
) -> None:
    entry = service.request(ADA, URL, OPTIONS, None, "cid")
    assert processor.process(ConversionJob.for_entry(entry), attempt=1).status == "ready"
    (given,) = renderer.credentials
    assert given is not None and given.headers == (("Authorization", SECRET),)
    assert index.sealed_credentials(ADA.id, entry.file_id) is None


def test_a_failed_job_loses_its_credentials_and_cannot_be_retried(
    service: ConversionService, processor: JobProcessor, index: MemoryFileIndex, renderer: ScriptedRenderer
) -> None:
    renderer.failures[URL] = ConversionFailed("The page answered 404", "http_error")
    entry = service.request(ADA, URL, OPTIONS, None, "cid")
    assert processor.process(ConversionJob.for_entry(entry), attempt=1).status == "failed"
    assert index.sealed_credentials(ADA.id, entry.file_id) is None
    with pytest.raises(Conflict) as refused:
        service.retry(ADA, entry.file_id)
    assert refused.value.code == "credentials_gone"


def test_a_job_whose_credentials_are_gone_fails_saying_so(
    service: ConversionService, processor: JobProcessor, index: MemoryFileIndex
) -> None:
    entry = service.request(ADA, URL, OPTIONS, None, "cid")
    index.credentials.clear()
    outcome = processor.process(ConversionJob.for_entry(entry), attempt=1)
    assert (outcome.status, outcome.detail) == ("failed", "credentials_missing")


def test_credentials_sealed_for_another_job_do_not_open(
    service: ConversionService, processor: JobProcessor, index: MemoryFileIndex
) -> None:
    first = service.request(ADA, URL, OPTIONS, None, "cid-1")
    second = service.request(ADA, URL, OPTIONS, None, "cid-2")
    index.credentials[(ADA.id, second.file_id)] = index.credentials[(ADA.id, first.file_id)]
    outcome = processor.process(ConversionJob.for_entry(second), attempt=1)
    assert (outcome.status, outcome.detail) == ("failed", "credentials_unreadable")


def test_sealed_bytes_that_open_to_nonsense_fail_the_job_as_unreadable(
    service: ConversionService, processor: JobProcessor, index: MemoryFileIndex, sealer: FakeSealer
) -> None:
    entry = service.request(ADA, URL, OPTIONS, None, "cid")
    index.credentials[(ADA.id, entry.file_id)] = sealer.seal(b"not json", {"user_id": ADA.id, "file_id": entry.file_id})
    outcome = processor.process(ConversionJob.for_entry(entry), attempt=1)
    assert (outcome.status, outcome.detail) == ("failed", "credentials_unreadable")
    assert index.sealed_credentials(ADA.id, entry.file_id) is None


class _Down(FakeSealer):
    def open(self, sealed: bytes, context: dict) -> bytes:  # type: ignore[override]
        raise DependencyUnavailable("KMS does not answer")


def test_a_key_service_that_does_not_answer_leaves_the_job_to_the_queues_retry(
    service: ConversionService, index: MemoryFileIndex, store: MemoryObjectStore, renderer: ScriptedRenderer
) -> None:
    entry = service.request(ADA, URL, OPTIONS, None, "cid")
    processor = JobProcessor(index, store, lambda: renderer, sealer=_Down)
    with pytest.raises(RetryLater):
        processor.process(ConversionJob.for_entry(entry), attempt=1)
    assert index.sealed_credentials(ADA.id, entry.file_id) is not None  # kept for the retry


def test_a_deleted_entry_takes_its_credentials_along(service: ConversionService, index: MemoryFileIndex) -> None:
    entry = service.request(ADA, URL, OPTIONS, None, "cid")
    service.delete(ADA, entry.file_id)
    assert index.sealed_credentials(ADA.id, entry.file_id) is None


def test_a_queue_failure_ends_the_job_and_its_replay_asks_for_a_new_request(
    service: ConversionService, index: MemoryFileIndex, queue: MemoryJobQueue
) -> None:
    queue.down = True
    with pytest.raises(DependencyUnavailable):
        service.request(ADA, URL, OPTIONS, "key-1", "cid")
    (entry,) = index.entries.values()
    assert entry.status is FileStatus.FAILED and entry.error_code == QUEUE_UNAVAILABLE
    assert index.sealed_credentials(ADA.id, entry.file_id) is None
    queue.down = False
    with pytest.raises(Unprocessable) as refused:
        service.request(ADA, URL, OPTIONS, "key-1", "cid")
    assert (refused.value.code, refused.value.field) == ("credentials_gone", "Idempotency-Key")


def test_without_a_sealer_credentials_are_refused_not_kept_in_the_clear(
    index: MemoryFileIndex, queue: MemoryJobQueue, store: MemoryObjectStore
) -> None:
    plain = ConversionService(index, queue, store, lambda url: url, download_ttl_seconds=60)
    with pytest.raises(DependencyUnavailable):
        plain.request(ADA, URL, OPTIONS, None, "cid")
    assert index.entries == {}


def test_sent_html_with_headers_is_refused(service: ConversionService) -> None:
    with pytest.raises(InvalidInput) as refused:
        service.request(ADA, None, OPTIONS, None, "cid", source=Source("html", "<p>x</p>"))
    assert refused.value.field == "options.headers"

"""The converter Lambda's handlers on real SQS messages (moto), real Chromium and real S3/DynamoDB.

Each fault ends in exactly one correct outcome: one object and one entry, ready or failed.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from typing import cast

import pytest
from aws_lambda_powertools.utilities.typing import LambdaContext

from chalicelib.config import default_chromium
from chalicelib.domain.errors import DependencyUnavailable
from chalicelib.domain.jobs import Outcome
from chalicelib.domain.models import ConversionOptions, FileStatus, RenderedPdf, object_key, thumbnail_key
from chalicelib.domain.page_credentials import PageCredentials
from chalicelib.domain.ports import ConversionMetrics, Renderer
from chalicelib.egress import EgressPolicy
from converter import handler
from converter.renderer import PlaywrightRenderer
from devstack.worker import LambdaContextStub, sqs_event
from tests.support.logs import captured
from tests.support.pages import PageServer, Reply
from tests.support.pdf import pdf_text
from tests.support.polling import poll_until


class Borrowed(Renderer):
    """Lends the module's warm renderer to one test's container without letting it close it."""

    def __init__(self, inner: Renderer, crash_on: str | None = None) -> None:
        self.inner = inner
        self.crash_on = crash_on
        self.prepared_for_next = 0

    def render(
        self, url: str, options: ConversionOptions, correlation_id: str, credentials: PageCredentials | None = None
    ) -> RenderedPdf:
        if self.crash_on and self.crash_on in url:
            raise SystemExit("the container died mid-batch")
        return self.inner.render(url, options, correlation_id, credentials)

    def render_html(self, html: str, options: ConversionOptions, correlation_id: str) -> RenderedPdf:
        return self.inner.render_html(html, options, correlation_id)

    def prepare_next_job(self) -> None:
        self.prepared_for_next += 1
        self.inner.prepare_next_job()

    def close(self) -> None:
        """Lent, not owned: the module's fixture closes the warm renderer."""


class FlakyPut:
    """An S3 store whose first put fails, as a throttled or unreachable S3 would."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.failures_left = 1

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def put_pdf(self, key, content, metadata, content_type="application/pdf"):
        if self.failures_left:
            self.failures_left -= 1
            raise DependencyUnavailable("S3 does not answer: injected fault")
        self.inner.put_pdf(key, content, metadata, content_type)


class RecordingMetrics(ConversionMetrics):
    def __init__(self) -> None:
        self.recorded: list[tuple[Outcome, int | None]] = []

    def record(self, outcome, queued_ms) -> None:
        self.recorded.append((outcome, queued_ms))


@pytest.fixture
def metrics(stack) -> RecordingMetrics:
    stack.__dict__["conversion_metrics"] = recording = RecordingMetrics()
    return recording


@pytest.fixture(scope="module")
def page_server():
    server = PageServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def warm_renderer(page_server):
    renderer = PlaywrightRenderer(
        EgressPolicy(allow=f"127.0.0.1:{page_server.port}"),
        chromium_path=default_chromium(),
        render_timeout_seconds=15,
        settle_timeout_seconds=3,
        render_concurrency=2,
    )
    yield renderer
    renderer.close()


@pytest.fixture
def settings(make_settings, page_server):
    return make_settings(egress_allow=f"127.0.0.1:{page_server.port}")


@pytest.fixture
def lent(warm_renderer):
    return Borrowed(warm_renderer)


@pytest.fixture
def renderer_factory(lent):
    return lambda _settings: lent


@pytest.fixture
def stack(wired):
    """The wired container, retrying a transient failure after 1 s rather than the default 15."""
    wired.settings = dataclasses.replace(wired.settings, jobs_retry_base_seconds=1)
    wired.__dict__.pop("job_retry_schedule", None)
    return wired


@pytest.fixture
def token(http):
    return http.token(f"user{id(http)}@example.com")


def receive(stack, queue_name=None, wait=0) -> list[dict]:
    sqs = stack.client("sqs")
    url = stack.queue_urls.url(queue_name or stack.settings.jobs_queue_name)
    return sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        WaitTimeSeconds=wait,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
        VisibilityTimeout=0,
    ).get("Messages", [])


def receive_retried(stack) -> list[dict]:
    """The jobs that failed come back after their backoff (1 s here): wait for them."""
    return poll_until(lambda: receive(stack), bool, timeout=20, interval=0.25, what="the retried job")


def invoke(stack, messages, fn=None):
    event = sqs_event(messages, "arn:aws:sqs:us-east-1:000000000000:jobs", stack.settings.aws_region)
    context = cast(LambdaContext, LambdaContextStub(function_name="converter"))  # the fields handlers read
    return (fn or handler.lambda_handler)(event, context)


def failed_ids(result) -> set[str]:
    return {item["itemIdentifier"] for item in result["batchItemFailures"]}


def entry(stack, user_id, name):
    return stack.file_index.get(user_id, name)


def request(http, token, url, **options):
    response = http.call(
        "POST",
        "/request",
        {"url": url, "options": options} if options else {"url": url},
        token=token,
        headers={"X-Correlation-Id": "corr-e2e-1"},
    )
    assert response.status_code == 202, response.json
    return response.json["name"]


def user_id(http, token):
    return http.call("GET", "/me", token=token).json["id"]


def test_a_job_becomes_a_ready_pdf_with_its_text_and_correlation_id(stack, http, token, page_server):
    url = page_server.page("/hello", "<title>Hello Title</title><h1>Hello from the page server</h1>")
    name = request(http, token, url)
    with captured(handler.logger) as logs:
        result = invoke(stack, receive(stack))
    assert failed_ids(result) == set()
    finished = [json.loads(line) for line in logs.getvalue().splitlines() if '"job finished"' in line]
    assert [entry["correlation_id"] for entry in finished] == ["corr-e2e-1"]  # the API's id, through SQS
    done = entry(stack, user_id(http, token), name)
    assert done.status is FileStatus.READY and done.title == "Hello Title" and done.pages == 1
    obj = stack.client("s3").get_object(Bucket=stack.settings.files_bucket, Key=object_key(done.user_id, name))
    content = obj["Body"].read()
    assert "Hello from the page server" in pdf_text(content)
    assert obj["Metadata"]["correlation-id"] == "corr-e2e-1"
    assert obj["ContentType"] == "application/pdf" and obj.get("ServerSideEncryption") == "AES256"
    assert done.size == len(content)


def test_after_its_batch_is_ready_the_converter_prepares_the_next_browser(stack, http, token, page_server, lent):
    names = [request(http, token, page_server.page(f"/next-{n}", f"<p>page {n}</p>")) for n in range(2)]
    result = invoke(stack, receive(stack))
    assert failed_ids(result) == set()
    assert [entry(stack, user_id(http, token), n).status for n in names] == [FileStatus.READY] * 2
    assert lent.prepared_for_next == 1  # once per batch, after its jobs


@pytest.mark.parametrize(
    "output, magic, content_type, extension",
    [
        ("png", b"\x89PNG", "image/png", "png"),
        ("jpeg", b"\xff\xd8\xff", "image/jpeg", "jpg"),
        ("webp", b"RIFF", "image/webp", "webp"),
    ],
)
def test_a_screenshot_job_stores_an_image_with_its_type_and_extension(
    stack, http, token, page_server, output, magic, content_type, extension
):
    url = page_server.page("/picture", "<title>Picture</title><h1>Shot by the converter</h1>")
    name = request(http, token, url, output=output)
    assert failed_ids(invoke(stack, receive(stack))) == set()
    done = entry(stack, user_id(http, token), name)
    assert done.status is FileStatus.READY and done.title == "Picture" and done.pages == 1
    key = object_key(done.user_id, name, output)
    assert key.endswith(f".{extension}")
    obj = stack.client("s3").get_object(Bucket=stack.settings.files_bucket, Key=key)
    content = obj["Body"].read()
    assert content.startswith(magic) and obj["ContentType"] == content_type and done.size == len(content)
    listed = http.call("GET", "/files", token=token).json["files"][0]
    assert listed["filename"] == f"Picture.{extension}"
    link = http.call("GET", f"/file/{name}/link", token=token).json
    assert link["filename"] == f"Picture.{extension}"


def test_duplicate_delivery_yields_one_object_and_one_entry(stack, http, token, page_server):
    name = request(http, token, page_server.page("/dup", "<h1>dup</h1>"))
    messages = receive(stack)
    assert failed_ids(invoke(stack, messages)) == set()
    first = entry(stack, user_id(http, token), name)
    assert failed_ids(invoke(stack, messages)) == set()
    second = entry(stack, user_id(http, token), name)
    assert first == second  # nothing changed the second time
    listed = stack.client("s3").list_objects_v2(Bucket=stack.settings.files_bucket)["Contents"]
    assert [o["Key"] for o in listed] == [object_key(first.user_id, name), thumbnail_key(first.user_id, name)]


def test_an_s3_put_failure_is_retried_after_its_backoff_and_then_succeeds(stack, http, token, page_server):
    """A transient failure comes back after its backoff, not the queue's whole visibility timeout."""
    stack.__dict__["object_store"] = FlakyPut(stack.object_store)
    stack.__dict__.pop("jobs", None)
    name = request(http, token, page_server.page("/backoff", "<h1>backoff</h1>"))
    sqs, url = stack.client("sqs"), stack.queue_urls.url(stack.settings.jobs_queue_name)
    taken = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600, AttributeNames=["All"])["Messages"]
    failed_at = time.monotonic()
    assert failed_ids(invoke(stack, taken)) == {taken[0]["MessageId"]}
    assert entry(stack, user_id(http, token), name).status is FileStatus.PROCESSING  # not ready without its PDF
    # Left alone, the message would stay hidden for the 600 s it was received with.
    again = receive_retried(stack)
    assert again[0]["MessageId"] == taken[0]["MessageId"] and time.monotonic() - failed_at >= 0.5
    assert failed_ids(invoke(stack, again)) == set()
    assert entry(stack, user_id(http, token), name).status is FileStatus.READY


class RefusedRetries:
    """SQS refusing ChangeMessageVisibility (throttled, or the receipt handle expired)."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    def later(self, receipt_handle: str, delay_seconds: int) -> None:
        self.asked.append(delay_seconds)
        raise DependencyUnavailable("SQS does not answer: injected")


def test_when_sqs_refuses_the_backoff_the_job_still_fails_over_to_the_queues_own_timeout(
    stack, http, token, page_server
):
    """The retry delay is a nicety: without it the record is still reported failed, so the queue's
    visibility timeout brings it back, and the entry stays unfinished rather than lost."""
    retries = stack.__dict__["job_retries"] = RefusedRetries()
    stack.__dict__["object_store"] = FlakyPut(stack.object_store)
    stack.__dict__.pop("jobs", None)
    name = request(http, token, page_server.page("/refused-backoff", "<h1>refused backoff</h1>"))
    sqs, url = stack.client("sqs"), stack.queue_urls.url(stack.settings.jobs_queue_name)
    taken = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600, AttributeNames=["All"])["Messages"]
    with captured(handler.logger) as logs:
        assert failed_ids(invoke(stack, taken)) == {taken[0]["MessageId"]}
    assert retries.asked == [1]  # the backoff was asked for (1 s in this stack)
    assert "the queue's visibility timeout applies" in logs.getvalue()
    assert entry(stack, user_id(http, token), name).status is FileStatus.PROCESSING
    assert receive(stack) == []  # still hidden for the 600 s it was received with: not lost, not early


def test_a_crash_mid_batch_redelivers_and_each_job_ends_once(stack, http, token, page_server, lent):
    names = [request(http, token, page_server.page(f"/batch{i}", f"<h1>batch {i}</h1>")) for i in range(3)]
    messages = receive(stack)
    assert len(messages) == 3
    lent.crash_on = "/batch1"
    with pytest.raises(SystemExit):
        invoke(stack, messages)
    lent.crash_on = None
    assert failed_ids(invoke(stack, messages)) == set()  # SQS delivers the whole batch again
    owner = user_id(http, token)
    assert all(entry(stack, owner, n).status is FileStatus.READY for n in names)
    keys = sorted(o["Key"] for o in stack.client("s3").list_objects_v2(Bucket=stack.settings.files_bucket)["Contents"])
    assert keys == sorted([object_key(owner, n) for n in names] + [thumbnail_key(owner, n) for n in names])


def test_a_page_answering_500_fails_at_once_with_a_reason(stack, http, token, page_server):
    page_server.routes["/broken"] = Reply(500, "<h1>oops</h1>")
    name = request(http, token, page_server.origin + "/broken")
    assert failed_ids(invoke(stack, receive(stack))) == set()  # permanent: not retried
    failed = entry(stack, user_id(http, token), name)
    assert failed.status is FileStatus.FAILED and failed.error_code == "http_error"
    assert "500" in failed.error_message


def test_a_transient_503_is_retried_through_sqs(stack, http, token, page_server):
    answers = iter([Reply(503, "busy"), Reply(200, "<title>Back</title><h1>back again</h1>")])
    page_server.routes["/busy"] = lambda: next(answers)
    name = request(http, token, page_server.origin + "/busy")
    messages = receive(stack)
    assert failed_ids(invoke(stack, messages)) == {messages[0]["MessageId"]}
    assert failed_ids(invoke(stack, receive_retried(stack))) == set()
    assert entry(stack, user_id(http, token), name).title == "Back"


def test_a_page_that_never_stops_loading_still_ends_within_the_bound(stack, http, token, page_server):
    release = threading.Event()

    def hanging() -> Reply:
        release.wait(30)
        return Reply(200, "late")

    page_server.routes["/slow.png"] = hanging  # an image is waited for until it arrives, or the bound
    url = page_server.page(
        "/never",
        "<title>Never quiet</title><h1>visible text</h1><script>"
        "addEventListener('load', () => { const img = new Image();"
        " img.src = '/slow.png'; document.body.append(img); })</script>",
    )
    try:
        name = request(http, token, url)
        assert failed_ids(invoke(stack, receive(stack))) == set()
    finally:
        release.set()
    done = entry(stack, user_id(http, token), name)
    assert done.status is FileStatus.READY
    assert any("loading" in warning for warning in done.warnings)


def test_a_poison_message_fails_once_visibly(stack, http, token, page_server):
    sqs = stack.client("sqs")
    queue = stack.queue_urls.url(stack.settings.jobs_queue_name)
    name = request(http, token, page_server.page("/p", "x"))
    owner = user_id(http, token)
    for message in receive(stack):  # take the good message out of the way
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    sqs.send_message(QueueUrl=queue, MessageBody="{this is not json")
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"user_id": owner, "file_id": name}))
    poison = receive(stack)
    assert len(poison) == 2
    with captured(handler.logger) as logs:
        assert failed_ids(invoke(stack, poison)) == set()  # never retried
    failed = entry(stack, owner, name)
    assert failed.status is FileStatus.FAILED and failed.error_code == "invalid_job"
    assert logs.getvalue().count("poison message dropped") == 2


def test_the_dead_letter_consumer_marks_the_job_failed_with_the_attempts(stack, http, token, page_server):
    name = request(http, token, page_server.page("/p", "x"))
    messages = receive(stack)
    owner = user_id(http, token)
    stack.file_index.mark_processing(owner, name, 5)
    result = invoke(stack, messages, handler.dead_letter_handler)
    assert failed_ids(result) == set()
    failed = entry(stack, owner, name)
    assert failed.status is FileStatus.FAILED and failed.error_code == "gave_up"
    assert "5 attempts" in failed.error_message


def test_a_file_deleted_while_rendering_leaves_no_object(stack, http, token, page_server):
    name = request(http, token, page_server.page("/gone", "<h1>gone</h1>"))
    messages = receive(stack)
    assert http.call("DELETE", f"/file/{name}", token=token).status_code == 204
    assert failed_ids(invoke(stack, messages)) == set()
    assert stack.client("s3").list_objects_v2(Bucket=stack.settings.files_bucket).get("KeyCount") == 0


def test_sqs_redrive_sends_a_job_to_the_dead_letter_queue_after_max_receives(stack, http, token, page_server):
    page_server.routes["/down"] = Reply(503, "down")
    name = request(http, token, page_server.origin + "/down")
    limit = stack.settings.jobs_max_receive_count
    for attempt in range(limit):
        messages = receive_retried(stack) if attempt else receive(stack)
        assert len(messages) == 1
        assert failed_ids(invoke(stack, messages)) == {messages[0]["MessageId"]}
    assert receive(stack) == []  # after the last attempt it is visible at once: moto moved it on this receive
    dead = receive(stack, stack.settings.jobs_dlq_name)
    assert len(dead) == 1
    invoke(stack, dead, handler.dead_letter_handler)
    failed = entry(stack, user_id(http, token), name)
    assert failed.status is FileStatus.FAILED and f"{limit} attempts" in failed.error_message


# --- deterministic failures fail on the first attempt, with a specific code ----------------


def _first_attempt_outcome(stack, http, token, name):
    assert failed_ids(invoke(stack, receive(stack))) == set()  # not handed back to SQS for a retry
    return entry(stack, user_id(http, token), name)


@pytest.mark.parametrize("location", ["mailto:someone@example.com", "ftp://example.com/file", "javascript:alert(1)"])
def test_a_redirect_to_a_non_web_scheme_fails_at_once(stack, http, token, page_server, location):
    page_server.routes["/elsewhere"] = Reply(302, "", headers={"Location": location})
    name = request(http, token, page_server.origin + "/elsewhere")
    failed = _first_attempt_outcome(stack, http, token, name)
    assert failed.status is FileStatus.FAILED and failed.error_code == "not_a_page" and failed.attempts == 1


def test_a_title_that_is_not_valid_unicode_still_makes_a_pdf_at_once(stack, http, token, page_server):
    page_server.routes["/surrogate"] = Reply(200, "<title>x</title><script>document.title = 'a\\ud800b';</script>ok")
    name = request(http, token, page_server.origin + "/surrogate")
    ready = _first_attempt_outcome(stack, http, token, name)
    assert ready.status is FileStatus.READY and ready.title == "a?b"


def test_an_upstream_reason_phrase_is_stored_capped(stack, http, token, page_server):
    page_server.routes["/chatty"] = Reply(404, "gone", reason="Not Found " + "blah " * 12_000)
    name = request(http, token, page_server.origin + "/chatty")
    failed = _first_attempt_outcome(stack, http, token, name)
    assert failed.error_code == "http_error" and failed.error_message.startswith("The page answered HTTP 404 Not Found")
    assert len(failed.error_message) <= 200


def test_margins_chromium_cannot_print_into_fail_at_once_as_print_failed(warm_renderer, page_server):
    from chalicelib.domain.errors import ConversionFailed
    from chalicelib.domain.models import Margin

    page_server.routes["/plain"] = Reply(200, "<title>Plain</title><p>plain</p>")
    with pytest.raises(ConversionFailed) as caught:  # what the API now refuses, if it got through
        warm_renderer.render(
            page_server.origin + "/plain", ConversionOptions(margin=Margin(top="6in", bottom="6in")), "corr"
        )
    assert (caught.value.code, caught.value.permanent) == ("print_failed", True)


def test_invocations_running_at_once_each_convert_their_own_records(stack, http, token, page_server):
    """The local stack runs several invocations in one process; a processor shared between them
    swapped their records (one job converted twice, the other deleted unconverted)."""
    from concurrent.futures import ThreadPoolExecutor

    names = [request(http, token, page_server.page(f"/own-{i}", f"<title>Own {i}</title><p>own</p>")) for i in range(3)]
    messages = receive(stack)
    assert len(messages) == 3
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda message: invoke(stack, [message]), messages))
    assert all(failed_ids(result) == set() for result in results)
    owner = user_id(http, token)
    assert {entry(stack, owner, name).status for name in names} == {FileStatus.READY}
    assert sorted(entry(stack, owner, name).title for name in names) == ["Own 0", "Own 1", "Own 2"]


def test_each_finished_job_reports_its_outcome_render_time_size_and_waits(stack, http, token, page_server, metrics):
    ready = request(http, token, page_server.page("/measured", "<h1>measured</h1>"))
    page_server.routes["/gone"] = Reply(404, "<h1>gone</h1>")
    request(http, token, page_server.origin + "/gone")
    assert failed_ids(invoke(stack, receive(stack))) == set()
    by_status = {outcome.status: (outcome, queued) for outcome, queued in metrics.recorded}
    assert set(by_status) == {"ready", "failed"}
    outcome, queued = by_status["ready"]
    pdf = (
        stack.client("s3")
        .get_object(Bucket=stack.settings.files_bucket, Key=object_key(user_id(http, token), ready))["Body"]
        .read()
    )
    assert outcome.pdf_bytes == len(pdf) and outcome.render_seconds > 0 and queued is not None and queued >= 0
    assert outcome.requested_at == entry(stack, user_id(http, token), ready).created_at
    failed, _ = by_status["failed"]
    assert failed.detail == "http_error" and failed.pdf_bytes is None and failed.render_seconds > 0


def test_the_dead_letter_consumer_reports_the_jobs_it_gave_up(stack, http, token, page_server, metrics):
    request(http, token, page_server.page("/p", "x"))
    assert failed_ids(invoke(stack, receive(stack), handler.dead_letter_handler)) == set()
    ((outcome, _),) = metrics.recorded
    assert (outcome.status, outcome.detail) == ("failed", "gave_up")

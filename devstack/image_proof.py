"""Prove a converter image before it is pushed: one real conversion through Lambda's own front door.

The image carries the Lambda Runtime Interface Emulator (RIE), which serves Lambda's invoke API
on port 8080. This starts moto (S3, DynamoDB, SQS) and a page on this machine's loopback, runs
the image with `--network host`, queues a job the way the API does, hands the received message
to the function as Lambda's SQS event through the RIE, and checks that the PDF landed in S3, the
entry is `ready`, and no batch item failed.

    python -m devstack.image_proof pagepress-converter:candidate     # CI, before the push
    python -m devstack.image_proof --invoke-url URL --moto-port P --page-port Q
        # a function already listening at URL, with function_environment(P, Q) (the tests)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

from chalicelib.config import Settings
from chalicelib.domain.models import User, object_key
from chalicelib.wiring import Container
from devstack.aws import MotoAws, create_resources
from devstack.worker import sqs_event

RIE_INVOKE_URL = "http://127.0.0.1:8080/2015-03-31/functions/function/invocations"
PAGE = b"<!doctype html><title>PagePress image proof</title><h1>Converted inside CI</h1>"
REGION = "us-east-1"


def function_environment(moto_port: int, page_port: int) -> dict[str, str]:
    """What the function is given: the loopback AWS, and leave to fetch the proof page."""
    return {
        "PAGEPRESS_STAGE": "ci",
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "FILES_BUCKET": "pagepress-ci-files",
        "FILES_TABLE": "pagepress-ci-files",
        "JOBS_QUEUE": "pagepress-ci-jobs",
        "JOBS_DLQ": "pagepress-ci-jobs-dlq",
        "CONVERTER_EGRESS_ALLOW": f"127.0.0.1:{page_port}",
        "RENDER_TIMEOUT_SECONDS": "60",
    }


def serve_page(port: int) -> ThreadingHTTPServer:
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Page)
    Thread(target=server.serve_forever, daemon=True).start()
    return server


def invoke(url: str, event: dict, deadline: float) -> dict:
    """POST the event, retrying only while the endpoint is not up yet."""
    request = urllib.request.Request(url, data=json.dumps(event).encode(), method="POST")
    while True:
        try:
            with urllib.request.urlopen(request, timeout=180) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError) as exc:
            if isinstance(exc, urllib.error.HTTPError) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def prove(invoke_url: str, moto_port: int, page_port: int) -> str:
    """Queue one job, invoke the function with it, return the PDF's S3 key once all is checked."""
    env = function_environment(moto_port, page_port)
    settings = Settings.from_env(env)
    aws = MotoAws("127.0.0.1", moto_port)
    aws.start()
    page = serve_page(page_port)
    try:
        create_resources(aws, settings, visibility_timeout=300)
        app = Container(settings)
        user = User(id="image-proof", email="proof@example.com", password_hash="")
        entry = app.conversions.request(user, f"http://127.0.0.1:{page_port}/", None, None, "image-proof")
        sqs = aws.client("sqs", REGION)
        queue_url = sqs.get_queue_url(QueueName=settings.jobs_queue_name)["QueueUrl"]
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=5,
        ).get("Messages", [])
        assert len(messages) == 1, f"the job was not queued: {messages}"
        event = sqs_event(messages, f"arn:aws:sqs:{REGION}:000000000000:{settings.jobs_queue_name}", REGION)
        result = invoke(invoke_url, event, deadline=time.monotonic() + 120)
        assert result == {"batchItemFailures": []}, f"the function reported {result}"
        done = app.file_index.get(user.id, entry.file_id)
        assert done is not None and done.status.value == "ready", f"the entry is {done}"
        key = object_key(user.id, entry.file_id)
        body = aws.client("s3", REGION).get_object(Bucket=settings.files_bucket, Key=key)["Body"].read()
        assert body.startswith(b"%PDF-"), "the object in S3 is not a PDF"
        return key
    finally:
        page.shutdown()
        aws.stop()


def run_image(image: str, env: dict[str, str]) -> str:
    args = ["docker", "run", "--detach", "--rm", "--network", "host"]
    for name, value in env.items():
        args += ["--env", f"{name}={value}"]
    return subprocess.run(args + [image], check=True, capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("image", nargs="?", help="the image to run under its RIE (docker run --network host)")
    parser.add_argument("--invoke-url", default=RIE_INVOKE_URL)
    parser.add_argument("--moto-port", type=int, default=5000)
    parser.add_argument("--page-port", type=int, default=8765)
    args = parser.parse_args(argv)
    container_id = run_image(args.image, function_environment(args.moto_port, args.page_port)) if args.image else None
    try:
        key = prove(args.invoke_url, args.moto_port, args.page_port)
    finally:
        if container_id:
            subprocess.run(["docker", "logs", container_id], check=False)
            subprocess.run(["docker", "stop", container_id], check=False, capture_output=True)
    print(f"image proof: the function converted the page; the PDF is s3://pagepress-ci-files/{key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""AWS on loopback: moto's server with the bucket, table and queues PagePress uses."""

from __future__ import annotations

import ctypes
import ctypes.util
import ipaddress
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from chalicelib.config import Settings
from devstack.postgres import StartupError

_REPOSITORY = Path(__file__).resolve().parent.parent  # where `python -m devstack.moto_server` is found

# moto answers every call without checking credentials and holds every user's PDFs, so it
# listens on loopback whatever HOST says: HOST=0.0.0.0 exposes the app, never the emulator.
LOOPBACK = "127.0.0.1"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def ensure_port_free(host: str, port: int, hint: str) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise StartupError(f"Port {port} on {host} is taken: stop what uses it, or {hint}.") from None


class MotoAws:
    """moto in server mode on a loopback port, in a process of its own (so its request handling
    runs beside the API and the converter rather than taking turns with them for one
    interpreter lock); the app reaches it through AWS_ENDPOINT_URL."""

    START_TIMEOUT_SECONDS = 60.0

    def __init__(self, host: str, port: int) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"moto must listen on loopback, not {host}: it serves everything unauthenticated")
        self.host = host
        self.port = port or free_port(host)
        self._process: subprocess.Popen | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        ensure_port_free(self.host, self.port, "set MOTO_PORT to another port (0 picks a free one)")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "devstack.moto_server", "-H", self.host, "-p", str(self.port)],
            env={**os.environ, "MOTO_PORT": str(self.port)},
            cwd=_REPOSITORY,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # one line per AWS call
            start_new_session=True,  # Ctrl-C stops the stack, which saves moto's state, then moto
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + self.START_TIMEOUT_SECONDS
        while not _accepts(self.host, self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise StartupError(f"The local AWS endpoint (moto) did not start on {self.endpoint_url}.")
            time.sleep(0.05)  # a child process starting up: nothing to wait on but its port

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def client(self, service: str, region: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint_url,
            region_name=region,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _die_with_parent() -> None:
    """In the child: be sent SIGTERM when the stack's process dies, even by kill -9."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass  # not Linux: a hard kill may leave moto running, as any orphan


_PR_SET_PDEATHSIG = 1


def create_resources(aws: MotoAws, settings: Settings, visibility_timeout: int) -> None:
    """Idempotently create what the ACK manifests create on AWS."""
    region = settings.aws_region
    s3 = aws.client("s3", region)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if settings.files_bucket not in existing:
        s3.create_bucket(Bucket=settings.files_bucket)
    dynamodb = aws.client("dynamodb", region)
    if settings.files_table not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName=settings.files_table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "user_id", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
    sqs = aws.client("sqs", region)
    dlq_url = sqs.create_queue(QueueName=settings.jobs_dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.create_queue(QueueName=settings.webhooks_queue_name, Attributes={"VisibilityTimeout": "60"})
    sqs.create_queue(
        QueueName=settings.jobs_queue_name,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(settings.jobs_max_receive_count)}
            ),
        },
    )

"""AWS on loopback: moto's server with the bucket, table and queues PagePress uses."""
from __future__ import annotations

import ipaddress
import json
import logging
import socket
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from chalicelib.config import Settings
from devstack.postgres import StartupError

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
    """moto in server mode on a loopback port; the app reaches it through AWS_ENDPOINT_URL."""

    def __init__(self, host: str, port: int) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"moto must listen on loopback, not {host}: it serves everything unauthenticated")
        self.host = host
        self.port = port or free_port(host)
        self._server = ThreadedMotoServer(ip_address=host, port=self.port, verbose=False)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        ensure_port_free(self.host, self.port, "set MOTO_PORT to another port (0 picks a free one)")
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns the app's logs
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def client(self, service: str, region: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=region,
                            aws_access_key_id="local", aws_secret_access_key="local")


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
            TableName=settings.files_table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
    sqs = aws.client("sqs", region)
    dlq_url = sqs.create_queue(QueueName=settings.jobs_dlq_name)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.create_queue(QueueName=settings.webhooks_queue_name, Attributes={"VisibilityTimeout": "60"})
    sqs.create_queue(QueueName=settings.jobs_queue_name, Attributes={
        "VisibilityTimeout": str(visibility_timeout),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn,
                                     "maxReceiveCount": str(settings.jobs_max_receive_count)}),
    })

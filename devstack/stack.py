"""Start and stop the whole local stack in order; nothing is lost on a graceful stop."""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger

from chalicelib.config import LocalStackSettings, Settings
from chalicelib.migrate import migrate
from chalicelib.observability import apply_log_level
from chalicelib.wiring import Container, reset_container
from devstack.aws import LOOPBACK, MotoAws, create_resources, ensure_port_free
from devstack.aws_gate import AwsGate
from devstack.postgres import (
    LOCAL_APP_USER,
    StartupError,
    check_database_url,
    embedded_database_url,
    restart_embedded,
    with_user,
)
from devstack.snapshot import Snapshotter
from devstack.worker import QueuePoller

logger = Logger(service="pagepress-devstack")


def _jwt_secret(data_dir: Path) -> str:
    """Generated once per DATA_DIR, so tokens survive a restart."""
    path = data_dir / "jwt-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _check_chromium(settings: Settings) -> None:
    if settings.chromium_path:
        if not Path(settings.chromium_path).exists():
            raise StartupError(f"CHROMIUM_PATH={settings.chromium_path} does not exist: fix it or unset it.")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        bundled = playwright.chromium.executable_path
    if not Path(bundled).exists():
        raise StartupError(
            "Chromium is missing: install it (Debian: `apt-get install chromium`; elsewhere: "
            "`.venv/bin/playwright install chromium`) or set CHROMIUM_PATH."
        )


class LocalStack:
    #: How long a restart of the AWS endpoint waits for calls in flight (a long poll lasts 1 s).
    AWS_DRAIN_SECONDS = 10.0

    def __init__(self, local: LocalStackSettings) -> None:
        self.local = local
        self.data_dir = Path(local.data_dir).resolve()
        self._postgres: Any | None = None
        self._aws: MotoAws | None = None
        self._container: Container | None = None
        self._pollers: list[QueuePoller] = []
        self._server: Any | None = None
        self._snapshotter: Snapshotter | None = None
        self._snapshot_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._gate: AwsGate | None = None
        self._restarting = threading.Lock()  # one restart at a time, never during stop()

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ensure_port_free(self.local.host, self.local.port, "run `make run PORT=<another port>`")
        env = os.environ
        database_url = env.get("DATABASE_URL")
        if database_url:
            check_database_url(database_url)
            owner_url = env.get("DATABASE_OWNER_URL") or database_url
        else:
            owner_url, self._postgres = embedded_database_url(self.data_dir)
            database_url = with_user(owner_url, LOCAL_APP_USER)
        # Migrations are a step of their own, as on AWS: then the app connects without DDL rights
        # (with one DATABASE_URL and no DATABASE_OWNER_URL, that user is both).
        applied = migrate(owner_url, database_url if owner_url != database_url else None).applied
        logger.info("database migrated", extra={"applied": applied})
        self._aws = MotoAws(LOOPBACK, self.local.moto_port)  # never HOST: moto is unauthenticated
        self._aws.start()
        env.update(
            {
                "DATABASE_URL": database_url,
                "AWS_ENDPOINT_URL": self._aws.endpoint_url,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": env.get("AWS_DEFAULT_REGION", "us-east-1"),
            }
        )
        env.setdefault("JWT_SECRET", _jwt_secret(self.data_dir))
        # Download links through this server, which checks them (moto checks no signature).
        link_host = "127.0.0.1" if self.local.host in ("0.0.0.0", "::", "") else self.local.host
        link_host = f"[{link_host}]" if ":" in link_host else link_host
        env["LOCAL_DOWNLOADS_URL"] = f"http://{link_host}:{self.local.port}"
        settings = Settings.from_env()
        apply_log_level(settings)
        _check_chromium(settings)
        from converter.handler import playwright_renderer  # the same factory the Lambda uses

        self._container = Container(settings, playwright_renderer)
        reset_container(self._container)
        self._gate = AwsGate(self._aws.endpoint_url)
        for service in ("s3", "dynamodb", "sqs"):  # every client that talks to moto, API and converter alike
            self._gate.guard(self._container.client(service))
        self._container.renderer().warm_up()  # Chromium starts while the rest of the stack does
        create_resources(self._aws, settings, self.local.visibility_timeout_seconds)
        self._snapshotter = Snapshotter(
            self.data_dir / "aws",
            self._container.client("s3"),
            self._container.client("dynamodb"),
            settings.files_bucket,
            settings.files_table,
        )
        restored = self._snapshotter.restore()
        requeued = self._requeue_unfinished()
        logger.info("state restored", extra={**restored, "requeued": requeued})
        self._start_workers(settings)
        self._start_web()
        self._snapshot_thread = threading.Thread(target=self._snapshot_periodically, name="snapshots", daemon=True)
        self._snapshot_thread.start()

    @property
    def _wired(self) -> Container:
        assert self._container is not None, "start() builds the container first"
        return self._container

    def _requeue_unfinished(self) -> int:
        from chalicelib.domain.models import ConversionJob

        entries = self._wired.file_index.unfinished()
        for entry in entries:
            self._wired.job_queue.send(ConversionJob.for_entry(entry))
        return len(entries)

    def _start_workers(self, settings: Settings) -> None:
        from converter.handler import dead_letter_handler, lambda_handler
        from converter.webhooks_handler import lambda_handler as webhooks_handler

        sqs = self._wired.client("sqs")
        urls = self._wired.queue_urls
        self._pollers = [
            # One record per invocation and as many invocations in flight as pages render at
            # once: every record starts as soon as a slot is free and ends on its own (a
            # batch would hold the next records until its slowest page is done).
            QueuePoller(
                sqs,
                urls.url(settings.jobs_queue_name),
                lambda_handler,
                "converter",
                settings.aws_region,
                batch_size=1,
                invocations=settings.render_concurrency,
                retry_backoff_seconds=None,  # the converter sets each retry's delay itself
            ),
            QueuePoller(
                sqs, urls.url(settings.jobs_dlq_name), dead_letter_handler, "dead-letters", settings.aws_region
            ),
            QueuePoller(
                sqs,
                urls.url(settings.webhooks_queue_name),
                webhooks_handler,
                "webhooks",
                settings.aws_region,
                retry_backoff_seconds=self.local.retry_backoff_seconds,
            ),
        ]
        for poller in self._pollers:
            poller.start()

    def _start_web(self) -> None:
        import app as api  # the Chalice app object Lambda runs
        from devstack.web import make_server

        self._server = make_server(
            api.app,
            self.local.host,
            self.local.port,
            Path(self.local.spa_dir),
            self._wired.settings.max_request_bytes,
        )
        threading.Thread(target=self._server.serve_forever, name="web", daemon=True).start()

    def _snapshot_periodically(self) -> None:
        while not self._stopping.wait(self.local.snapshot_interval_seconds):
            try:
                if self._snapshotter is not None:
                    self._snapshotter.save()
            except Exception:  # noqa: BLE001 - a failed periodic save is retried next time
                logger.exception("periodic snapshot failed")

    def restart_aws(self) -> dict[str, float | int]:
        """Restart the local AWS endpoint and keep its state (the bucket and the table; queued
        messages are not kept: every unfinished job is queued again, as at a restart of the
        stack). Calls meanwhile fail as if the endpoint were down (devstack/aws_gate.py)."""
        with self._restarting:
            if (
                self._stopping.is_set()
                or self._aws is None
                or self._gate is None
                or self._snapshotter is None
                or self._container is None
            ):
                return {}
            mark = time.monotonic()
            still_in_flight = self._gate.close(self.AWS_DRAIN_SECONDS)
            try:
                saved = self._snapshotter.save()
                saved_at = time.monotonic()
                self._aws.stop()
                self._aws.start()  # the same port: AWS_ENDPOINT_URL stays true
                started_at = time.monotonic()
                create_resources(self._aws, self._container.settings, self.local.visibility_timeout_seconds)
                restored = self._snapshotter.restore()
                requeued = self._requeue_unfinished()
            finally:
                self._gate.open()
            report = {
                "down_seconds": round(time.monotonic() - mark, 3),
                "drain_and_save_seconds": round(saved_at - mark, 3),
                "moto_restart_seconds": round(started_at - saved_at, 3),
                "in_flight_at_save": still_in_flight,
                "objects": saved["objects"],
                "items": saved["items"],
                "restored_items": restored["items"],
                "requeued": requeued,
            }
            logger.info("local AWS endpoint restarted", extra=report)
            return report

    def restart_database(self) -> dict[str, float]:
        """Restart the embedded PostgreSQL (fast shutdown: sessions are cut); not possible when
        DATABASE_URL names a server of its own."""
        with self._restarting:
            if self._stopping.is_set() or self._postgres is None:
                logger.warning("database not restarted: only the embedded PostgreSQL can be")
                return {}
            mark = time.monotonic()
            restart_embedded(self._postgres)
            report = {"down_seconds": round(time.monotonic() - mark, 3)}
            logger.info("database restarted", extra=report)
            return report

    def stop(self) -> None:
        """Stop taking work, end what is in flight (it stays unfinished and is re-queued at the next
        start), save, then stop the stores."""
        self._stopping.set()
        with self._restarting:  # a restart in progress ends first
            pass
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for poller in self._pollers:
            poller.stop()
        if self._container is not None:
            self._container.close_renderer()
        for poller in self._pollers:
            poller.join(timeout=60)
        if self._snapshot_thread is not None:
            self._snapshot_thread.join(timeout=60)  # it wakes on _stopping; a save in flight ends first
        if self._snapshotter is not None:
            saved = self._snapshotter.save()
            logger.info("state saved", extra=saved)
        if self._container is not None:
            self._container.close()
        if self._aws is not None:
            self._aws.stop()
        if self._postgres is not None:
            self._postgres.cleanup()

"""The one place that builds clients, adapters and services from ``Settings``.

Everything is built lazily, once per container (per warm Lambda), so a cold start pays
only for what its entry point uses: the dead-letter consumer never starts a browser, and
the converter's image, which has no PostgreSQL driver or bcrypt, never imports the
account side (those imports live inside the properties that need them).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config as BotoConfig

from chalicelib.adapters.dynamodb_index import DynamoFileIndex
from chalicelib.adapters.dynamodb_usage import DynamoUsageLedger
from chalicelib.adapters.dynamodb_webhook_secrets import DynamoWebhookSecrets
from chalicelib.adapters.pinned_http import PinnedHttpPoster
from chalicelib.adapters.s3_store import S3ObjectStore
from chalicelib.adapters.secrets import SecretSource
from chalicelib.adapters.sqs_queue import QueueUrls, SqsJobQueue, SqsJobRetries, SqsWebhookQueue
from chalicelib.config import ConfigError, Settings
from chalicelib.domain.conversions import ConversionService, utc_now_iso
from chalicelib.domain.errors import ConversionFailed
from chalicelib.domain.jobs import JobProcessor
from chalicelib.domain.ports import ConversionMetrics, CredentialSealer, Renderer
from chalicelib.domain.retry_schedule import RetrySchedule
from chalicelib.domain.usage import UsageLimits, UsageService
from chalicelib.domain.webhooks import DELIVERY_TIMEOUT_SECONDS, WebhookDeliverer, WebhookSecrets
from chalicelib.egress import EgressPolicy
from chalicelib.observability import apply_log_level

if TYPE_CHECKING:
    from chalicelib.adapters.postgres import Database, PostgresUsers
    from chalicelib.domain.account_closure import AccountClosure
    from chalicelib.domain.accounts import AccountService
    from chalicelib.domain.api_keys import ApiKeyService

# Worst case 2 x (3 s + 8 s): an AWS call gives up well inside API Gateway's 29 s.
_BOTO_CONFIG = BotoConfig(connect_timeout=3, read_timeout=8, retries={"max_attempts": 2, "mode": "standard"})


class Container:
    def __init__(self, settings: Settings, renderer_factory: Callable[[Settings], Renderer] | None = None) -> None:
        self.settings = settings
        self._renderer_factory = renderer_factory
        self._renderer: Renderer | None = None
        self._renderer_lock = threading.Lock()
        self._renderer_closed = False
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    # -- clients --------------------------------------------------------------------------
    def client(self, service: str) -> Any:
        """One boto3 client per service for the container's life (a client is thread-safe)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = boto3.session.Session().client(
                    service,
                    region_name=self.settings.aws_region,
                    endpoint_url=self.settings.aws_endpoint_url,
                    config=_BOTO_CONFIG,
                )
            return self._clients[service]

    @functools.cached_property
    def secrets(self) -> SecretSource:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider

        return SecretSource(
            self.settings,
            SSMProvider(boto3_client=self.client("ssm")),
            SecretsProvider(boto3_client=self.client("secretsmanager")),
        )

    @functools.cached_property
    def database(self) -> Database:
        """The API's connections, as a role that reads and writes data but cannot change the schema:
        migrations are their own step (``python -m chalicelib.migrate``), never a cold start's."""
        from chalicelib.adapters.postgres import Database

        return Database(self.secrets.database_url(), max_connections=self.settings.database_pool_size)

    # -- adapters -------------------------------------------------------------------------
    @functools.cached_property
    def users(self) -> PostgresUsers:
        from chalicelib.adapters.postgres import PostgresUsers

        return PostgresUsers(self.database)

    @functools.cached_property
    def file_index(self) -> DynamoFileIndex:
        return DynamoFileIndex(self.client("dynamodb"), self.settings.files_table, utc_now_iso)

    @functools.cached_property
    def object_store(self) -> S3ObjectStore:
        if self.settings.local_downloads_url:  # make run: links through its server, checked there
            from chalicelib.adapters.local_downloads import LocalDownloadStore, SignedDownloads

            return LocalDownloadStore(
                self.client("s3"),
                self.settings.files_bucket,
                self.settings.local_downloads_url,
                SignedDownloads(self.secrets.jwt_secret),
            )
        return S3ObjectStore(self.client("s3"), self.settings.files_bucket)

    @functools.cached_property
    def queue_urls(self) -> QueueUrls:
        return QueueUrls(self.client("sqs"))

    @functools.cached_property
    def job_queue(self) -> SqsJobQueue:
        return SqsJobQueue(self.client("sqs"), self.queue_urls, self.settings.jobs_queue_name)

    @functools.cached_property
    def job_retries(self) -> SqsJobRetries:
        return SqsJobRetries(self.client("sqs"), self.queue_urls, self.settings.jobs_queue_name)

    @functools.cached_property
    def job_retry_schedule(self) -> RetrySchedule:
        return RetrySchedule(self.settings.jobs_retry_base_seconds, self.settings.jobs_max_receive_count)

    @functools.cached_property
    def webhook_queue(self) -> SqsWebhookQueue:
        return SqsWebhookQueue(self.client("sqs"), self.queue_urls, self.settings.webhooks_queue_name)

    @functools.cached_property
    def webhook_secret_store(self) -> DynamoWebhookSecrets:
        return DynamoWebhookSecrets(self.client("dynamodb"), self.settings.files_table)

    @functools.cached_property
    def egress_policy(self) -> EgressPolicy:
        return EgressPolicy.from_settings(self.settings)

    # -- services -------------------------------------------------------------------------
    @functools.cached_property
    def accounts(self) -> AccountService:
        from chalicelib.adapters.postgres import PostgresAttemptLimiter
        from chalicelib.adapters.postgres_api_keys import PostgresApiKeys
        from chalicelib.domain.accounts import AccountService
        from chalicelib.domain.signin_throttle import SignInLimits

        s = self.settings
        return AccountService(
            self.users,
            PostgresAttemptLimiter(self.database),
            self.secrets.jwt_secret,
            token_ttl_seconds=s.token_ttl_seconds,
            bcrypt_rounds=s.bcrypt_rounds,
            limits=SignInLimits(
                s.signin_max_failures_per_account,
                s.signin_max_failures_per_client,
                s.signin_window_seconds,
                s.signin_failures_before_delay,
            ),
            api_keys=PostgresApiKeys(self.database),
        )

    @functools.cached_property
    def account_closure(self) -> AccountClosure:
        from chalicelib.adapters.erasers import DynamoAccountEraser, S3AccountEraser
        from chalicelib.adapters.postgres_api_keys import PostgresApiKeys
        from chalicelib.domain.account_closure import AccountClosure

        return AccountClosure(
            self.accounts,
            self.users,
            PostgresApiKeys(self.database),
            (
                S3AccountEraser(self.object_store),
                DynamoAccountEraser(self.client("dynamodb"), self.settings.files_table),
            ),
        )

    @functools.cached_property
    def usage(self) -> UsageService:
        s = self.settings
        return UsageService(DynamoUsageLedger(self.client("dynamodb"), s.files_table), self.usage_limits)

    @property
    def usage_limits(self) -> UsageLimits:
        s = self.settings
        return UsageLimits(s.user_requests_per_minute, s.user_max_unfinished_jobs, s.user_max_stored_bytes)

    @functools.cached_property
    def api_keys(self) -> ApiKeyService:
        from chalicelib.adapters.postgres_api_keys import PostgresApiKeys
        from chalicelib.domain.api_keys import ApiKeyService

        return ApiKeyService(PostgresApiKeys(self.database), self.users)

    @functools.cached_property
    def conversions(self) -> ConversionService:
        return ConversionService(
            self.file_index,
            self.job_queue,
            self.object_store,
            lambda url: self.egress_policy.vet_url(url).url,
            download_ttl_seconds=self.settings.download_url_ttl_seconds,
            max_pages=self.settings.max_pdf_pages,
            sealer=lambda: self.credential_sealer,
            limits=self.usage_limits.holdings,
        )

    @functools.cached_property
    def jobs(self) -> JobProcessor:
        return JobProcessor(
            self.file_index, self.object_store, self.renderer, self.webhook_queue, sealer=lambda: self.credential_sealer
        )

    @functools.cached_property
    def credential_sealer(self) -> CredentialSealer:
        """KMS when a key is configured (AWS); else a key derived from the local token-signing secret,
        which Lambda refuses: its zip and image lack the local sealer's library, and a job's headers
        and cookies belong under a key of their own there."""
        if self.settings.credentials_kms_key_id:
            from chalicelib.adapters.kms_sealer import KmsSealer

            return KmsSealer(self.client("kms"), self.settings.credentials_kms_key_id)
        if self.settings.on_lambda:
            raise ConfigError("CREDENTIALS_KMS_KEY_ID is not set: on AWS Lambda, job credentials are sealed with KMS.")
        from chalicelib.adapters.local_sealer import LocalSealer  # cryptography: the local stack only

        return LocalSealer(self.secrets.jwt_secret())

    @functools.cached_property
    def webhook_secrets(self) -> WebhookSecrets:
        return WebhookSecrets(self.webhook_secret_store)

    @functools.cached_property
    def webhooks(self) -> WebhookDeliverer:
        s = self.settings
        return WebhookDeliverer(
            self.file_index,
            self.webhook_secret_store,
            self.webhook_queue,
            PinnedHttpPoster(self.egress_policy, DELIVERY_TIMEOUT_SECONDS),
            RetrySchedule(s.webhook_retry_base_seconds, s.webhook_max_attempts),
        )

    @functools.cached_property
    def conversion_metrics(self) -> ConversionMetrics:
        from chalicelib.adapters.metrics import NoMetrics, PowertoolsConversionMetrics

        if self.settings.metrics_provider == "off":
            return NoMetrics()
        return PowertoolsConversionMetrics(
            self.settings.metrics_provider, self.settings.metrics_namespace, service="pagepress-converter"
        )

    def renderer(self) -> Renderer:
        with self._renderer_lock:
            if self._renderer_closed:
                raise ConversionFailed(
                    "The converter is stopping; the job will be retried.", "shutting_down", permanent=False
                )
            if self._renderer is None:
                if self._renderer_factory is None:
                    raise ConfigError("This entry point has no renderer.")
                self._renderer = self._renderer_factory(self.settings)
            return self._renderer

    def close_renderer(self) -> None:
        """Close the browser; renders in flight end as transient failures, to be retried."""
        with self._renderer_lock:
            renderer, self._renderer = self._renderer, None
            self._renderer_closed = True
        if renderer is not None:
            renderer.close()

    def close(self) -> None:
        """Release the browser and the database connections (the local stack's graceful stop)."""
        self.close_renderer()
        if "database" in vars(self):
            self.database.close()

    def health(self) -> dict[str, str | None]:
        """Ask each dependency once: None where it answered, else what went wrong (for the logs only)."""
        checks: dict[str, Callable[[], None]] = {
            "database": lambda: self.users.ping(),
            "index": lambda: self.file_index.ping(),
            "storage": lambda: self.object_store.ping(),
            "queue": lambda: self.job_queue.ping(),
        }
        results: dict[str, str | None] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = None
            except Exception as exc:  # noqa: BLE001 - health reports every failure, whatever it is
                results[name] = str(getattr(exc, "message", exc)).splitlines()[0][:200] or type(exc).__name__
        return results


_container: Container | None = None
_container_lock = threading.Lock()


def container(renderer_factory: Callable[[Settings], Renderer] | None = None) -> Container:
    """The process-wide container, built from the environment on first use."""
    global _container
    with _container_lock:
        if _container is None:
            settings = Settings.from_env()
            apply_log_level(settings)
            _container = Container(settings, renderer_factory)
        elif renderer_factory is not None and _container._renderer_factory is None:
            _container._renderer_factory = renderer_factory
        return _container


def reset_container(new: Container | None = None) -> None:
    """For tests and the local stack: replace the process-wide container."""
    global _container
    with _container_lock:
        _container = new

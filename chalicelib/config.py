"""Every setting PagePress reads, read once from the environment.

The services (``chalicelib``, ``api``, ``converter``) never look at ``os.environ``: entry
points call ``Settings.from_env()`` (through ``chalicelib.wiring``) and pass values down.
Outside them, ``make run`` reads its layout here too (``LocalStackSettings``) but also sets
the variables its own processes read (``devstack/stack.py``), ``bench/`` passes the
environment on to what it starts and reads ``CHROMIUM_PATH`` for its bare-Playwright
baseline, and the ``pagepress`` CLI (its own package) reads ``PAGEPRESS_URL`` and
``PAGEPRESS_API_KEY``.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import overload

from chalicelib import capacity
from chalicelib.numbers import ascii_int, port_number


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = ascii_int(raw.strip())
    if value is None:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}")
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {env.get(name)!r}")


def _ports(raw: str) -> frozenset[int]:
    ports = [port_number(p.strip()) for p in raw.split(",") if p.strip()]
    if not ports or None in ports:
        raise ConfigError(f"CONVERTER_EGRESS_PORTS must list ports 1-65535, got {raw!r}")
    return frozenset(port for port in ports if port is not None)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(raw: str) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())
    except ValueError:
        raise ConfigError(f"TRUSTED_PROXIES must list addresses or CIDR ranges, got {raw!r}") from None


METRICS_PROVIDERS = ("cloudwatch", "datadog", "off")


def _choice(value: str, name: str, allowed: tuple[str, ...]) -> str:
    if value.lower() not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value.lower()


#: Where to look for Chromium, best first: the headless shell (the browser without its desktop
#: layers: what the converter's image ships and Playwright launches for headless work; the
#: full browser costs two to three times its CPU per PDF), then a full Chromium.
CHROMIUM_CANDIDATES = ("chromium-headless-shell", "chromium", "chromium-browser")


#: Debian's ``/usr/bin/chromium-headless-shell`` is a script that runs this binary as its child
#: (no ``exec``): launched through it, the process Playwright starts is not the browser.
DEBIAN_HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"


def default_chromium() -> str | None:
    """Debian's headless shell or chromium when present; otherwise None: Playwright's own
    (``playwright install``)."""
    if os.access(DEBIAN_HEADLESS_SHELL, os.X_OK):
        return DEBIAN_HEADLESS_SHELL
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _render_concurrency(env: Mapping[str, str]) -> int:
    """RENDER_CONCURRENCY if set (a number, or ``auto``); otherwise what the machine carries."""
    raw = (env.get("RENDER_CONCURRENCY") or "auto").strip()
    if raw.lower() != "auto":
        return _int(env, "RENDER_CONCURRENCY", 2, 1)
    lambda_memory = _int(env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 0, 0)
    cpus, memory_mb = capacity.lambda_capacity(lambda_memory) if lambda_memory else capacity.machine_capacity()
    return capacity.auto_render_concurrency(cpus, memory_mb)


@dataclass(frozen=True)
class Settings:
    """The whole configuration. Defaults suit ``make run``; AWS stages set the rest."""

    stage: str = "local"
    log_level: str = "INFO"
    # Converter metrics (chalicelib/adapters/metrics.py): "cloudwatch" (EMF), "datadog", or "off"
    metrics_provider: str = "off"
    metrics_namespace: str = "PagePress"
    # PostgreSQL (accounts): a URL, or the Secrets Manager secret holding it (on AWS)
    database_url: str | None = field(default=None, repr=False)
    database_secret_id: str | None = None
    # Connections one API container keeps at most. On Lambda a container serves one request at
    # a time, so 1; the local server is threaded. README "Database connections" has the sums.
    database_pool_size: int = 8
    # The schema owner, for `python -m chalicelib.migrate` only (the API never has it): a URL,
    # or the secret holding it. The API's own role is created from DATABASE_URL's user, with
    # DATABASE_APP_CONNECTION_LIMIT connections at most (unset: no limit).
    database_owner_url: str | None = field(default=None, repr=False)
    database_owner_secret_id: str | None = None
    database_app_connection_limit: int | None = None
    # AWS (or moto's server locally)
    aws_region: str = "us-east-1"
    aws_endpoint_url: str | None = None
    files_bucket: str = "pagepress-files"
    files_table: str = "pagepress-files"
    jobs_queue_name: str = "pagepress-jobs"
    jobs_dlq_name: str = "pagepress-jobs-dlq"
    jobs_max_receive_count: int = 5
    jobs_retry_base_seconds: int = 15  # a transient failure's retry waits double from here
    webhooks_queue_name: str = "pagepress-webhooks"
    webhook_retry_base_seconds: int = 30  # waits double from here, capped at 15 minutes
    webhook_max_attempts: int = 8
    # Tokens and passwords
    jwt_secret: str | None = field(default=None, repr=False)
    jwt_secret_parameter: str | None = None
    jwt_secret_arn: str | None = None
    token_ttl_seconds: int = 3600
    bcrypt_rounds: int = 12
    # A job's headers and cookies are sealed with this KMS key (id, ARN or alias) on AWS; unset
    # (make run, tests): with a key derived from the token-signing secret (adapters/local_sealer.py).
    credentials_kms_key_id: str | None = None
    # Sign-in throttling (chalicelib/domain/signin_throttle.py): waits that double per client
    # and account after a few failures; looser ceilings per account and per client.
    signin_failures_before_delay: int = 3
    signin_max_failures_per_account: int = 50
    signin_max_failures_per_client: int = 100
    signin_window_seconds: int = 900
    # Per-user limits (chalicelib/domain/usage.py)
    user_requests_per_minute: int = 60
    user_max_unfinished_jobs: int = 20
    user_max_stored_bytes: int = 1024**3
    # HTTP
    max_body_bytes: int = 16 * 1024
    max_html_bytes: int = 2 * 1024 * 1024  # HTML or Markdown sent to /request instead of a URL
    # Proxies in front of API Gateway (e.g. the cluster's NAT for the ingress): behind them the
    # client is the last X-Forwarded-For hop they added, for per-client throttling.
    trusted_proxies: tuple[Network, ...] = ()
    download_url_ttl_seconds: int = 60
    # Set by `make run` only: download links go through its server (chalicelib/adapters/local_downloads.py).
    local_downloads_url: str | None = None
    # Converter
    chromium_path: str | None = None
    egress_allow: str = ""
    egress_ports: frozenset[int] = frozenset({80, 443})
    render_timeout_seconds: float = 45.0
    settle_timeout_seconds: float = 10.0
    max_pdf_bytes: int = 50 * 1024 * 1024
    max_pdf_pages: int = 500
    #: Pages rendered at once per converter: RENDER_CONCURRENCY, or derived from the CPUs and
    #: memory available (on Lambda: the function's memory size); see chalicelib/capacity.py.
    render_concurrency: int = 2
    #: Jobs before the warm browser is replaced: a guard against slow leaks, not a need. Over 900
    #: bench conversions without it Chromium's memory stayed flat (256-329 MiB), and with a launch
    #: every 50 jobs the renderer made 282 PDFs a minute against 335 without (one pair of runs).
    browser_recycle_after: int = 500
    #: Launch Chromium while the converter starts rather than on its first job (default: on
    #: Lambda, whose init phase runs before the first event; ``make run`` warms up itself).
    warm_start: bool = False
    #: Running as an AWS Lambda function (AWS_LAMBDA_FUNCTION_NAME is set): what only the local
    #: stack may use (the local credential sealer) is refused.
    on_lambda: bool = False

    @property
    def max_request_bytes(self) -> int:
        """The largest body any route reads: /request carrying HTML (JSON escaping may double it)."""
        return self.max_body_bytes + 2 * self.max_html_bytes

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        @overload
        def get(name: str, default: str) -> str: ...
        @overload
        def get(name: str, default: None = None) -> str | None: ...
        def get(name: str, default: str | None = None) -> str | None:
            return env.get(name) or default

        return cls(
            stage=get("PAGEPRESS_STAGE", "local"),
            log_level=get("LOG_LEVEL", "INFO"),
            metrics_provider=_choice(get("METRICS_PROVIDER", "off"), "METRICS_PROVIDER", METRICS_PROVIDERS),
            metrics_namespace=get("METRICS_NAMESPACE", "PagePress"),
            database_url=get("DATABASE_URL"),
            database_secret_id=get("DATABASE_SECRET_ID"),
            database_pool_size=_int(env, "DATABASE_POOL_SIZE", 8, 1),
            database_owner_url=get("DATABASE_OWNER_URL"),
            database_owner_secret_id=get("DATABASE_OWNER_SECRET_ID"),
            database_app_connection_limit=(
                _int(env, "DATABASE_APP_CONNECTION_LIMIT", 0, 1) if get("DATABASE_APP_CONNECTION_LIMIT") else None
            ),
            aws_region=get("AWS_REGION", get("AWS_DEFAULT_REGION", "us-east-1")),
            aws_endpoint_url=get("AWS_ENDPOINT_URL"),
            files_bucket=get("FILES_BUCKET", "pagepress-files"),
            files_table=get("FILES_TABLE", "pagepress-files"),
            jobs_queue_name=get("JOBS_QUEUE", "pagepress-jobs"),
            jobs_dlq_name=get("JOBS_DLQ", "pagepress-jobs-dlq"),
            jobs_max_receive_count=_int(env, "JOBS_MAX_RECEIVE_COUNT", 5, 1),
            jobs_retry_base_seconds=_int(env, "JOBS_RETRY_BASE_SECONDS", 15, 1),
            webhooks_queue_name=get("WEBHOOKS_QUEUE", "pagepress-webhooks"),
            webhook_retry_base_seconds=_int(env, "WEBHOOK_RETRY_BASE_SECONDS", 30, 1),
            webhook_max_attempts=_int(env, "WEBHOOK_MAX_ATTEMPTS", 8, 1),
            jwt_secret=get("JWT_SECRET"),
            jwt_secret_parameter=get("JWT_SECRET_PARAMETER"),
            jwt_secret_arn=get("JWT_SECRET_ARN"),
            token_ttl_seconds=_int(env, "TOKEN_TTL_SECONDS", 3600, 60),
            bcrypt_rounds=_int(env, "BCRYPT_ROUNDS", 12, 4),
            credentials_kms_key_id=get("CREDENTIALS_KMS_KEY_ID"),
            signin_failures_before_delay=_int(env, "SIGNIN_FAILURES_BEFORE_DELAY", 3, 1),
            signin_max_failures_per_account=_int(env, "SIGNIN_MAX_FAILURES_PER_ACCOUNT", 50, 1),
            signin_max_failures_per_client=_int(env, "SIGNIN_MAX_FAILURES_PER_CLIENT", 100, 1),
            signin_window_seconds=_int(env, "SIGNIN_WINDOW_SECONDS", 900, 1),
            user_requests_per_minute=_int(env, "USER_REQUESTS_PER_MINUTE", 60, 1),
            user_max_unfinished_jobs=_int(env, "USER_MAX_UNFINISHED_JOBS", 20, 1),
            user_max_stored_bytes=_int(env, "USER_MAX_STORED_BYTES", 1024**3, 1),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", 16 * 1024, 1024),
            max_html_bytes=_int(env, "MAX_HTML_BYTES", 2 * 1024 * 1024, 1024),
            trusted_proxies=_networks(get("TRUSTED_PROXIES", "")),
            download_url_ttl_seconds=_int(env, "DOWNLOAD_URL_TTL_SECONDS", 60, 1),
            local_downloads_url=get("LOCAL_DOWNLOADS_URL"),
            chromium_path=get("CHROMIUM_PATH") or default_chromium(),
            egress_allow=get("CONVERTER_EGRESS_ALLOW", ""),
            egress_ports=_ports(get("CONVERTER_EGRESS_PORTS", "80,443")),
            render_timeout_seconds=_float(env, "RENDER_TIMEOUT_SECONDS", 45.0),
            settle_timeout_seconds=_float(env, "SETTLE_TIMEOUT_SECONDS", 10.0),
            max_pdf_bytes=_int(env, "MAX_PDF_BYTES", 50 * 1024 * 1024, 1024),
            max_pdf_pages=_int(env, "MAX_PDF_PAGES", 500, 1),
            render_concurrency=_render_concurrency(env),
            browser_recycle_after=_int(env, "BROWSER_RECYCLE_AFTER", 500, 1),
            warm_start=_bool(env, "CONVERTER_WARM_START", default="AWS_LAMBDA_FUNCTION_NAME" in env),
            on_lambda="AWS_LAMBDA_FUNCTION_NAME" in env,
        )


@dataclass(frozen=True)
class LocalStackSettings:
    """How ``make run`` lays out the local stack (not read on AWS)."""

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: str = ".local"
    moto_port: int = 0  # 0: pick a free loopback port
    visibility_timeout_seconds: int = 300
    retry_backoff_seconds: int = 5
    snapshot_interval_seconds: float = 30
    spa_dir: str = "frontend-build/dist"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LocalStackSettings:
        env = os.environ if env is None else env
        return cls(
            host=env.get("HOST") or "127.0.0.1",
            port=_int(env, "PORT", 8000),
            data_dir=env.get("DATA_DIR") or ".local",
            moto_port=_int(env, "MOTO_PORT", 0),
            visibility_timeout_seconds=_int(env, "LOCAL_VISIBILITY_TIMEOUT_SECONDS", 300, 1),
            retry_backoff_seconds=_int(env, "LOCAL_RETRY_BACKOFF_SECONDS", 5, 0),
            snapshot_interval_seconds=_int(env, "LOCAL_SNAPSHOT_INTERVAL_SECONDS", 30, 1),
            spa_dir=env.get("SPA_DIR") or "frontend-build/dist",
        )

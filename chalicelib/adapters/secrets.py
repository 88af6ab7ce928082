"""Where secrets come from: the environment locally, SSM or Secrets Manager on AWS.

Powertools' providers cache each value for five minutes, so a rotated secret arrives
without a redeploy, and a warm Lambda does not call SSM on every request.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from chalicelib.config import ConfigError, Settings

CACHE_SECONDS = 300
MIN_SECRET_LENGTH = 32


class SecretSource:
    """Reads the two secrets PagePress needs, from wherever the settings say."""

    def __init__(self, settings: Settings, ssm: Any, secrets_manager: Any) -> None:
        self._settings = settings
        self._ssm = ssm  # Powertools SSMProvider
        self._secrets_manager = secrets_manager  # Powertools SecretsProvider

    def jwt_secret(self) -> str:
        settings = self._settings
        if settings.jwt_secret:
            secret = settings.jwt_secret
        elif settings.jwt_secret_parameter:
            secret = self._ssm.get(settings.jwt_secret_parameter, decrypt=True, max_age=CACHE_SECONDS)
        elif settings.jwt_secret_arn:
            secret = self._secrets_manager.get(settings.jwt_secret_arn, max_age=CACHE_SECONDS)
        else:
            raise ConfigError("No token-signing secret: set JWT_SECRET, JWT_SECRET_PARAMETER or JWT_SECRET_ARN.")
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(f"The token-signing secret must be at least {MIN_SECRET_LENGTH} characters.")
        return secret

    def database_url(self) -> str:
        """DATABASE_URL, or the secret DATABASE_SECRET_ID names: a URL, or RDS's JSON."""
        return self._database_url(self._settings.database_url, self._settings.database_secret_id, "DATABASE")

    def database_owner_url(self) -> str:
        """The schema owner's URL (migrations only): DATABASE_OWNER_URL or DATABASE_OWNER_SECRET_ID."""
        settings = self._settings
        return self._database_url(settings.database_owner_url, settings.database_owner_secret_id, "DATABASE_OWNER")

    def _database_url(self, url: str | None, secret_id: str | None, prefix: str) -> str:
        if url:
            return url
        if not secret_id:
            raise ConfigError(f"No database: set {prefix}_URL or {prefix}_SECRET_ID.")
        return database_url_from_secret(self._secrets_manager.get(secret_id, max_age=CACHE_SECONDS))


def database_url_from_secret(value: str) -> str:
    if value.startswith(("postgres://", "postgresql://")):
        return value
    try:
        fields = json.loads(value)
        user, password, host = fields["username"], fields["password"], fields["host"]
    except (ValueError, KeyError, TypeError):
        raise ConfigError("The database secret is neither a postgresql:// URL nor RDS's JSON.") from None
    port = fields.get("port", 5432)
    name = fields.get("dbname", "postgres")
    return (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{quote(name, safe='')}"
        "?sslmode=require"
    )

"""Where secrets come from: the environment locally, SSM or Secrets Manager on AWS."""
from __future__ import annotations

import json
from urllib.parse import quote

from chalicelib.config import ConfigError, Settings

_CACHE_SECONDS = 300
MIN_SECRET_LENGTH = 32


def jwt_secret(settings: Settings) -> str:
    """Powertools caches the fetched value, so a rotated secret arrives within five minutes."""
    if settings.jwt_secret:
        secret = settings.jwt_secret
    elif settings.jwt_secret_parameter:
        from aws_lambda_powertools.utilities import parameters

        secret = parameters.get_parameter(settings.jwt_secret_parameter, decrypt=True, max_age=_CACHE_SECONDS)
    elif settings.jwt_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        secret = parameters.get_secret(settings.jwt_secret_arn, max_age=_CACHE_SECONDS)
    else:
        raise ConfigError("No token-signing secret: set JWT_SECRET, JWT_SECRET_PARAMETER or JWT_SECRET_ARN.")
    if len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"The token-signing secret must be at least {MIN_SECRET_LENGTH} characters.")
    return secret


def database_url(settings: Settings) -> str:
    """DATABASE_URL, or the secret DATABASE_SECRET_ID names: a URL, or RDS's JSON
    (username, password, host, port, dbname)."""
    if settings.database_url:
        return settings.database_url
    if not settings.database_secret_id:
        raise ConfigError("No database: set DATABASE_URL or DATABASE_SECRET_ID.")
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(settings.database_secret_id, max_age=_CACHE_SECONDS)
    return database_url_from_secret(value)


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
    return f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@{host}:{port}/{quote(name, safe='')}" \
           "?sslmode=require"

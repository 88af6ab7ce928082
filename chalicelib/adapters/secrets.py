"""Where the token-signing secret comes from: the environment locally, SSM or Secrets Manager on AWS."""
from __future__ import annotations

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

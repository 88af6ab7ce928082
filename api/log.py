"""The API's structured logger (Powertools): JSON lines with the request's correlation id."""

from aws_lambda_powertools import Logger

logger = Logger(service="pagepress-api")

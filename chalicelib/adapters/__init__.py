"""Adapters: the ports implemented against PostgreSQL, DynamoDB, S3, SQS and parameter stores."""

"""The HTTP layer: blueprints, request/response schemas, error mapping and the OpenAPI contract."""

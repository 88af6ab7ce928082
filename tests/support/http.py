"""Calling the Chalice app through chalice.test.Client with JSON in and out."""

from __future__ import annotations

import json
from typing import Any


class JsonApi:
    def __init__(self, client: Any, prefix: str = "/api/v1") -> None:
        self._http = client.http
        self._prefix = prefix

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict | None = None,
        raw: bytes | None = None,
    ):
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = getattr(self._http, method.lower())(self._prefix + path, headers=all_headers, body=payload)
        response.json = json.loads(response.body) if response.body else None
        return response

    def sign_up(self, email: str = "ada@example.com", password: str = "correct horse") -> Any:
        return self.call("POST", "/sign-up", {"email": email, "password": password})

    def token(self, email: str = "ada@example.com", password: str = "correct horse") -> str:
        self.sign_up(email, password)
        response = self.call("POST", "/sign-in", {"email": email, "password": password})
        assert response.status_code == 200, response.json
        return response.json["token"]

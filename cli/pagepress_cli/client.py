"""The few API calls the command line makes, with the API's own error messages on failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

TIMEOUT_SECONDS = 30


class ApiError(Exception):
    """The API refused or failed; the message is the API's own."""


class Client:
    def __init__(self, base_url: str, api_key: str) -> None:
        base = base_url.rstrip("/")
        self._base = base if base.endswith("/api/v1") else base + "/api/v1"
        self._session = requests.Session()
        self._session.headers.update({"Authorization": f"Bearer {api_key}", "User-Agent": "pagepress-cli/1"})

    def convert_url(self, url: str, options: dict, title: str | None) -> dict:
        body: dict[str, Any] = {"url": url, "options": options}
        if title:
            body["title"] = title
        return self._call("POST", "/request", json=body)

    def convert_file(self, path: Path, options: dict, title: str | None) -> dict:
        data = {"options": json.dumps(options)}
        if title:
            data["title"] = title
        with path.open("rb") as handle:
            return self._call("POST", "/request", data=data, files={"file": (path.name, handle)})

    def files(self) -> list[dict]:
        found, cursor = [], None
        while True:
            page = self._call("GET", "/files", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
            found.extend(page["files"])
            cursor = page.get("next")
            if not cursor:
                return found

    def file(self, name: str) -> dict:
        for entry in self.files():
            if entry["name"] == name:
                return entry
        raise ApiError(f"No such file: {name}")

    def download(self, name: str, target: Path) -> int:
        link = self._call("GET", f"/file/{quote(name, safe='')}/link")
        with requests.get(link["url"], stream=True, timeout=TIMEOUT_SECONDS) as response:
            if response.status_code != 200:
                raise ApiError(f"The download failed with HTTP {response.status_code}")
            size = 0
            with target.open("wb") as out:
                for chunk in response.iter_content(64 * 1024):
                    out.write(chunk)
                    size += len(chunk)
        return size

    def delete(self, name: str) -> None:
        self._call("DELETE", f"/file/{quote(name, safe='')}")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._session.request(method, self._base + path, timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            raise ApiError(f"Cannot reach {self._base}: {exc}") from None
        if response.status_code >= 400:
            raise ApiError(_message(response))
        return response.json() if response.content else None


def _message(response: requests.Response) -> str:
    try:
        error = response.json()["error"]
        field = f" ({error['field']})" if error.get("field") else ""
        return f"{error['message']}{field} [{error['code']}, HTTP {response.status_code}]"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code} from the server"

"""Headers and cookies a page behind a login needs: validated, bounded, and kept apart from the options.

They are credentials, so they never travel with the options (the index, the SQS message, the
entry a user reads back and the webhook all carry only their *names*): the API seals them
(``ports.CredentialSealer``) into the job's index item, the converter opens them for the one
render, and the update that ends the job removes them. Headers go only to the page's own
origin (scheme, host and port); cookies are set only for the page's host or a parent domain.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from chalicelib.domain.errors import InvalidInput

MAX_HEADERS = 20
MAX_HEADER_NAME = 64
MAX_HEADER_VALUE = 2048
MAX_COOKIES = 20
MAX_COOKIE_NAME = 128
MAX_COOKIE_PATH = 256
#: KMS encrypts at most 4096 bytes at once; the sealed form of headers and cookies stays under it.
MAX_SEALED_BYTES = 4096
SAME_SITE = ("Strict", "Lax", "None")

#: RFC 9110 token: what a header (and a cookie) name may be made of.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
#: Visible ASCII and inner spaces: no CR/LF, no other control characters.
_HEADER_VALUE = re.compile(r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$")
#: RFC 6265 cookie-value: cookie-octets, optionally in double quotes.
_COOKIE_OCTETS = r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*"
_COOKIE_VALUE = re.compile(f'^({_COOKIE_OCTETS}|"{_COOKIE_OCTETS}")$')
_COOKIE_PATH = re.compile(r"^/[\x20-\x3a\x3c-\x7e]*$")
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")

# The Fetch standard's forbidden request-headers (https://fetch.spec.whatwg.org/#forbidden-request-header):
# the browser keeps them in its own hands, and so do we.
_FORBIDDEN = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "permissions-policy",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
_FORBIDDEN_PREFIXES = ("proxy-", "sec-")
_METHOD_OVERRIDES = frozenset({"x-http-method", "x-http-method-override", "x-method-override"})
_FORBIDDEN_METHODS = frozenset({"connect", "trace", "track"})
#: Headers another option (or nobody) sets: the message says which.
_OTHER_OPTION = {"cookie": "cookies", "user-agent": "user_agent"}


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str
    domain: str | None = None  # None: the page's host only
    path: str = "/"
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None

    def __repr__(self) -> str:  # a cookie's value is a secret
        return f"Cookie(name={self.name!r}, value=<redacted>)"


@dataclass(frozen=True)
class PageCredentials:
    """What the page's own origin gets: extra request headers and cookies."""

    headers: tuple[tuple[str, str], ...] = ()
    cookies: tuple[Cookie, ...] = ()

    def __repr__(self) -> str:
        return f"PageCredentials(headers={self.header_names}, cookies={self.cookie_names})"

    @property
    def header_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.headers)

    @property
    def cookie_names(self) -> tuple[str, ...]:
        return tuple(cookie.name for cookie in self.cookies)

    def to_bytes(self) -> bytes:
        """Compact JSON: what is sealed."""
        cookies = [[c.name, c.value, c.domain, c.path, c.secure, c.http_only, c.same_site] for c in self.cookies]
        return json.dumps({"h": [list(h) for h in self.headers], "c": cookies}, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> PageCredentials:
        data = json.loads(raw)
        return cls(
            headers=tuple((str(name), str(value)) for name, value in data["h"]),
            cookies=tuple(Cookie(*fields) for fields in data["c"]),
        )


def origin_of(url: str) -> str:
    """scheme://host[:port] as a browser writes a request's URL (default ports left out)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    port = f":{parts.port}" if parts.port is not None and parts.port != default else ""
    return f"{parts.scheme}://{host}{port}"


def parse_credentials(raw: dict[str, Any], url: str | None) -> PageCredentials | None:
    """The ``headers`` and ``cookies`` of a request's options, or None when it has neither.
    ``url`` is the page's (None when the user sent HTML: it has no origin to send them to)."""
    if raw.get("headers") is None and raw.get("cookies") is None:
        return None
    if url is None:
        field = "options.headers" if raw.get("headers") is not None else "options.cookies"
        raise InvalidInput("headers and cookies go to a page's own site: send them with a url.", field=field)
    credentials = PageCredentials(_headers(raw.get("headers", {})), _cookies(raw.get("cookies", []), url))
    if len(credentials.to_bytes()) > MAX_SEALED_BYTES:
        raise InvalidInput(
            f"headers and cookies together must take at most {MAX_SEALED_BYTES} bytes.",
            field="options.headers" if credentials.headers else "options.cookies",
        )
    return credentials if credentials.headers or credentials.cookies else None


def _headers(value: Any) -> tuple[tuple[str, str], ...]:
    field = "options.headers"
    if not isinstance(value, dict) or len(value) > MAX_HEADERS:
        raise InvalidInput(f"headers must be an object of at most {MAX_HEADERS} names and values.", field=field)
    seen: set[str] = set()
    headers: list[tuple[str, str]] = []
    for name, setting in value.items():
        if not _TOKEN.match(name) or len(name) > MAX_HEADER_NAME:
            raise InvalidInput(
                f"A header name is 1 to {MAX_HEADER_NAME} letters, digits or !#$%&'*+-.^_`|~.", field=field
            )
        where = f"{field}.{name}"
        lower = name.lower()
        _refuse_forbidden(lower, setting, where)
        if lower in seen:
            raise InvalidInput(f"The header {name} is given twice.", field=where)
        seen.add(lower)
        if not isinstance(setting, str) or len(setting) > MAX_HEADER_VALUE or not _HEADER_VALUE.match(setting):
            raise InvalidInput(
                f"A header's value is 1 to {MAX_HEADER_VALUE} visible ASCII characters and inner spaces "
                "(no line breaks).",
                field=where,
            )
        headers.append((name, setting))
    return tuple(headers)


def _refuse_forbidden(lower: str, setting: Any, where: str) -> None:
    if lower in _OTHER_OPTION:
        raise InvalidInput(f"Set {lower} with options.{_OTHER_OPTION[lower]}, not as a header.", field=where)
    if lower in _FORBIDDEN or lower.startswith(_FORBIDDEN_PREFIXES):
        raise InvalidInput(
            f"{lower} is a forbidden request header (Fetch standard): the browser sets it, not the page's caller.",
            field=where,
        )
    if lower in _METHOD_OVERRIDES and isinstance(setting, str):
        if {m.strip().lower() for m in setting.split(",")} & _FORBIDDEN_METHODS:
            raise InvalidInput(
                f"{lower} may not name CONNECT, TRACE or TRACK (Fetch standard: a forbidden request header).",
                field=where,
            )


def _cookies(value: Any, url: str) -> tuple[Cookie, ...]:
    field = "options.cookies"
    if not isinstance(value, list) or len(value) > MAX_COOKIES:
        raise InvalidInput(f"cookies must be a list of at most {MAX_COOKIES} cookie objects.", field=field)
    page = urlsplit(url)
    host = (page.hostname or "").lower()
    seen: set[tuple[str, str | None, str]] = set()
    cookies: list[Cookie] = []
    for index, item in enumerate(value):
        where = f"{field}.{index}"
        cookie = _cookie(item, where, host, page.scheme)
        key = (cookie.name, cookie.domain, cookie.path)
        if key in seen:
            raise InvalidInput(f"The cookie {cookie.name} is given twice.", field=f"{where}.name")
        seen.add(key)
        cookies.append(cookie)
    return tuple(cookies)


_COOKIE_FIELDS = {"name", "value", "domain", "path", "secure", "http_only", "same_site"}


def _cookie(item: Any, where: str, host: str, scheme: str) -> Cookie:
    if not isinstance(item, dict) or not {"name", "value"} <= set(item):
        raise InvalidInput("Each cookie is an object with at least a name and a value.", field=where)
    unknown = sorted(set(item) - _COOKIE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown cookie field: {unknown[0]}.", field=f"{where}.{unknown[0]}")
    name, value = item["name"], item["value"]
    if not isinstance(name, str) or len(name) > MAX_COOKIE_NAME or not _TOKEN.match(name):
        raise InvalidInput(
            f"A cookie's name is 1 to {MAX_COOKIE_NAME} letters, digits or !#$%&'*+-.^_`|~ (RFC 6265).",
            field=f"{where}.name",
        )
    if not isinstance(value, str) or not _COOKIE_VALUE.match(value):
        raise InvalidInput(
            "A cookie's value is visible ASCII without spaces, double quotes, commas, semicolons or "
            "backslashes (RFC 6265).",
            field=f"{where}.value",
        )
    secure = _flag(item, "secure", where)
    same_site = item.get("same_site")
    if same_site is not None and same_site not in SAME_SITE:
        raise InvalidInput(f"same_site is one of {', '.join(SAME_SITE)}.", field=f"{where}.same_site")
    if secure and scheme != "https":
        raise InvalidInput("A secure cookie is sent over https only, and the page is http.", field=f"{where}.secure")
    if same_site == "None" and not secure:
        raise InvalidInput("A cookie with same_site None must be secure (browsers drop it).", field=f"{where}.secure")
    return Cookie(
        name=name,
        value=value,
        domain=_cookie_domain(item.get("domain"), host, f"{where}.domain"),
        path=_cookie_path(item.get("path"), f"{where}.path"),
        secure=secure,
        http_only=_flag(item, "http_only", where),
        same_site=same_site,
    )


def _flag(item: dict[str, Any], name: str, where: str) -> bool:
    value = item.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false.", field=f"{where}.{name}")
    return value


def _cookie_domain(value: Any, host: str, where: str) -> str | None:
    """The page's host or a parent domain of it (never another site, never a bare top-level name)."""
    if value is None:
        return None
    domain = value.lower().removeprefix(".") if isinstance(value, str) else ""
    if not _DOMAIN.match(domain):
        raise InvalidInput("A cookie's domain is a host name like example.com.", field=where)
    if domain == host:
        return domain
    if _is_ip(host) or not host.endswith("." + domain) or "." not in domain:
        raise InvalidInput(
            f"A cookie may be set only for the page's site: {host} or a parent domain of it.", field=where
        )
    return domain


def _cookie_path(value: Any, where: str) -> str:
    if value is None:
        return "/"
    if not isinstance(value, str) or len(value) > MAX_COOKIE_PATH or not _COOKIE_PATH.match(value):
        raise InvalidInput(f"A cookie's path starts with / and has at most {MAX_COOKIE_PATH} characters.", field=where)
    return value


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def seal_context(user_id: str, file_id: str) -> dict[str, str]:
    """What sealed credentials are bound to: they open for this job only."""
    return {"user_id": user_id, "file_id": file_id}

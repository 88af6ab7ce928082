"""Which destinations the converter may touch: the one rule, shared by the API and the converter.

PagePress fetches URLs chosen by users while cloud credentials sit nearby, so a request may
only go to a *public* address on an allowed port. The API calls ``EgressPolicy.vet_url``
before queueing a job; the converter's egress guard asks the same policy about every
connection Chromium makes, and dials only the addresses the policy approved (so a name that
resolves differently the second time — DNS rebinding — gains nothing).

Hosts are parsed the way browsers parse them (WHATWG URL: IDNA, percent-decoding, numeric
IPv4 forms such as ``0x7f000001`` or ``127.1``) because a validator that reads a host
differently from the browser is a bypass. Addresses are judged by an explicit table rather
than ``ipaddress.is_global`` alone, whose answers vary between Python versions.
"""

from __future__ import annotations

import enum
import ipaddress
import re
import socket
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import idna

from chalicelib.config import ConfigError, Settings
from chalicelib.domain.errors import InvalidInput
from chalicelib.numbers import port_number

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Iterable[object]]  # addresses, as text or ipaddress objects


class RefusalKind(enum.StrEnum):
    """Why a destination was refused, for code to act on (``reason`` is for people)."""

    FORBIDDEN = "forbidden"  # not public, a refused port or scheme: it will never be allowed
    UNRESOLVED = "unresolved"  # the name has no address (fail closed); it will not heal soon
    LOOKUP_TIMEOUT = "lookup_timeout"  # the lookup did not answer in time; it may next time


class Blocked(InvalidInput):
    """The URL names a destination PagePress refuses to fetch; ``reason`` says why, for people."""

    code = "blocked_destination"

    def __init__(self, reason: str, kind: RefusalKind = RefusalKind.FORBIDDEN) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


@dataclass(frozen=True)
class Target:
    """A URL after normalisation: what the browser will actually ask for."""

    scheme: str
    host: str  # IDNA A-label, lower case, no trailing dot; IPs canonical (IPv6 without brackets)
    port: int
    url: str


def _net(cidr: str) -> IPNetwork:
    return ipaddress.ip_network(cidr)


# First match wins, so specific entries come before the ranges that contain them.
_NON_PUBLIC: tuple[tuple[IPNetwork, str], ...] = tuple(
    (_net(cidr), label)
    for cidr, label in (
        ("169.254.169.254/32", "cloud instance metadata"),
        ("169.254.170.2/32", "container credentials"),
        ("0.0.0.0/8", "'this network'"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignment"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("fd00:ec2::254/128", "cloud instance metadata"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::ffff:0:0/96", "IPv4-mapped IPv6"),
        ("::ffff:0:0:0/96", "IPv4-translated IPv6"),
        ("::/96", "IPv4-compatible IPv6"),
        ("64:ff9b::/96", "NAT64 (IPv4-embedding)"),
        ("64:ff9b:1::/48", "local NAT64 (IPv4-embedding)"),
        ("100::/64", "discard-only"),
        ("2001::/32", "Teredo (IPv4-embedding)"),
        ("2001::/23", "IETF protocol assignment"),
        ("2001:db8::/32", "documentation"),
        ("2002::/16", "6to4 (IPv4-embedding)"),
        ("3fff::/20", "documentation"),
        ("fc00::/7", "unique local (private)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)
_IPV6_GLOBAL_UNICAST = _net("2000::/3")


def non_public_reason(address: IPAddress) -> str | None:
    """Why an address is not public, or None if it is globally routable unicast."""
    for network, label in _NON_PUBLIC:
        if network.version == address.version and address in network:
            return f"{address} is not public ({label} address)"
    if address.version == 6 and address not in _IPV6_GLOBAL_UNICAST:
        return f"{address} is not public (outside IPv6 global unicast space)"
    if not address.is_global:  # second opinion; catches ranges this table may miss
        return f"{address} is not public (not globally routable)"
    return None


# --- parsing hosts the way a browser does ------------------------------------------------

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_ASCII_HOST = re.compile(r"^[a-z0-9\-_]+(\.[a-z0-9\-_]+)*$")


def _ipv4_part(part: str) -> int | None:
    """One dotted part as the WHATWG IPv4 parser reads it: 0x hex, leading-0 octal, else decimal."""
    if part[:2] in ("0x", "0X"):
        digits, base = part[2:], 16
        if digits == "":
            return 0
    elif len(part) > 1 and part[0] == "0":
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    allowed = {16: "0123456789abcdefABCDEF", 8: "01234567", 10: "0123456789"}[base]
    if not digits or any(c not in allowed for c in digits):
        return None
    return int(digits, base)


def _ends_in_number(host: str) -> bool:
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    last = parts[-1]
    if last and all(c in "0123456789" for c in last):
        return True
    return _ipv4_part(last) is not None and last[:2] in ("0x", "0X")


def _parse_ipv4(host: str) -> ipaddress.IPv4Address:
    """``2130706433``, ``0x7f000001``, ``0177.0.0.1`` and ``127.1`` all mean 127.0.0.1 to a browser."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts = parts[:-1]
    numbers = [_ipv4_part(p) if p else None for p in parts]
    if len(parts) > 4 or any(n is None for n in numbers):
        raise InvalidInput(f"the host {host!r} is not a valid IPv4 address")
    *leading, last = [n for n in numbers if n is not None]
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        raise InvalidInput(f"the host {host!r} is not a valid IPv4 address")
    value = last
    for index, n in enumerate(leading):
        value += n << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _parse_ipv6(literal: str) -> ipaddress.IPv6Address:
    if "%" in literal:
        raise InvalidInput("IPv6 zone identifiers are not allowed in URLs")
    try:
        return ipaddress.IPv6Address(literal)
    except ValueError:
        raise InvalidInput(f"[{literal}] is not a valid IPv6 address") from None


def normalise_host(raw: str) -> str:
    """The host a browser would connect to: IP literals canonical, names as lower-case A-labels.

    Raises InvalidInput when the host is not something a browser would accept.
    """
    if raw.startswith("[") and raw.endswith("]"):
        return str(_parse_ipv6(raw[1:-1]))
    if ":" in raw:
        return str(_parse_ipv6(raw))
    try:
        host = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the host is not valid UTF-8 after percent-decoding") from None
    if not host:
        raise InvalidInput("the URL has no host")
    try:
        # UTS 46 mapping (non-transitional, as browsers do): full-width digits, ideographic
        # full stops and upper case all fold to what the browser would look up.
        host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        if not (host.isascii() and _ASCII_HOST.match(host.lower().rstrip("."))):
            raise InvalidInput(f"the host {raw!r} is not a valid domain name ({exc})") from None
        host = host.lower()  # e.g. underscores: not IDNA-valid, but browsers and DNS allow them
    if _ends_in_number(host):
        return str(_parse_ipv4(host))
    host = host[:-1] if host.endswith(".") else host
    if not host or not _ASCII_HOST.match(host):
        raise InvalidInput(f"the host {raw!r} is not a valid domain name")
    return host


def _ip_or_none(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


# --- the allow list (CONVERTER_EGRESS_ALLOW) ----------------------------------------------


@dataclass(frozen=True)
class _AllowEntry:
    """One CONVERTER_EGRESS_ALLOW entry: a name or a network, at one port or at the egress ports."""

    name: str | None
    network: IPNetwork | None
    port: int | None


def _allow_port(raw: str, entry: str) -> int:
    port = port_number(raw)
    if port is None:
        raise ConfigError(f"CONVERTER_EGRESS_ALLOW entry {entry!r} has a bad port {raw!r}")
    return port


def _parse_allow_entry(entry: str) -> _AllowEntry:
    port_text = ""
    if entry.startswith("["):
        inside, closed, rest = entry[1:].partition("]")
        if not closed:
            raise ConfigError(f"CONVERTER_EGRESS_ALLOW entry {entry!r} has an unclosed bracket")
        if rest:
            if not rest.startswith(":"):
                raise ConfigError(f"CONVERTER_EGRESS_ALLOW entry {entry!r} is malformed")
            port_text = rest[1:]
        address_text = inside
    elif "/" in entry:
        address, _, rest = entry.partition("/")
        prefix, _, port_text = rest.partition(":")
        address_text = f"{address}/{prefix}"
    elif entry.count(":") == 1:
        address_text, _, port_text = entry.partition(":")
    else:
        address_text = entry
    port = _allow_port(port_text, entry) if port_text else None
    try:
        return _AllowEntry(None, ipaddress.ip_network(address_text, strict=False), port)
    except ValueError:
        pass
    try:
        name = normalise_host(address_text)
    except InvalidInput as exc:
        raise ConfigError(f"CONVERTER_EGRESS_ALLOW entry {entry!r}: {exc.message}") from None
    ip = _ip_or_none(name)
    if ip is not None:  # a numeric form such as 127.1
        return _AllowEntry(None, ipaddress.ip_network(ip), port)
    return _AllowEntry(name, None, port)


def parse_allow_list(raw: str) -> tuple[_AllowEntry, ...]:
    return tuple(_parse_allow_entry(e.strip()) for e in (raw or "").split(",") if e.strip())


def system_resolver(host: str, port: int) -> list[str]:
    """Every A and AAAA answer for host; [] when it does not resolve.

    ``.invalid`` names never resolve (RFC 6761 6.4), so they are answered here without a query.
    """
    if host == "invalid" or host.endswith(".invalid"):
        return []
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


# --- the policy ---------------------------------------------------------------------------


class EgressPolicy:
    """Public addresses on the egress ports, plus exactly what CONVERTER_EGRESS_ALLOW names."""

    def __init__(
        self,
        allow: str = "",
        ports: Iterable[int] = (80, 443),
        resolver: Resolver | None = None,
    ) -> None:
        self._allow = parse_allow_list(allow)
        self._ports = frozenset(ports)
        self._resolver = resolver or system_resolver

    @classmethod
    def from_settings(cls, settings: Settings) -> EgressPolicy:
        return cls(allow=settings.egress_allow, ports=settings.egress_ports)

    def _port_matches(self, entry: _AllowEntry, port: int) -> bool:
        return port == entry.port if entry.port is not None else port in self._ports

    def _name_allowed(self, host: str, port: int) -> bool:
        return any(e.name == host and self._port_matches(e, port) for e in self._allow)

    def parse_url(self, url: str) -> Target:
        """Syntax and normalisation only (no DNS). Raises Blocked or InvalidInput."""
        if not isinstance(url, str) or not url.strip():
            raise InvalidInput("the URL is empty")
        url = url.strip(" ")
        if len(url) > MAX_URL_LENGTH:
            raise InvalidInput(f"the URL is longer than {MAX_URL_LENGTH} characters")
        if any(unicodedata.category(c) == "Cc" or c.isspace() for c in url):
            raise InvalidInput("the URL contains control or whitespace characters")
        if "\\" in url:
            raise InvalidInput("the URL contains a backslash")
        match = _SCHEME.match(url)
        if not match:
            raise InvalidInput("the URL must start with http:// or https://")
        scheme = match.group(1).lower()
        if scheme not in DEFAULT_PORTS:
            raise Blocked(f"only http and https URLs can be converted, not {scheme}:")
        rest = url[match.end() :]
        if not rest.startswith("//"):
            raise InvalidInput("the URL must start with http:// or https://")
        rest = rest[2:]
        end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        authority, tail = rest[:end], rest[end:]
        if "@" in authority:
            raise Blocked("URLs with a user name or password (user@host) are not allowed")
        host_text, port = self._split_authority(authority, scheme)
        host = normalise_host(host_text)
        if tail == "" or tail[0] != "/":
            tail = "/" + tail
        port_part = "" if port == DEFAULT_PORTS[scheme] else f":{port}"
        return Target(scheme, host, port, f"{scheme}://{_url_host(host)}{port_part}{tail}")

    def parse_origin(self, url: str) -> Target:
        """``parse_url`` for URLs a browser produced: judged on scheme and authority only, so
        a long path or query (often longer than a user would type) does not matter."""
        if not isinstance(url, str):
            raise InvalidInput("the URL is not text")
        scheme, sep, rest = url.partition("://")
        if not sep:
            return self.parse_url(url)  # no authority: let parse_url say what is wrong
        end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        return self.parse_url(f"{scheme}://{rest[:end]}/")

    @staticmethod
    def _split_authority(authority: str, scheme: str) -> tuple[str, int]:
        if authority.startswith("["):
            close = authority.find("]")
            if close < 0:
                raise InvalidInput("the URL has an unclosed IPv6 bracket")
            host_text, after = authority[: close + 1], authority[close + 1 :]
            if after and not after.startswith(":"):
                raise InvalidInput("the URL's host is malformed")
            port_text = after[1:]
        else:
            host_text, _, port_text = authority.partition(":")
            if ":" in port_text:
                raise InvalidInput("the URL's host is malformed")
        if not host_text:
            raise InvalidInput("the URL has no host")
        if port_text == "":
            return host_text, DEFAULT_PORTS[scheme]
        port = port_number(port_text)
        if port is None:
            raise InvalidInput(f"the URL's port {port_text!r} is not a valid port number")
        return host_text, port

    def check_address(self, ip: str, port: int) -> str | None:
        """None if connecting to ip:port is allowed, else a reason a person can read."""
        address = _ip_or_none(ip.strip("[]").split("%", 1)[0])
        if address is None:
            return f"{ip!r} is not an IP address"
        for entry in self._allow:
            if (
                entry.network is not None
                and entry.network.version == address.version
                and address in entry.network
                and self._port_matches(entry, port)
            ):
                return None
        reason = non_public_reason(address)
        if reason is None and port not in self._ports:
            reason = f"port {port} is not allowed (allowed: {', '.join(map(str, sorted(self._ports)))})"
        return reason

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses to dial for host:port: every A/AAAA, all allowed, or Blocked (fail closed)."""
        try:
            host = normalise_host(host)
        except InvalidInput as exc:
            raise Blocked(exc.message) from None
        literal = _ip_or_none(host)
        if literal is not None:
            reason = self.check_address(host, port)
            if reason:
                raise Blocked(reason)
            return [host]
        named = self._name_allowed(host, port)
        if not named and (host == "localhost" or host.endswith(".localhost")):
            raise Blocked(f"{host} always means this machine")
        answers: list[str] = []
        for found in self._resolver(host, port):
            answer = str(found).split("%", 1)[0]
            if answer not in answers:
                answers.append(answer)
        if not answers:
            raise Blocked(f"{host} does not resolve to any address", RefusalKind.UNRESOLVED)
        for answer in answers:
            if _ip_or_none(answer) is None:
                raise Blocked(f"{host} resolved to something that is not an address")
            reason = None if named else self.check_address(answer, port)
            if reason:
                raise Blocked(f"{host} resolves to {reason}")
        return answers

    def vet_url(self, url: str) -> Target:
        """What the API calls before queueing: the URL is well formed and every address is allowed."""
        target = self.parse_url(url)
        self.resolve(target.host, target.port)
        return target

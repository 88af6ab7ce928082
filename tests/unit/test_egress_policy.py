"""The egress policy against a corpus of SSRF payloads: every case is named, none touches DNS.

Sources for the corpus: security-checklist.md section 1 (Gotenberg's published bypasses,
smokescreen's IP ranges, the Lambda runtime API) and the encodings browsers accept.
"""

from __future__ import annotations

import pytest

from chalicelib.config import ConfigError, Settings
from chalicelib.domain.errors import InvalidInput
from chalicelib.egress import Blocked, EgressPolicy, Target

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"

DNS = {
    "example.com": [PUBLIC_V4, PUBLIC_V6],
    "xn--bcher-kva.de": [PUBLIC_V4],
    "loopback.example": ["127.0.0.1"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": [PUBLIC_V4, "10.0.0.5"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "ula.example": ["fd00:ec2::254"],
    "scoped.example": ["fe80::1%eth0"],
    "dev.internal": ["127.0.0.1", "::1"],
}


def stub_resolver(host: str, port: int) -> list:
    return list(DNS.get(host, []))


@pytest.fixture
def policy() -> EgressPolicy:
    return EgressPolicy(resolver=stub_resolver)


# --- URLs that must be refused --------------------------------------------------------

REFUSED_URLS = [
    # numeric forms of loopback that browsers (and glibc) accept
    pytest.param("http://2130706433/", id="decimal-dword"),
    pytest.param("http://0x7f000001/", id="hex-dword"),
    pytest.param("http://0x7F.0.0.1/", id="hex-first-octet"),
    pytest.param("http://0177.0.0.1/", id="octal-first-octet"),
    pytest.param("http://0177.0000.0000.0001/", id="octal-all-octets"),
    pytest.param("http://127.1/", id="two-part"),
    pytest.param("http://127.0.1/", id="three-part"),
    pytest.param("http://127.0.0.1./", id="ipv4-trailing-dot"),
    pytest.param("http://%31%32%37.0.0.1/", id="percent-encoded-ip"),
    pytest.param("http://１２７．０．０．１/", id="fullwidth-digits-and-dots"),
    pytest.param("http://127。0。0。1/", id="ideographic-full-stops"),
    pytest.param("http://0/", id="zero"),
    pytest.param("http://0.0.0.0/", id="unspecified-v4"),
    # IPv6 literals
    pytest.param("http://[::1]/", id="v6-loopback"),
    pytest.param("http://[0:0:0:0:0:0:0:1]/", id="v6-loopback-long"),
    pytest.param("http://[::]/", id="v6-unspecified"),
    pytest.param("http://[::ffff:127.0.0.1]/", id="v4-mapped-loopback"),
    pytest.param("http://[::ffff:7f00:1]/", id="v4-mapped-loopback-hex"),
    pytest.param("http://[::ffff:169.254.169.254]/", id="v4-mapped-metadata"),
    pytest.param("http://[::127.0.0.1]/", id="v4-compatible"),
    pytest.param("http://[64:ff9b::7f00:1]/", id="nat64"),
    pytest.param("http://[64:ff9b:1::a00:1]/", id="local-nat64"),
    pytest.param("http://[2002:7f00:1::]/", id="6to4"),
    pytest.param("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", id="teredo"),
    pytest.param("http://[fd00:ec2::254]/", id="ec2-metadata-v6"),
    pytest.param("http://[fc00::1]/", id="unique-local"),
    pytest.param("http://[fe80::1]/", id="v6-link-local"),
    pytest.param("http://[ff02::1]/", id="v6-multicast"),
    pytest.param("http://[2001:db8::1]/", id="v6-documentation"),
    # ranges
    pytest.param("http://169.254.169.254/latest/meta-data/", id="aws-metadata"),
    pytest.param("http://169.254.170.2/v2/credentials", id="ecs-credentials"),
    pytest.param("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next", id="lambda-runtime-api"),
    pytest.param("http://10.1.2.3/", id="private-10"),
    pytest.param("http://172.16.0.1/", id="private-172"),
    pytest.param("http://192.168.1.1/", id="private-192"),
    pytest.param("http://100.64.0.1/", id="cgnat"),
    pytest.param("http://198.18.0.1/", id="benchmark"),
    pytest.param("http://192.0.0.8/", id="ietf-protocol"),
    pytest.param("http://192.0.2.1/", id="test-net-1"),
    pytest.param("http://224.0.0.1/", id="multicast"),
    pytest.param("http://239.255.255.250/", id="multicast-ssdp"),
    pytest.param("http://240.0.0.1/", id="reserved"),
    pytest.param("http://255.255.255.255/", id="broadcast"),
    # names
    pytest.param("http://localhost/", id="localhost"),
    pytest.param("http://LOCALHOST./", id="localhost-upper-trailing-dot"),
    pytest.param("http://anything.localhost/", id="localhost-subdomain"),
    pytest.param("http://loopback.example/", id="name-to-loopback"),
    pytest.param("http://metadata.example/", id="name-to-metadata"),
    pytest.param("http://mixed.example/", id="name-with-one-private-answer"),
    pytest.param("http://mapped.example/", id="name-to-v4-mapped"),
    pytest.param("http://ula.example/", id="name-to-ula"),
    pytest.param("http://scoped.example/", id="name-to-scoped-link-local"),
    pytest.param("http://does-not-resolve.example/", id="unresolvable-fails-closed"),
    # ports
    pytest.param("http://example.com:22/", id="port-22"),
    pytest.param("https://example.com:8443/", id="port-8443"),
    pytest.param("http://93.184.216.34:6379/", id="public-ip-redis-port"),
    # userinfo
    pytest.param("http://allowed@127.0.0.1/", id="userinfo-loopback"),
    pytest.param("http://example.com@127.0.0.1/", id="userinfo-host-confusion"),
    pytest.param("http://user:pass@example.com/", id="userinfo-credentials"),
    pytest.param("http://example.com:80@169.254.169.254/", id="userinfo-port-confusion"),
    # schemes
    pytest.param("file:///etc/passwd", id="file"),
    pytest.param("FILE:///proc/self/environ", id="file-upper"),
    pytest.param("File://localhost/etc/passwd", id="file-mixed-case"),
    pytest.param("gopher://127.0.0.1:6379/_INFO", id="gopher"),
    pytest.param("ftp://example.com/", id="ftp"),
    pytest.param("data:text/html,<h1>x</h1>", id="data"),
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("view-source:http://example.com/", id="view-source"),
    pytest.param("chrome://settings", id="chrome"),
    pytest.param("ws://example.com/", id="ws"),
    pytest.param("wss://example.com/", id="wss"),
    pytest.param("blob:http://example.com/uuid", id="blob"),
    pytest.param("about:blank", id="about"),
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_refused_urls(policy: EgressPolicy, url: str) -> None:
    with pytest.raises(Blocked) as caught:
        policy.vet_url(url)
    assert caught.value.code == "blocked_destination"
    assert caught.value.reason  # a person can read why


MALFORMED_URLS = [
    pytest.param("", id="empty"),
    pytest.param("   ", id="blank"),
    pytest.param("example.com", id="no-scheme"),
    pytest.param("//example.com/", id="scheme-relative"),
    pytest.param("http:example.com", id="no-slashes"),
    pytest.param("http:/example.com", id="one-slash"),
    pytest.param("http:///example.com", id="empty-host"),
    pytest.param("http://", id="nothing-after-scheme"),
    pytest.param("http:\\\\localhost\\", id="backslashes"),
    pytest.param("http://example.com\\@127.0.0.1/", id="backslash-userinfo"),
    pytest.param("http://exa\tmple.com/", id="tab"),
    pytest.param("http://example.com/\r\nHost: evil", id="crlf"),
    pytest.param("http://example.com/\x00", id="nul"),
    pytest.param("http://exa mple.com/", id="space-in-host"),
    pytest.param("http://example.com:99999/", id="port-too-big"),
    pytest.param("http://example.com:0/", id="port-zero"),
    pytest.param("http://example.com:8o/", id="port-not-numeric"),
    pytest.param("http://1.2.3.4.5/", id="five-part-ipv4"),
    pytest.param("http://256.0.0.1/", id="octet-too-big"),
    pytest.param("http://09.0.0.1/", id="bad-octal"),
    pytest.param("http://[::1/", id="unclosed-bracket"),
    pytest.param("http://[fe80::1%25eth0]/", id="zone-id"),
    pytest.param("http://[not-an-ip]/", id="bad-ipv6"),
    pytest.param("http://a..b/", id="empty-label"),
    pytest.param("http://exa%2fmple.com/", id="encoded-slash-in-host"),
    pytest.param("http://" + "a" * 2050 + ".com/", id="too-long"),
    pytest.param(None, id="not-a-string"),
]


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_malformed_urls_are_invalid_input(policy: EgressPolicy, url) -> None:
    with pytest.raises(InvalidInput):
        policy.vet_url(url)


# --- URLs that are accepted, and what they normalise to ---------------------------------

ACCEPTED = [
    pytest.param("http://example.com", Target("http", "example.com", 80, "http://example.com/"), id="plain"),
    pytest.param(
        "HTTPS://EXAMPLE.COM./Path?q=1#frag",
        Target("https", "example.com", 443, "https://example.com/Path?q=1#frag"),
        id="upper-scheme-host-trailing-dot",
    ),
    pytest.param(
        "https://example.com:443/",
        Target("https", "example.com", 443, "https://example.com/"),
        id="default-port-dropped",
    ),
    pytest.param(
        "http://example.com:443/",
        Target("http", "example.com", 443, "http://example.com:443/"),
        id="other-default-port-kept",
    ),
    pytest.param("http://bücher.de/", Target("http", "xn--bcher-kva.de", 80, "http://xn--bcher-kva.de/"), id="idn"),
    pytest.param(
        "http://BÜCHER.de/", Target("http", "xn--bcher-kva.de", 80, "http://xn--bcher-kva.de/"), id="idn-upper"
    ),
    pytest.param("http://93.184.216.34/", Target("http", PUBLIC_V4, 80, "http://93.184.216.34/"), id="public-ip"),
    pytest.param("http://1572395042/", Target("http", PUBLIC_V4, 80, "http://93.184.216.34/"), id="public-ip-decimal"),
    pytest.param(
        f"http://[{PUBLIC_V6.upper()}]/", Target("http", PUBLIC_V6, 80, f"http://[{PUBLIC_V6}]/"), id="public-ipv6"
    ),
    pytest.param(
        " http://example.com/ ",
        Target("http", "example.com", 80, "http://example.com/"),
        id="surrounding-spaces-trimmed",
    ),
    pytest.param(
        "http://example.com?x", Target("http", "example.com", 80, "http://example.com/?x"), id="query-without-path"
    ),
]


@pytest.mark.parametrize("url, expected", ACCEPTED)
def test_accepted_urls_normalise(policy: EgressPolicy, url: str, expected: Target) -> None:
    assert policy.vet_url(url) == expected


def test_parse_url_does_no_dns() -> None:
    def explode(host, port):
        raise AssertionError("parse_url must not resolve")

    assert EgressPolicy(resolver=explode).parse_url("http://unknown.example/").host == "unknown.example"


# --- addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ip, label",
    [
        pytest.param("127.0.0.1", "loopback", id="loopback"),
        pytest.param("169.254.169.254", "metadata", id="metadata"),
        pytest.param("fd00:ec2::254", "metadata", id="ec2-v6-metadata"),
        pytest.param("::ffff:127.0.0.1", "IPv4-mapped", id="v4-mapped"),
        pytest.param("100.64.0.1", "carrier-grade NAT", id="cgnat"),
        pytest.param("fe80::1%eth0", "link-local", id="scoped"),
        pytest.param("5f00::1", "outside IPv6 global unicast", id="not-2000-3"),
        pytest.param("not-an-ip", "not an IP address", id="garbage"),
    ],
)
def test_check_address_reasons_name_the_range(ip: str, label: str) -> None:
    reason = EgressPolicy().check_address(ip, 80)
    assert reason is not None and label in reason


@pytest.mark.parametrize("ip", [PUBLIC_V4, PUBLIC_V6, "8.8.8.8", "2001:4860:4860::8888"])
def test_public_addresses_on_default_ports_are_allowed(ip: str) -> None:
    policy = EgressPolicy()
    assert policy.check_address(ip, 80) is None
    assert policy.check_address(ip, 443) is None
    assert policy.check_address(ip, 8080) is not None


def test_ports_are_configurable() -> None:
    policy = EgressPolicy(ports=[8080])
    assert policy.check_address(PUBLIC_V4, 8080) is None
    assert "port 443" in policy.check_address(PUBLIC_V4, 443)


# --- CONVERTER_EGRESS_ALLOW -------------------------------------------------------------


def test_allow_entry_admits_exactly_its_port() -> None:
    policy = EgressPolicy(allow="127.0.0.1:8765")
    assert policy.check_address("127.0.0.1", 8765) is None
    assert policy.check_address("127.0.0.1", 8766) is not None
    assert policy.check_address("127.0.0.2", 8765) is not None
    assert policy.check_address("::ffff:127.0.0.1", 8765) is not None
    assert policy.check_address("::1", 8765) is not None
    assert policy.vet_url("http://127.0.0.1:8765/page").port == 8765
    with pytest.raises(Blocked):
        policy.vet_url("http://127.0.0.1:9001/")


def test_allow_cidr_without_port_admits_egress_ports_only() -> None:
    policy = EgressPolicy(allow="10.0.0.0/8", ports=[80, 443])
    assert policy.check_address("10.9.8.7", 443) is None
    assert policy.check_address("10.9.8.7", 22) is not None
    assert policy.check_address("11.0.0.1", 22) is not None


def test_allow_cidr_with_port_and_ipv6_forms() -> None:
    policy = EgressPolicy(allow="192.168.0.0/16:8080, [::1]:9000, [fd00::/8]:81")
    assert policy.check_address("192.168.3.4", 8080) is None
    assert policy.check_address("192.168.3.4", 80) is not None
    assert policy.check_address("::1", 9000) is None
    assert policy.check_address("::1", 9001) is not None
    assert policy.check_address("fd12::1", 81) is None


def test_allow_name_entry_admits_that_name_at_that_port() -> None:
    policy = EgressPolicy(allow="DEV.internal.:8765,localhost:8766", resolver=stub_resolver)
    assert policy.resolve("dev.internal", 8765) == ["127.0.0.1", "::1"]
    assert policy.vet_url("http://dev.internal:8765/").host == "dev.internal"
    with pytest.raises(Blocked):
        policy.resolve("dev.internal", 8766)
    with pytest.raises(Blocked):  # the name entry admits the name, not its addresses
        policy.vet_url("http://127.0.0.1:8765/")
    with pytest.raises(Blocked):
        policy.vet_url("http://loopback.example:8765/")


@pytest.mark.parametrize("raw", ["127.0.0.1:http", "10.0.0.0/33", "host:99999", "[::1", "bad host:80"])
def test_malformed_allow_entries_are_config_errors(raw: str) -> None:
    with pytest.raises(ConfigError):
        EgressPolicy(allow=raw)


def test_from_settings_uses_egress_settings() -> None:
    settings = Settings.from_env({"CONVERTER_EGRESS_ALLOW": "127.0.0.1:8765", "CONVERTER_EGRESS_PORTS": "443"})
    policy = EgressPolicy.from_settings(settings)
    assert policy.check_address("127.0.0.1", 8765) is None
    assert policy.check_address(PUBLIC_V4, 80) is not None
    assert policy.check_address(PUBLIC_V4, 443) is None


# --- DNS ------------------------------------------------------------------------------


def test_resolve_returns_every_answer_deduplicated(policy: EgressPolicy) -> None:
    def doubled(host, port):
        return [PUBLIC_V4, PUBLIC_V4, PUBLIC_V6]

    assert EgressPolicy(resolver=doubled).resolve("example.com", 443) == [PUBLIC_V4, PUBLIC_V6]


def test_rebinding_resolver_is_judged_on_each_answer() -> None:
    """Public on the first lookup, loopback on the second: each lookup is judged on its own
    answers, so the converter (which dials only what resolve() returned) cannot be rebound."""
    answers = iter([[PUBLIC_V4], ["127.0.0.1"]])
    policy = EgressPolicy(resolver=lambda host, port: next(answers))
    assert policy.vet_url("http://rebind.example/").host == "rebind.example"
    with pytest.raises(Blocked) as caught:
        policy.resolve("rebind.example", 80)
    assert "127.0.0.1" in caught.value.reason


def test_resolver_garbage_fails_closed() -> None:
    policy = EgressPolicy(resolver=lambda host, port: ["not-an-address"])
    with pytest.raises(Blocked):
        policy.resolve("example.com", 80)


def test_system_resolver_fails_closed_on_unresolvable_name() -> None:
    with pytest.raises(Blocked):
        EgressPolicy().resolve("name-that-does-not-exist.invalid", 80)


def test_blocked_is_invalid_input_with_its_own_code() -> None:
    error = Blocked("127.0.0.1 is not public (loopback address)")
    assert isinstance(error, InvalidInput)
    assert error.code == "blocked_destination"
    assert error.message == error.reason

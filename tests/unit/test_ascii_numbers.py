"""Numbers read from outside are ASCII digits only: look-alike digits are a clean refusal."""

from __future__ import annotations

import pytest

from chalicelib.config import ConfigError, Settings
from chalicelib.domain.errors import InvalidInput
from chalicelib.egress import EgressPolicy
from chalicelib.numbers import ascii_hex, ascii_int, port_number

LOOK_ALIKES = ["²", "⁸⁰", "①", "８０", "٨٠", "𝟖𝟎", " 80", "+80", "8_0", "-1", "", "80 "]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_only_ascii_digits_are_numbers(text):
    assert ascii_int(text) is None
    assert port_number(text) is None


def test_ascii_numbers_and_ports_are_read():
    assert ascii_int("0080") == 80 and port_number("443") == 443
    assert port_number("0") is None and port_number("65536") is None
    assert ascii_hex("1aF") == 0x1AF and ascii_hex("１") is None and ascii_hex("0x1") is None


@pytest.mark.parametrize("port", ["²", "⁸⁰", "①", "８０", "٨٠", "𝟖𝟎"])
def test_a_url_port_in_look_alike_digits_is_invalid_input_not_a_crash(port):
    with pytest.raises(InvalidInput) as refused:
        EgressPolicy().parse_url(f"http://example.com:{port}/")
    assert "port" in refused.value.message


@pytest.mark.parametrize("raw", ["８０", "²"])
def test_settings_refuse_look_alike_digits(raw):
    with pytest.raises(ConfigError, match="TOKEN_TTL_SECONDS"):
        Settings.from_env({"TOKEN_TTL_SECONDS": raw + "000"})
    with pytest.raises(ConfigError, match="CONVERTER_EGRESS_PORTS"):
        Settings.from_env({"CONVERTER_EGRESS_PORTS": raw})
    with pytest.raises(ConfigError, match="CONVERTER_EGRESS_ALLOW"):
        EgressPolicy(allow=f"127.0.0.1:{raw}")

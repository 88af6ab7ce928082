"""Pure domain pieces: ids, file names, options, tokens, secrets parsing, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.secrets import database_url_from_secret
from chalicelib.config import ConfigError, Settings
from chalicelib.domain import passwords, tokens
from chalicelib.domain.errors import AuthenticationFailed, InvalidInput
from chalicelib.domain.filenames import download_filename
from chalicelib.domain.ids import is_file_id, new_file_id
from chalicelib.domain.options import parse_options


def test_file_ids_sort_by_creation_time_and_are_url_safe():
    early, late = new_file_id(now_ms=1_000), new_file_id(now_ms=2_000)
    assert early < late and is_file_id(early) and is_file_id(late)
    assert len({new_file_id(now_ms=5) for _ in range(1000)}) == 1000  # random part: unguessable, unique
    assert not is_file_id("../" + early[3:]) and not is_file_id(early.lower())


@pytest.mark.parametrize(
    "title, url, expected",
    [
        ("Example Domain", "https://example.com/", "Example-Domain.pdf"),
        (None, "https://example.com/a/b", "example.com.pdf"),
        ("   ", "https://example.com/", "page.pdf"),
        ("Crème brûlée: recipes/2024", "https://x.org/", "Creme-brulee-recipes-2024.pdf"),
        ("日本語", "https://x.org/", "page.pdf"),
        ("a" * 300, "https://x.org/", "a" * 80 + ".pdf"),
        ('"quoted"\r\nHeader-Injection: yes', "https://x.org/", "quoted-Header-Injection-yes.pdf"),
    ],
)
def test_download_names_are_clean(title, url, expected):
    assert download_filename(title, url) == expected


def test_options_default_when_absent():
    options = parse_options(None)
    assert options.format == "A4" and options.margin.top == "1cm" and options.print_background is True


def test_margins_are_bounded_by_physical_size():
    assert parse_options({"margin": {"top": "254mm"}}).margin.top == "254mm"
    with pytest.raises(InvalidInput):
        parse_options({"margin": {"top": "255mm"}})


def test_booleans_are_not_numbers():
    with pytest.raises(InvalidInput):
        parse_options({"scale": True})
    with pytest.raises(InvalidInput):
        parse_options({"delay_ms": False})


def test_templates_may_use_chromium_classes_but_no_resources():
    assert parse_options({"header_template": "<span class='title'></span>"}).header_template
    for bad in [
        "<script>x</script>",
        "<link rel=stylesheet href=x>",
        "<p style='x:url( a )'>",
        "<svg><image xlink:href='http://x'/></svg>",
        "<style>@import 'x';</style>",
    ]:
        with pytest.raises(InvalidInput):
            parse_options({"footer_template": bad})


def test_tokens_round_trip_and_expire():
    now = datetime.now(UTC)
    token, expires_at = tokens.issue("s" * 40, "user-1", "session-1", now, 60)
    claims = tokens.decode("s" * 40, token)
    assert (claims.user_id, claims.session_id) == ("user-1", "session-1")
    stale, _ = tokens.issue("s" * 40, "user-1", "session-1", now - timedelta(hours=2), 60)
    with pytest.raises(AuthenticationFailed) as refused:
        tokens.decode("s" * 40, stale)
    assert refused.value.code == "token_expired"


def test_password_hashes_use_the_configured_cost_and_verify():
    digest = passwords.hash_password("correct horse", rounds=4)
    assert digest.startswith("$2b$04$")
    assert passwords.verify_password("correct horse", digest)
    assert not passwords.verify_password("correct horsE", digest)
    assert not passwords.verify_password("x", "not a hash")


def test_database_secret_as_url_or_rds_json():
    assert database_url_from_secret("postgresql://u:p@h/db") == "postgresql://u:p@h/db"
    url = database_url_from_secret('{"username": "app", "password": "p@ss/word", "host": "db.internal", "port": 5432}')
    assert url == "postgresql://app:p%40ss%2Fword@db.internal:5432/postgres?sslmode=require"
    with pytest.raises(ConfigError):
        database_url_from_secret("{}")


def test_settings_are_validated_once_with_clear_messages():
    assert Settings.from_env({}).egress_ports == frozenset({80, 443})
    with pytest.raises(ConfigError, match="TOKEN_TTL_SECONDS"):
        Settings.from_env({"TOKEN_TTL_SECONDS": "soon"})
    with pytest.raises(ConfigError, match="CONVERTER_EGRESS_PORTS"):
        Settings.from_env({"CONVERTER_EGRESS_PORTS": "80,99999"})
    assert "u:pw@h" not in repr(Settings(database_url="postgresql://u:pw@h/db"))
    assert "hunter2" not in repr(Settings(jwt_secret="hunter2" * 8))


def test_the_log_level_setting_reaches_every_service_logger():
    import logging

    from chalicelib.observability import SERVICES, apply_log_level

    apply_log_level(Settings(log_level="debug"))
    assert {logging.getLogger(name).level for name in SERVICES} == {logging.DEBUG}
    apply_log_level(Settings(log_level="INFO"))
    assert {logging.getLogger(name).level for name in SERVICES} == {logging.INFO}


@pytest.mark.parametrize(
    "template, kept, gone",
    [
        # Spellings the old blocklist let through: entities, CSS escapes, tags it did not list.
        ("<div style='background-image: \\75rl(http://x/)'>A</div>", "A", "x/"),
        ("<div style='background: image-set(\"http://x/a.png\" 1x)'>A</div>", "A", "x/"),
        ("<div style='color: red; background: u&#114;l(http://x/)'>A</div>", "A", "x/"),
        ("<meta http-equiv='refresh' content='0;http://x/'>A", "A", "x/"),
        ("<table background='http://x/'><tr><td>A</td></tr></table>", "A", "x/"),
        ("<div onmouseover='fetch(1)' id='i' title='t'>A</div>", "<div>A</div>", "fetch"),
        ("<span class='pageNumber evil'></span>", '<span class="pageNumber"></span>', "evil"),
        ("<span style='font-size: 9px; position: fixed'>A</span>", "font-size:9px", "position"),
    ],
)
def test_templates_are_sanitised_with_an_allowlist(template, kept, gone):
    cleaned = parse_options({"header_template": template}).header_template
    assert kept in cleaned and gone not in cleaned

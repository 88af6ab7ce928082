"""The CLI's convert flags become the request's options (the API bounds them)."""

from __future__ import annotations

import sys

import pytest

from tests.support.paths import REPO

sys.path.insert(0, str(REPO / "cli"))
from pagepress_cli.main import _parser, options_from  # noqa: E402


def _options(*flags: str) -> dict:
    return options_from(_parser().parse_args(["convert", "https://example.com/", *flags]))


def test_no_flags_send_no_options():
    assert _options() == {}


def test_screenshot_flags():
    assert _options("--as", "webp", "--quality", "70", "--viewport-only") == {
        "output": "webp",
        "quality": 70,
        "full_page": False,
    }


def test_each_flag_sets_its_option():
    assert _options(
        "--format",
        "Letter",
        "--landscape",
        "--page-ranges",
        "1-3, 5",
        "--single-page",
        "--prefer-css-page-size",
        "--omit-background",
        "--user-agent",
        "Agent/1",
        "--color-scheme",
        "dark",
        "--filename",
        "Report",
        "--wait-for-expression",
        "window.done",
        "--fail-on-console-exceptions",
    ) == {
        "format": "Letter",
        "landscape": True,
        "page_ranges": "1-3, 5",
        "single_page": True,
        "prefer_css_page_size": True,
        "omit_background": True,
        "user_agent": "Agent/1",
        "media_features": [{"name": "prefers-color-scheme", "value": "dark"}],
        "filename": "Report",
        "wait_for_expression": "window.done",
        "fail_on_console_exceptions": True,
    }


def test_header_and_cookie_flags_repeat_into_headers_and_cookies():
    assert _options(
        "--header", "Authorization: Bearer a:b", "--header", "X-Tenant:acme", "--cookie", "session=x=y"
    ) == {
        "headers": {"Authorization": "Bearer a:b", "X-Tenant": "acme"},
        "cookies": [{"name": "session", "value": "x=y"}],
    }


def test_a_malformed_header_or_cookie_flag_is_refused_without_echoing_it(capsys):
    for flag, text in (("--header", "Bearer s3cret"), ("--cookie", "s3cret")):
        with pytest.raises(SystemExit):
            _options(flag, text)
        assert "s3cret" not in capsys.readouterr().err

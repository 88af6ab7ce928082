"""Validation of the page and failure options (issue 15): what is accepted, how it is kept,
and that each bad value is refused naming ``options.<name>``."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.filenames import download_filename
from chalicelib.domain.models import ConversionOptions, MediaFeature, object_key, thumbnail_key
from chalicelib.domain.options import parse_options
from chalicelib.domain.outputs import content_type_for
from chalicelib.domain.page_ranges import parse_page_ranges
from chalicelib.domain.status_rules import parse_status_rules, status_matches


def _refused(raw: dict, max_pages: int = 500) -> str | None:
    with pytest.raises(InvalidInput) as caught:
        parse_options(raw, max_pages)
    return caught.value.field


@pytest.mark.parametrize(
    "raw, normalised",
    [("1-3, 5", "1-3,5"), (" 2 ", "2"), ("4-4", "4"), ("1-500", "1-500"), ("10, 1-2", "10,1-2")],
)
def test_page_ranges_are_normalised(raw, normalised):
    assert parse_page_ranges(raw, 500) == normalised


@pytest.mark.parametrize("raw", ["", " ", "1-", "-2", "a", "1;2", "3-1", "0", "1,,2", "1-2-3", "501", 5, "9" * 7])
def test_bad_page_ranges_are_refused(raw):
    assert _refused({"page_ranges": raw}) == "options.page_ranges"


def test_the_page_limit_bounds_page_ranges():
    assert parse_options({"page_ranges": "20"}, max_pages=20).page_ranges == "20"
    assert _refused({"page_ranges": "21"}, max_pages=20) == "options.page_ranges"


def test_single_page_allows_no_other_range_than_the_first():
    assert parse_options({"single_page": True, "page_ranges": "1"}).single_page
    assert _refused({"single_page": True, "page_ranges": "1-2"}) == "options.page_ranges"


@pytest.mark.parametrize(
    "status, rules, matches",
    [
        (404, (404,), True),
        (404, ("4xx",), True),
        (404, ("5xx", 403), False),
        (503, ("5xx",), True),
        (200, (), False),
        (200, ("2xx",), True),
    ],
)
def test_status_rules_match_codes_and_classes(status, rules, matches):
    assert status_matches(status, rules) is matches


def test_status_rules_are_lower_cased_and_deduplicated():
    assert parse_status_rules([404, "5XX", 404, "5xx"], "fail_on_http_status") == (404, "5xx")


@pytest.mark.parametrize("raw", [[99], [600], ["6xx"], ["4x"], [True], [4.5], "5xx", [None], list(range(100, 151))])
def test_bad_status_rules_are_refused(raw):
    assert _refused({"fail_on_http_status": raw}) == "options.fail_on_http_status"
    assert _refused({"fail_on_resource_http_status": raw}) == "options.fail_on_resource_http_status"


def test_no_document_rule_means_the_default_and_an_empty_list_means_none():
    assert parse_options({}).fail_on_http_status is None
    assert parse_options({"fail_on_http_status": None}).fail_on_http_status is None
    assert parse_options({"fail_on_http_status": []}).fail_on_http_status == ()


@pytest.mark.parametrize(
    "features, field",
    [
        ([{"name": "prefers-color-scheme"}], "options.media_features.0"),
        ([{"name": "prefers-color-scheme", "value": "dark", "x": 1}], "options.media_features.0"),
        ([{"name": "color-gamut", "value": "p3"}], "options.media_features.0.name"),
        ([{"name": "forced-colors", "value": "dark"}], "options.media_features.0.value"),
        (
            [{"name": "forced-colors", "value": "none"}, {"name": "forced-colors", "value": "active"}],
            "options.media_features.1.name",
        ),
        ({"name": "forced-colors"}, "options.media_features"),
    ],
)
def test_bad_media_features_are_refused_naming_the_item(features, field):
    assert _refused({"media_features": features}) == field


@pytest.mark.parametrize("agent", ["", " ", "a\nb", "Agent/ü", "x" * 257])
def test_bad_user_agents_are_refused(agent):
    assert _refused({"user_agent": agent}) == "options.user_agent"


@pytest.mark.parametrize("name", ["", "a/b", "a\\b", "a:b", "a\nb", "what?", "x" * 101])
def test_bad_filenames_are_refused(name):
    assert _refused({"filename": name}) == "options.filename"


def test_a_chosen_filename_wins_over_the_title_and_is_made_safe():
    assert download_filename("Title", "https://example.com/", "Report 2026 — Q1.pdf") == "Report-2026-Q1.pdf"
    assert download_filename("Title", "https://example.com/", None) == "Title.pdf"
    assert download_filename("Title", "https://example.com/", "ü") == "u.pdf"
    assert download_filename("Title", "https://example.com/", "日本") == "page.pdf"


def test_every_option_survives_the_trip_through_json():
    options = parse_options(
        {
            "page_ranges": "1",
            "single_page": True,
            "prefer_css_page_size": True,
            "omit_background": True,
            "user_agent": "A/1",
            "media_features": [{"name": "prefers-reduced-motion", "value": "reduce"}],
            "filename": "f",
            "wait_for_expression": "window.done",
            "fail_on_http_status": [500],
            "fail_on_resource_http_status": ["4xx"],
            "fail_on_resource_loading_failed": True,
            "fail_on_console_exceptions": True,
        }
    )
    assert options.media_features == (MediaFeature("prefers-reduced-motion", "reduce"),)
    assert ConversionOptions.from_dict(json.loads(json.dumps(options.to_dict()))) == options


def test_screenshots_default_to_screen_media_and_their_own_extension():
    png = parse_options({"output": "png"})
    assert png.media == "screen" and png.full_page is True and png.quality is None
    assert parse_options({"output": "png", "media": "print"}).media == "print"
    assert parse_options({"output": "jpeg", "quality": 0}).quality == 0
    assert object_key("u", "f", "jpeg") == "users/u/f.jpg" and object_key("u", "f") == "users/u/f.pdf"
    assert content_type_for("Doc.webp") == "image/webp" and content_type_for("Doc.pdf") == "application/pdf"
    assert download_filename("T", "https://example.com/", "shot.png", "png") == "shot.png"


def test_a_message_from_before_these_options_still_reads():
    old = {"format": "A4", "landscape": False, "margin": {}, "scale": 1.0, "print_background": True, "media": "print"}
    assert ConversionOptions.from_dict(old) == ConversionOptions()


def test_a_thumbnail_never_takes_the_place_of_a_webp_screenshot():
    assert object_key("u", "f", "webp") == "users/u/f.webp"
    assert thumbnail_key("u", "f") not in {object_key("u", "f", output) for output in ("pdf", "png", "jpeg", "webp")}
    assert thumbnail_key("u", "f").startswith("users/u/")  # under the owner's prefix: erased with the account

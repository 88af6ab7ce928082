"""E-mail look-alikes (compatibility forms, case folding) are one account, on real PostgreSQL."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "first, lookalike",
    [
        ("alice@example.com", "ａｌｉｃｅ@example.com"),  # fullwidth
        ("finn@example.com", "ﬁnn@example.com"),  # the "fi" ligature
        ("strasse@example.com", "STRAßE@example.com"),  # case folding, not just lower()
        ("ada@example.com", "ａｄａ@ｅｘａｍｐｌｅ.ｃｏｍ"),  # fullwidth domain too
    ],
)
def test_a_compatibility_equivalent_email_is_the_same_account(http, first, lookalike):
    created = http.sign_up(first)
    assert created.status_code == 201, created.json
    again = http.sign_up(lookalike)
    assert again.status_code == 409, again.json
    assert again.json["error"]["code"] == "email_taken"
    signed_in = http.call("POST", "/sign-in", {"email": lookalike, "password": "correct horse"})
    assert signed_in.status_code == 200, signed_in.json
    me = http.call("GET", "/me", token=signed_in.json["token"])
    assert me.json["id"] == created.json["id"]

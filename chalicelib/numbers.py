"""Numbers read from outside (ports, lengths, limits): ASCII digits only.

``str.isdigit()`` is true for "²", "①" and "８", and ``int()`` takes some of those ("８" is
8) and refuses others ("²"), so ``isdigit()``-then-``int()`` both lets look-alikes through
and raises where the caller expected a clean answer. Everything here says None instead.
"""

from __future__ import annotations

import re

_DECIMAL = re.compile(r"[0-9]{1,20}")
_HEX = re.compile(r"[0-9A-Fa-f]{1,16}")


def ascii_int(text: object) -> int | None:
    """The value of ``text`` if it is 1-20 ASCII digits (no sign, space or underscore), else None."""
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        return None
    return int(text)


def ascii_hex(text: object) -> int | None:
    """The value of ``text`` if it is 1-16 ASCII hex digits (HTTP chunk sizes), else None."""
    if not isinstance(text, str) or not _HEX.fullmatch(text):
        return None
    return int(text, 16)


def port_number(text: object) -> int | None:
    """A TCP port 1-65535 written in ASCII digits, else None."""
    value = ascii_int(text)
    return value if value is not None and 0 < value < 65536 else None

"""Which HTTP statuses fail a job: given as codes (404) or classes ("5xx"), read once here and
matched by the converter against what the page and its resources answered."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.models import StatusRule

_CLASS = re.compile(r"^[1-5]xx$")
MAX_RULES = 50
#: What fails the main document when the user says nothing: every client and server error.
DEFAULT_DOCUMENT_RULES: tuple[StatusRule, ...] = ("4xx", "5xx")


def parse_status_rules(value: Any, name: str) -> tuple[StatusRule, ...]:
    """A list of codes 100-599 and classes "1xx".."5xx", without repeats; 400 naming ``options.<name>``."""
    field = f"options.{name}"
    if not isinstance(value, list) or len(value) > MAX_RULES:
        raise InvalidInput(f'{name} must be a list of at most {MAX_RULES} statuses like 404 or "5xx".', field=field)
    rules: list[StatusRule] = []
    for item in value:
        if isinstance(item, str) and _CLASS.match(item.lower()):
            rule: StatusRule = item.lower()
        elif isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 599:
            rule = item
        else:
            raise InvalidInput(
                f'{name} takes HTTP statuses from 100 to 599 or classes like "4xx"; {item!r} is neither.', field=field
            )
        if rule not in rules:
            rules.append(rule)
    return tuple(rules)


def status_matches(status: int, rules: tuple[StatusRule, ...]) -> bool:
    return any(rule == status if isinstance(rule, int) else rule[0] == str(status)[0] for rule in rules)

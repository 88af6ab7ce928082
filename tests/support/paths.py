"""Where the repository is, for tests that run its commands or read its files."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def python_version() -> str:
    """The one Python of the project (.python-version)."""
    return (REPO / ".python-version").read_text().strip()


def makefile_variable(name: str) -> str:
    found = re.search(rf"^{name} :?= *(\S+)", (REPO / "Makefile").read_text(), re.M)
    assert found, f"the Makefile sets no {name}"
    return found.group(1)

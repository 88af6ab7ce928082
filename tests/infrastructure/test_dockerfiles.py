"""The images' Dockerfiles: hadolint clean, their build contexts filtered, dependencies by hash."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.paths import REPO

DOCKERFILES = [REPO / "converter" / "Dockerfile", REPO / "frontend-build" / "Dockerfile"]


def hadolint() -> str | None:
    local = REPO / ".venv" / "bin" / "hadolint"
    return str(local) if local.exists() else shutil.which("hadolint")


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_hadolint_finds_nothing(dockerfile):
    binary = hadolint()
    if binary is None:
        pytest.skip("hadolint is not installed (requirements-dev.txt installs it on Linux x86_64)")
    result = subprocess.run([binary, "--no-color", str(dockerfile)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_build_context_admits_only_what_its_image_copies():
    for ignore in (REPO / ".dockerignore", REPO / "frontend-build" / "Dockerfile.dockerignore"):
        lines = [line for line in ignore.read_text().splitlines() if line and not line.startswith("#")]
        assert lines[0] == "*", f"{ignore.name}: an allowlist keeps .venv, .git and .local out"
    admitted = {line for line in (REPO / ".dockerignore").read_text().splitlines() if line.startswith("!")}
    assert admitted == {"!chalicelib/", "!converter/"}


def test_the_converter_image_installs_its_locked_dependencies_by_hash():
    text = DOCKERFILES[0].read_text()
    assert "--require-hashes -r /tmp/converter-requirements.lock" in text
    assert "COPY converter/requirements.lock" in text

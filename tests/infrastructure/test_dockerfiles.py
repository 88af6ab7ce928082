"""The images' Dockerfiles: hadolint clean, bases pinned by digest, contexts filtered, dependencies by hash."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

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


def base_images(dockerfile: Path) -> list[str]:
    """The images each FROM pulls; a FROM naming an earlier stage pulls nothing."""
    stages: set[str] = set()
    images = []
    for line in dockerfile.read_text().splitlines():
        match = re.match(r"FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", line.strip(), re.I)
        if match:
            if match.group(1) not in stages:
                images.append(match.group(1))
            if match.group(2):
                stages.add(match.group(2))
    return images


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_base_image_is_pinned_by_digest_beside_its_tag(dockerfile):
    images = base_images(dockerfile)
    assert images, f"{dockerfile}: no FROM found"
    for image in images:
        # The tag says what it is (and what Dependabot follows); the digest fixes the bytes.
        assert re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", image), f"{image}: pin it as name:tag@sha256:..."


def test_dependabot_keeps_every_dockerfile_current():
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text())
    watched = {
        directory
        for update in config["updates"]
        if update["package-ecosystem"] == "docker"
        for directory in update.get("directories", [update.get("directory")])
    }
    for dockerfile in DOCKERFILES:
        assert f"/{dockerfile.parent.relative_to(REPO)}" in watched, f"{dockerfile}: not watched by Dependabot"
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert "github-actions" in ecosystems, "the SHA-pinned actions need updating too"

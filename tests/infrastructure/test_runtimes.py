"""One Python, one architecture, named once: .python-version and the Makefile's LAMBDA_ARCH.

Everything that runs PagePress must agree with them: the API Function's runtime, the converter
image's base, CI's setup-python, the lock files and the venv these tests run in.
"""

from __future__ import annotations

import re
import sys

import yaml

from tests.support.paths import REPO, makefile_variable, python_version

# Lambda's Python runtimes that are neither deprecated nor about to be.
CURRENT_LAMBDA_PYTHONS = {"3.12", "3.13"}
# Lambda's name of an architecture, and the wheel platform tags' name of it.
LAMBDA_ARCHITECTURES = {"arm64": "aarch64", "x86_64": "x86_64"}


def functions() -> list[dict]:
    docs = []
    for path in sorted((REPO / "ack-manifests" / "base").glob("lambda-*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d and d["kind"] == "Function"]
    return docs


def test_the_python_is_a_current_lambda_runtime_named_in_one_place():
    assert python_version() in CURRENT_LAMBDA_PYTHONS
    assert "PYTHON_VERSION := $(shell cat .python-version)" in (REPO / "Makefile").read_text()


def test_these_tests_run_on_that_python():
    assert "{}.{}".format(*sys.version_info[:2]) == python_version(), "make test builds .venv from .python-version"


def test_the_api_function_runs_that_python_and_every_function_the_makefiles_architecture():
    arch = makefile_variable("LAMBDA_ARCH")
    by_name = {f["metadata"]["name"]: f["spec"] for f in functions()}
    assert by_name["pagepress-api"]["runtime"] == f"python{python_version()}"
    for name, spec in by_name.items():
        assert [LAMBDA_ARCHITECTURES[a] for a in spec["architectures"]] == [arch], name


def test_the_converter_image_is_built_on_that_python():
    dockerfile = (REPO / "converter" / "Dockerfile").read_text()
    bases = re.findall(r"^FROM\s+(\S+)", dockerfile, re.M)
    assert bases and all(b.startswith(f"public.ecr.aws/lambda/python:{python_version()}") for b in bases), bases


def test_ci_takes_its_python_from_the_file():
    for workflow in sorted((REPO / ".github" / "workflows").glob("*.yml")):
        text = workflow.read_text()
        assert "python-version:" not in text, f"{workflow.name}: use python-version-file: .python-version"
        for step in re.findall(r"uses: actions/setup-python@\S+(?:\n\s+#.*)*\n(\s+with:\n(?:\s{8,}.*\n)+)", text):
            assert "python-version-file: .python-version" in step, workflow.name


def test_every_lock_was_resolved_for_that_python_and_the_lambda_platform():
    arch, glibc = makefile_variable("LAMBDA_ARCH"), makefile_variable("LAMBDA_GLIBC")
    for lock, platform in (
        ("requirements.lock", f"{arch}-manylinux_{glibc}"),
        ("converter/requirements.lock", f"{arch}-manylinux_{glibc}"),
        ("requirements-dev.lock", None),
        ("requirements-proof.lock", None),
    ):
        header = (REPO / lock).read_text().split("\n", 3)[1]
        assert f"--python-version {python_version()}" in header, lock
        assert (f"--python-platform {platform}" in header) if platform else ("--universal" in header), lock


def pins(path) -> dict[str, str]:
    """name -> version of every `name==version` line, following `-r` includes."""
    found = {}
    for line in (REPO / path).read_text().splitlines():
        line = line.split("#")[0].split(";")[0].strip()
        if line.startswith("-r "):
            found.update(pins((REPO / path).parent.relative_to(REPO) / line[3:].strip()))
        elif "==" in line:
            name, version = line.rstrip(" \\").split("==")
            found[re.sub(r"[-_.]+", "-", re.sub(r"\[.*\]", "", name)).lower()] = version.strip()
    return found


def test_every_lock_pins_what_its_requirements_say_with_hashes():
    for source, lock in (
        ("requirements.txt", "requirements.lock"),
        ("converter/requirements.txt", "converter/requirements.lock"),
        ("requirements-dev.txt", "requirements-dev.lock"),
        ("requirements-proof.txt", "requirements-proof.lock"),
    ):
        locked = pins(lock)
        for name, version in pins(source).items():
            assert locked.get(name) == version, f"{lock} is stale for {name}: make lock"
        text = (REPO / lock).read_text()
        requirements = re.findall(r"^\S+==.*$", text, re.M)
        hashed = re.findall(r"^\S+==[^\n]* \\\n\s+--hash=sha256:[0-9a-f]{64}", text, re.M)
        assert requirements and len(hashed) == len(requirements), f"{lock}: a pin without hashes"

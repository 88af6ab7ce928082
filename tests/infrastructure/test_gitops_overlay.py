"""scripts/gitops_overlay.py: what CI writes into the GitOps tree, on a copy of ack-manifests/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from scripts.gitops_overlay import artefacts, branch, promote, release, set_api_id
from tests.support.kustomize import render
from tests.support.manifests import OVERLAYS, one, overlay_account_region
from tests.support.paths import REPO

CONVERTER = "sha256:" + "c" * 64
FRONTEND = "sha256:" + "f" * 64
SHA256 = "q8v0T1p0Yx3F0rY7oZ3hQ1cZkq3cXH6m0mJm3Qy0oEw="
KEY = "api/" + "a" * 40 + ".zip"


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(REPO / "ack-manifests", tmp_path / "ack-manifests")
    return tmp_path / "ack-manifests" / "overlays"


def test_the_gitops_branch_follows_from_the_overlays_argo_cd_application():
    assert [branch(env) for env in OVERLAYS] == list(OVERLAYS)
    with pytest.raises(SystemExit):
        branch("staging")


def test_a_release_writes_digests_key_and_sha_into_the_overlay_and_keeps_its_comments(tree):
    comment = (tree / "dev" / "patches" / "function-api.yaml").read_text().splitlines()[0]
    release(tree / "dev", CONVERTER, FRONTEND, KEY, SHA256)
    account, region = overlay_account_region("dev")
    registry = f"{account}.dkr.ecr.{region}.amazonaws.com"
    docs = render(tree / "dev")
    for name in ("pagepress-converter", "pagepress-dead-letter"):
        assert one(docs, "Function", name)["spec"]["code"]["imageURI"] == f"{registry}/pagepress-converter@{CONVERTER}"
    api = one(docs, "Function", "pagepress-api")["spec"]["code"]
    assert (api["s3Key"], api["sha256"]) == (KEY, SHA256)
    assert one(docs, "Function", "pagepress-migrate")["spec"]["code"] == api, "the migrations of the code it runs"
    image = one(docs, "Deployment", "pagepress-frontend")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"{registry}/pagepress-frontend@{FRONTEND}"
    assert (tree / "dev" / "patches" / "function-api.yaml").read_text().splitlines()[0] == comment
    with pytest.raises(SystemExit):
        release(tree / "dev", "latest", FRONTEND, KEY, SHA256)


def test_promotion_writes_what_dev_runs_into_prod_and_lists_the_copies_between_accounts(tree):
    release(tree / "dev", CONVERTER, FRONTEND, KEY, SHA256)
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "gitops_overlay.py"), "promote", str(tree / "dev"), str(tree / "prod")],
        capture_output=True,
        text=True,
        check=True,
    )
    copies = json.loads(result.stdout)
    dev, prod = artefacts(tree / "dev"), artefacts(tree / "prod")
    for field in ("api_key", "api_sha256"):
        assert prod[field] == dev[field]
    for image in ("converter", "frontend"):
        assert prod[image].split("@")[1] == dev[image].split("@")[1], "the same digest: nothing rebuilt"
        assert prod[image].startswith(overlay_account_region("prod")[0] + ".dkr.ecr.")
    assert copies["images"] == [
        {"from": dev["converter"], "to": prod["converter"]},
        {"from": dev["frontend"], "to": prod["frontend"]},
    ]
    assert copies["zip"] == {
        "from": f"s3://{dev['api_bucket']}/{KEY}",
        "to": f"s3://{prod['api_bucket']}/{KEY}",
        "sha256": SHA256,
    }
    assert promote(tree / "dev", tree / "prod") == copies, "promoting twice changes nothing"


def test_the_api_id_reaches_the_spa_proxy_upstream_and_narrows_the_invoke_permission(tree):
    set_api_id(tree / "prod", "a1b2c3d4e5")
    docs = render(tree / "prod")
    _, region = overlay_account_region("prod")
    host = f"a1b2c3d4e5.execute-api.{region}.amazonaws.com"
    (container,) = one(docs, "Deployment", "pagepress-frontend")["spec"]["template"]["spec"]["containers"]
    assert {"name": "API_UPSTREAM", "value": host} in container["env"], "in the pod template: a new host rolls the pods"
    metrics = one(docs, "MetricAlarm", "pagepress-api-5xx")["spec"]["metrics"]
    assert {d["value"] for m in metrics[:2] for d in m["metricStat"]["metric"]["dimensions"]} == {"a1b2c3d4e5"}
    (permission,) = one(docs, "Alias", "pagepress-api-live")["spec"]["permissions"]
    assert ":a1b2c3d4e5/" in permission["sourceARN"] and permission["sourceARN"].endswith("/api/v1/*")
    with pytest.raises(SystemExit):
        set_api_id(tree / "prod", "../../etc")

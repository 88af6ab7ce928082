"""Where the deployment manifests are, and lookups the manifest tests share."""

from __future__ import annotations

from tests.support.kustomize import key, load_docs
from tests.support.paths import REPO

MANIFESTS = REPO / "ack-manifests"
BASE = MANIFESTS / "base"
OVERLAYS = ("dev", "prod")


def one(docs: list[dict], kind: str, name: str) -> dict:
    found = [d for d in docs if key(d) == (kind, name)]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def of_kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def application(env: str) -> dict:
    apps = [d for d in load_docs(MANIFESTS / "argocd" / "applications.yaml") if d["kind"] == "Application"]
    return next(a for a in apps if a["spec"]["source"]["path"].endswith(f"overlays/{env}"))


def overlay_account_region(env: str) -> tuple[str, str]:
    ann = application(env)["spec"]["syncPolicy"]["managedNamespaceMetadata"]["annotations"]
    return ann["services.k8s.aws/owner-account-id"], ann["services.k8s.aws/default-region"]

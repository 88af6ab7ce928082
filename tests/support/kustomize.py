"""A small kustomize in pure Python, for the manifest tests.

ack-manifests/ is only ever read by kustomize and Argo CD; CI has no kubectl, so the tests
render each overlay with this subset (resources, patches by kind and name, namespace,
commonAnnotations, images): enough for the features our kustomizations use, and it fails
loudly on any other field. Where ``kubectl`` is installed, tests/infrastructure/test_manifests.py
checks that this renders what ``kubectl kustomize`` renders.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

# Built-in kinds get kustomize's strategic merge (lists of named items merge by
# name); custom resources have no merge keys, so kustomize replaces their lists.
BUILTIN_API_VERSIONS = {"v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1"}
# Kinds whose pod template kustomize's commonAnnotations reach as well.
WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"})
SUPPORTED_KUSTOMIZATION_FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "patches",
    "namespace",
    "commonAnnotations",
    "images",
}


def load_docs(path: Path) -> list[dict]:
    with path.open() as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def key(doc: dict) -> tuple[str, str]:
    return doc["kind"], doc["metadata"]["name"]


def merge(target: Any, patch: Any, strategic: bool) -> Any:
    if not isinstance(target, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif k in out and isinstance(out[k], dict) and isinstance(v, dict):
            out[k] = merge(out[k], v, strategic)
        elif (
            strategic
            and k in out
            and isinstance(out[k], list)
            and isinstance(v, list)
            and all(isinstance(i, dict) and "name" in i for i in out[k] + v)
        ):
            by_name = {i["name"]: i for i in out[k]}
            merged = [merge(by_name[i["name"]], i, strategic) if i["name"] in by_name else i for i in v]
            patched = {i["name"] for i in v}
            out[k] = merged + [i for i in out[k] if i["name"] not in patched]  # kustomize: the patch's items first
        else:
            out[k] = copy.deepcopy(v)
    return out


def kustomization(directory: Path) -> dict:
    path = directory / "kustomization.yaml"
    assert path.is_file(), f"{directory} has no kustomization.yaml"
    k = load_docs(path)[0]
    unknown = set(k) - SUPPORTED_KUSTOMIZATION_FIELDS
    assert not unknown, f"{path}: the test renderer does not implement {sorted(unknown)}; extend it"
    return k


def render(directory: Path) -> list[dict]:
    k = kustomization(directory)
    docs: list[dict] = []
    for entry in k.get("resources", []):
        target = (directory / entry).resolve()
        assert target.exists(), f"{directory}/kustomization.yaml: resource {entry} does not exist"
        docs.extend(render(target) if target.is_dir() else load_docs(target))
    index = {key(d): d for d in docs}
    assert len(index) == len(docs), f"{directory}: two resources share a kind and name"
    for entry in k.get("patches", []):
        assert set(entry) == {"path"}, f"{directory}: only `patches: - path:` is supported, got {entry}"
        ppath = directory / entry["path"]
        assert ppath.is_file(), f"{directory}/kustomization.yaml: patch {entry['path']} does not exist"
        pdocs = load_docs(ppath)
        assert len(pdocs) == 1, f"{ppath}: one patch per file"
        patch = pdocs[0]
        assert key(patch) in index, f"{ppath}: targets {key(patch)}, which base does not define"
        base_doc = index[key(patch)]
        assert patch["apiVersion"] == base_doc["apiVersion"], f"{ppath}: apiVersion differs from base"
        merged = merge(base_doc, patch, patch["apiVersion"] in BUILTIN_API_VERSIONS)
        base_doc.clear()
        base_doc.update(merged)
    for d in docs:
        if "namespace" in k:
            d["metadata"]["namespace"] = k["namespace"]
        if "commonAnnotations" in k:
            d["metadata"].setdefault("annotations", {}).update(k["commonAnnotations"])
            if d["kind"] in WORKLOADS:  # kustomize annotates the pods a workload makes, too
                template = d["spec"]["template"].setdefault("metadata", {})
                template.setdefault("annotations", {}).update(k["commonAnnotations"])
        for image in k.get("images", []):
            for c in _containers(d):
                if c["image"].split("@")[0].split(":")[0] == image["name"]:
                    ref = image.get("newName", image["name"])
                    if "digest" in image:
                        ref += "@" + image["digest"]
                    elif "newTag" in image:
                        ref += ":" + image["newTag"]
                    c["image"] = ref
    return docs


def _containers(doc: dict) -> list[dict]:
    if doc["kind"] != "Deployment":
        return []
    spec = doc["spec"]["template"]["spec"]
    return spec.get("containers", []) + spec.get("initContainers", [])

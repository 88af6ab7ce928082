"""Validate rendered Kubernetes manifests against the CRDs of the controllers that serve them.

Kubernetes silently drops a field its CRD does not know, so a misspelt ACK field deploys as
"nothing". Here every custom resource must match its kind's openAPIV3Schema, with one rule
stricter than the API server: an object that lists its properties admits no others (unless
it says x-kubernetes-preserve-unknown-fields). Built-in kinds are left to the API server.

    python scripts/validate_manifests.py --crds DIR rendered.yaml   # or - for stdin
DIR holds the CRD files, one folder per controller (ack-manifests/crd-sources.txt names them).
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import jsonschema
import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Groups the API server itself serves (no CRD to check against).
BUILTIN_GROUPS = {"", "apps", "autoscaling", "policy", "networking.k8s.io", "batch", "rbac.authorization.k8s.io"}


def _strict(schema: dict) -> dict:
    """The schema with additionalProperties false wherever properties are listed."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if (
                "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def crd_schemas(crd_dir: Path, folders: Iterable[str] | None = None) -> dict[tuple[str, str, str], dict]:
    """(group, version, kind) -> the strict schema of that custom resource (of those folders only)."""
    schemas = {}
    paths = [p for folder in folders for p in (crd_dir / folder).glob("*.y*ml")] if folders else crd_dir.rglob("*.y*ml")
    for path in sorted(paths):
        for doc in yaml.load_all(path.read_text(), Loader=_LOADER):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = doc["spec"]["group"], doc["spec"]["names"]["kind"]
            for version in doc["spec"]["versions"]:
                schema = version["schema"]["openAPIV3Schema"]
                # metadata is the API server's; only what the resource itself declares is checked here
                schema.setdefault("properties", {})["metadata"] = {"type": "object"}
                schemas[(group, version["name"], kind)] = _strict(schema)
    return schemas


def group_version(doc: dict) -> tuple[str, str]:
    group, _, version = doc["apiVersion"].rpartition("/")
    return group, version


def errors(docs: Iterable[dict], schemas: dict[tuple[str, str, str], dict]) -> Iterator[str]:
    for doc in docs:
        group, version = group_version(doc)
        if group in BUILTIN_GROUPS:
            continue
        name = f"{doc['kind']}/{doc.get('metadata', {}).get('name')} ({doc['apiVersion']})"
        schema = schemas.get((group, version, doc["kind"]))
        if schema is None:
            yield f"{name}: no CRD for this group, version and kind"
            continue
        for error in jsonschema.Draft7Validator(schema).iter_errors(doc):
            where = ".".join(str(p) for p in error.absolute_path) or "(top)"
            yield f"{name}: {where}: {error.message}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crds", type=Path, required=True)
    parser.add_argument("manifests", help="a YAML stream, or - for stdin")
    args = parser.parse_args(argv)
    text = sys.stdin.read() if args.manifests == "-" else Path(args.manifests).read_text()
    docs = [d for d in yaml.safe_load_all(text) if d]
    found = list(errors(docs, crd_schemas(args.crds)))
    for line in found:
        print(line, file=sys.stderr)
    print(f"validate_manifests: {len(docs)} resources, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

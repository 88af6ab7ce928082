"""Every custom resource we deploy matches its controller's CRD, field name for field name.

The CRDs are not part of this repository: they are read from ../shared/crds (or $PAGEPRESS_CRDS),
one folder per controller at the release ack-manifests/crd-sources.txt names; CI fetches the same
with scripts/fetch-crds. Without them these tests skip, saying so.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path

import pytest
import yaml

from scripts.validate_manifests import crd_schemas, errors, group_version
from tests.support.kustomize import load_docs, render
from tests.support.manifests import BASE, MANIFESTS, OVERLAYS
from tests.support.paths import REPO

CRDS = Path(os.environ.get("PAGEPRESS_CRDS", REPO.parent / "shared" / "crds"))
SOURCES = MANIFESTS / "crd-sources.txt"

pytestmark = pytest.mark.skipif(
    not CRDS.is_dir(), reason=f"no CRDs at {CRDS}: set PAGEPRESS_CRDS, or fetch them with scripts/fetch-crds DIR"
)


def sources(path: Path) -> dict[str, str]:
    """folder -> tag, from crd-sources.txt or the CRD directory's own SOURCES.txt."""
    found = {}
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) >= 3 and not line.startswith("#") and cells[2].startswith("v"):
            found[cells[0]] = cells[2]
    return found


@pytest.fixture(scope="module")
def schemas():
    return crd_schemas(CRDS, sources(SOURCES))


@functools.cache
def deployed() -> dict[str, list[dict]]:
    trees = {"base": render(BASE)} | {env: render(MANIFESTS / "overlays" / env) for env in OVERLAYS}
    trees["argocd"] = [
        d for f in sorted((MANIFESTS / "argocd").glob("*.yaml")) if f.name != "kustomization.yaml" for d in load_docs(f)
    ]
    return trees


@pytest.mark.parametrize("tree", ["base", *OVERLAYS, "argocd"])
def test_every_custom_resource_matches_its_crd(tree, schemas):
    problems = list(errors(deployed()[tree], schemas))
    assert not problems, "\n".join(problems)


def test_each_controller_is_named_at_the_release_we_validate_against(schemas):
    named = sources(SOURCES)
    on_disk = sources(CRDS / "SOURCES.txt") if (CRDS / "SOURCES.txt").is_file() else {}
    for folder, tag in named.items():
        assert (CRDS / folder).is_dir(), f"{folder} is named in crd-sources.txt but not in {CRDS}"
        if on_disk:
            assert on_disk[folder] == tag, f"{folder}: crd-sources.txt says {tag}, the CRDs are {on_disk[folder]}"
    served = {}
    for folder in named:
        for path in (CRDS / folder).glob("*.y*ml"):
            for doc in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
                if doc and doc.get("kind") == "CustomResourceDefinition":
                    served[doc["spec"]["group"]] = folder
    for docs in deployed().values():
        for doc in docs:
            group, _ = group_version(doc)
            if "." in group and not group.endswith("k8s.io"):
                assert group in served, f"{doc['kind']} ({group}): its controller is not in crd-sources.txt"


def test_a_misspelt_field_is_caught(schemas):
    function = copy.deepcopy(next(d for d in render(BASE) if d["kind"] == "Function"))
    function["spec"]["memorysize"] = function["spec"].pop("memorySize")
    (problem,) = errors([function], schemas)
    assert "'memorysize' was unexpected" in problem

"""Write a release into an overlay of the GitOps tree, or promote what one overlay runs to another.

Edits keep the files' comments (ruamel.yaml). The registry and bucket of each overlay are the
ones already in it (its own account), so a release names only digests, keys and checksums:

    gitops_overlay.py branch OVERLAY                         # the GitOps branch Argo CD syncs it from
    gitops_overlay.py release OVERLAY_DIR --converter-digest D --frontend-digest D
                                          --api-key K --api-sha256 B64 [--api-id ID]
    gitops_overlay.py promote FROM_DIR TO_DIR [--api-id ID]  # prints the copies to make, as JSON
    gitops_overlay.py set-api-id OVERLAY_DIR ID

Promotion writes the very artefacts FROM runs (image digests, zip key and sha256) into TO:
nothing is rebuilt; the JSON lists the image and zip copies from FROM's account to TO's.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
APPLICATIONS = ROOT / "ack-manifests" / "argocd" / "applications.yaml"
IMAGE_FUNCTIONS = ("function-converter.yaml", "function-dead-letter.yaml", "function-webhooks.yaml")
# The API zip runs as the API and as the migrate Function (its handler chalicelib.migrate.handler).
ZIP_FUNCTIONS = ("function-api.yaml", "function-migrate.yaml")
PENDING_API_HOST = re.compile(r"^[a-z0-9-]+\.execute-api\.")

_yaml = YAML()
_yaml.preserve_quotes = True
_yaml.width = 4096


def load(path: Path):
    return _yaml.load(path.read_text())


def dump(path: Path, data) -> None:
    with path.open("w") as f:
        _yaml.dump(data, f)


def branch(overlay: str) -> str:
    """The targetRevision of the Argo CD Application that syncs ack-manifests/overlays/OVERLAY."""
    for app in _yaml.load_all(APPLICATIONS.read_text()):
        if (
            app
            and app.get("kind") == "Application"
            and app["spec"]["source"]["path"] == f"ack-manifests/overlays/{overlay}"
        ):
            return str(app["spec"]["source"]["targetRevision"])
    raise SystemExit(f"no Argo CD Application syncs ack-manifests/overlays/{overlay}")


def artefacts(overlay: Path) -> dict:
    """What an overlay runs: image references by digest, the API zip's location and sha256."""
    converter = load(overlay / "patches" / IMAGE_FUNCTIONS[0])["spec"]["code"]["imageURI"]
    frontend = next(i for i in load(overlay / "kustomization.yaml")["images"] if i["name"] == "pagepress-frontend")
    api = load(overlay / "patches" / "function-api.yaml")["spec"]["code"]
    return {
        "converter": str(converter),
        "frontend": f"{frontend['newName']}@{frontend['digest']}",
        "api_bucket": str(api["s3Bucket"]),
        "api_key": str(api["s3Key"]),
        "api_sha256": str(api["sha256"]),
    }


def release(overlay: Path, converter_digest: str, frontend_digest: str, api_key: str, api_sha256: str) -> None:
    for digest in (converter_digest, frontend_digest):
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            raise SystemExit(f"not an image digest: {digest!r}")
    for name in IMAGE_FUNCTIONS:
        path = overlay / "patches" / name
        doc = load(path)
        repository = str(doc["spec"]["code"]["imageURI"]).split("@")[0].split(":")[0]
        doc["spec"]["code"]["imageURI"] = f"{repository}@{converter_digest}"
        dump(path, doc)
    path = overlay / "kustomization.yaml"
    doc = load(path)
    image = next(i for i in doc["images"] if i["name"] == "pagepress-frontend")
    image["digest"] = frontend_digest
    image.pop("newTag", None)
    dump(path, doc)
    for name in ZIP_FUNCTIONS:
        path = overlay / "patches" / name
        doc = load(path)
        doc["spec"]["code"]["s3Key"] = api_key
        doc["spec"]["code"]["sha256"] = api_sha256
        dump(path, doc)


def set_api_id(overlay: Path, api_id: str) -> None:
    """Name the API Gateway the SPA's nginx forwards /api/ to and the 5xx alarm watches; narrow the permission."""
    if not re.fullmatch(r"[a-z0-9]{10}", api_id):
        raise SystemExit(f"not an API Gateway id: {api_id!r}")
    upstream_path = overlay / "patches" / "frontend-api-upstream.yaml"
    upstream = load(upstream_path)
    (container,) = upstream["spec"]["template"]["spec"]["containers"]
    (variable,) = [v for v in container["env"] if v["name"] == "API_UPSTREAM"]
    variable["value"] = PENDING_API_HOST.sub(f"{api_id}.execute-api.", str(variable["value"]))
    dump(upstream_path, upstream)
    alarm_path = overlay / "patches" / "alarm-api-5xx.yaml"
    alarm = load(alarm_path)
    for metric in alarm["spec"]["metrics"]:
        for dimension in metric.get("metricStat", {}).get("metric", {}).get("dimensions", []):
            if dimension["name"] == "ApiId":
                dimension["value"] = api_id
    dump(alarm_path, alarm)
    alias_path = overlay / "patches" / "alias-api-live.yaml"
    alias = load(alias_path)
    permission = alias["spec"]["permissions"][0]
    permission["sourceARN"] = re.sub(r":(\*|[a-z0-9]{10})/", f":{api_id}/", str(permission["sourceARN"]), count=1)
    dump(alias_path, alias)


def promote(source: Path, target: Path) -> dict:
    """Write what SOURCE runs into TARGET; return the copies that put those artefacts in TARGET's account."""
    runs, before = artefacts(source), artefacts(target)
    converter_digest = runs["converter"].split("@")[1]
    frontend_digest = runs["frontend"].split("@")[1]
    release(target, converter_digest, frontend_digest, runs["api_key"], runs["api_sha256"])
    after = artefacts(target)
    return {
        "images": [
            {"from": runs["converter"], "to": after["converter"]},
            {"from": runs["frontend"], "to": after["frontend"]},
        ],
        "zip": {
            "from": f"s3://{runs['api_bucket']}/{runs['api_key']}",
            "to": f"s3://{before['api_bucket']}/{runs['api_key']}",
            "sha256": runs["api_sha256"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("branch").add_argument("overlay")
    rel = commands.add_parser("release")
    rel.add_argument("overlay", type=Path)
    for option in ("--converter-digest", "--frontend-digest", "--api-key", "--api-sha256"):
        rel.add_argument(option, required=True)
    api = commands.add_parser("set-api-id")
    api.add_argument("overlay", type=Path)
    api.add_argument("api_id")
    pro = commands.add_parser("promote")
    pro.add_argument("source", type=Path)
    pro.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    if args.command == "branch":
        print(branch(args.overlay))
    elif args.command == "release":
        release(args.overlay, args.converter_digest, args.frontend_digest, args.api_key, args.api_sha256)
    elif args.command == "set-api-id":
        set_api_id(args.overlay, args.api_id)
    else:
        print(json.dumps(promote(args.source, args.target)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

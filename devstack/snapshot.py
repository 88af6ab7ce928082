"""moto keeps state in memory; this saves the bucket and the table to DATA_DIR and restores them.

Queued messages are not saved: the index is the record of every unfinished job, so after a
restart each pending or processing entry is queued again (the converter is idempotent, so
a job queued twice still yields one PDF and one entry).

A save copies the objects first and scans the table second, so a save that is cut short
(a hard kill) can record a ``ready`` entry whose PDF it never copied. ``restore`` puts such
an entry back to ``pending``: the stack then queues it again and the PDF is rendered anew,
instead of the entry staying ``ready`` with a download that 404s.

Users' holdings summaries are not restored as saved (the scan reads them at another moment than
the file items, and a restore may put entries back to ``pending``): they are counted afresh from
the restored file items.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from chalicelib.adapters.dynamodb_holdings import HOLDINGS_SK, summary_items
from chalicelib.domain.models import FileStatus, object_key

_FILE_PREFIX = "file#"
_STATE_FILE = "aws-state.json"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class Snapshotter:
    def __init__(self, directory: Path, s3: Any, dynamodb: Any, bucket: str, table: str) -> None:
        self._dir = directory
        self._objects = directory / "s3"
        self._s3 = s3
        self._dynamodb = dynamodb
        self._bucket = bucket
        self._table = table
        # The periodic save and the final one in LocalStack.stop() may overlap; both write the
        # same temporary files and prune the same directory, so one save runs at a time.
        self._save_lock = threading.Lock()

    def save(self) -> dict[str, int]:
        with self._save_lock:
            manifest = self._save_objects()
            items = self._scan_items()
            _write_atomically(self._dir / _STATE_FILE, json.dumps({"objects": manifest, "items": items}).encode())
            return {"objects": len(manifest), "items": len(items)}

    def restore(self) -> dict[str, int]:
        state_path = self._dir / _STATE_FILE
        if not state_path.exists():
            return {"objects": 0, "items": 0, "ready_without_pdf": 0}
        state = json.loads(state_path.read_text())
        restored: set[str] = set()
        for key, meta in state["objects"].items():
            stored = self._objects / meta["file"]
            if not stored.exists():  # a save interrupted mid-way; the next save rewrites the manifest
                continue
            body = stored.read_bytes()
            restored.add(key)
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=body,
                ContentType=meta["content_type"],
                Metadata=meta["metadata"],
                ServerSideEncryption="AES256",
            )
        requeued = 0
        files: list[dict] = []
        for item in state["items"]:
            if item["sk"]["S"] == HOLDINGS_SK:
                continue
            if _ready_without_pdf(item, restored):
                item = {**item, "status": {"S": FileStatus.PENDING.value}}
                requeued += 1
            if item["sk"]["S"].startswith(_FILE_PREFIX):
                files.append(item)
            self._dynamodb.put_item(TableName=self._table, Item=item)
        for summary in summary_items(files):
            self._dynamodb.put_item(TableName=self._table, Item=summary)
        return {"objects": len(restored), "items": len(state["items"]), "ready_without_pdf": requeued}

    def _save_objects(self) -> dict[str, dict]:
        previous = self._previous_manifest()
        manifest: dict[str, dict] = {}
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket):
            for summary in page.get("Contents", []):
                key, etag = summary["Key"], summary["ETag"]
                known = previous.get(key)
                if known and known["etag"] == etag and (self._objects / known["file"]).exists():
                    manifest[key] = known
                    continue
                response = self._s3.get_object(Bucket=self._bucket, Key=key)
                file_name = key.replace("/", "__")
                _write_atomically(self._objects / file_name, response["Body"].read())
                manifest[key] = {
                    "file": file_name,
                    "etag": etag,
                    "metadata": response.get("Metadata", {}),
                    "content_type": response.get("ContentType", "application/octet-stream"),
                }
        kept = {meta["file"] for meta in manifest.values()}
        if self._objects.exists():
            for stale in self._objects.iterdir():
                if stale.name not in kept:
                    stale.unlink()
        return manifest

    def _previous_manifest(self) -> dict[str, dict]:
        state_path = self._dir / _STATE_FILE
        return json.loads(state_path.read_text())["objects"] if state_path.exists() else {}

    def _scan_items(self) -> list[dict]:
        items: list[dict] = []
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=self._table, ConsistentRead=True):
            items.extend(page.get("Items", []))
        return items


def _ready_without_pdf(item: dict, restored_keys: set[str]) -> bool:
    """A file entry the index calls ready whose PDF is not among the restored objects."""
    if not item.get("sk", {}).get("S", "").startswith(_FILE_PREFIX):
        return False
    if item.get("status", {}).get("S") != FileStatus.READY.value:
        return False
    output = json.loads(item.get("options", {}).get("S") or "{}").get("output", "pdf")
    return object_key(item["user_id"]["S"], item["file_id"]["S"], output) not in restored_keys

"""moto keeps state in memory; this saves the bucket and the table to DATA_DIR and restores them.

Queued messages are not saved: the index is the record of every unfinished job, so after a
restart each pending or processing entry is queued again (the converter is idempotent, so
a job queued twice still yields one PDF and one entry).
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

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
            return {"objects": 0, "items": 0}
        state = json.loads(state_path.read_text())
        restored = 0
        for key, meta in state["objects"].items():
            stored = self._objects / meta["file"]
            if not stored.exists():  # a save interrupted mid-way; the next save rewrites the manifest
                continue
            body = stored.read_bytes()
            restored += 1
            self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=meta["content_type"],
                                Metadata=meta["metadata"], ServerSideEncryption="AES256")
        for item in state["items"]:
            self._dynamodb.put_item(TableName=self._table, Item=item)
        return {"objects": restored, "items": len(state["items"])}

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
                manifest[key] = {"file": file_name, "etag": etag, "metadata": response.get("Metadata", {}),
                                 "content_type": response.get("ContentType", "application/octet-stream")}
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

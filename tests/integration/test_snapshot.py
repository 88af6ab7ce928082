"""devstack's snapshots of moto's bucket and table, against moto's server with real boto3 clients."""

from __future__ import annotations

import json
import threading
import time

import pytest

from chalicelib.adapters.dynamodb_holdings import holdings_key
from chalicelib.adapters.dynamodb_usage import DynamoUsageLedger
from chalicelib.domain.ports import Holdings
from devstack.snapshot import Snapshotter

USER = "user-1"


def file_item(file_id: str, status: str, **extra: dict) -> dict:
    return {
        "user_id": {"S": USER},
        "sk": {"S": f"file#{file_id}"},
        "file_id": {"S": file_id},
        "status": {"S": status},
        "url": {"S": f"https://example.com/{file_id}"},
        **extra,
    }


def pdf_key(file_id: str) -> str:
    return f"users/{USER}/{file_id}.pdf"


@pytest.fixture
def aws(moto_aws, make_settings):
    """A bucket and a table of their own, and a way to make fresh ones to restore into."""

    class Aws:
        def __init__(self) -> None:
            self.settings = make_settings()
            region = self.settings.aws_region
            self.s3 = moto_aws.client("s3", region)
            self.dynamodb = moto_aws.client("dynamodb", region)

        def snapshotter(self, directory, settings=None) -> Snapshotter:
            settings = settings or self.settings
            return Snapshotter(directory, self.s3, self.dynamodb, settings.files_bucket, settings.files_table)

        def put_pdf(self, settings, file_id: str) -> None:
            self.s3.put_object(
                Bucket=settings.files_bucket,
                Key=pdf_key(file_id),
                Body=b"%PDF-1.7 " + file_id.encode(),
                ContentType="application/pdf",
            )

        def item(self, settings, file_id: str) -> dict:
            return self.dynamodb.get_item(
                TableName=settings.files_table,
                ConsistentRead=True,
                Key={"user_id": {"S": USER}, "sk": {"S": f"file#{file_id}"}},
            )["Item"]

        def keys(self, settings) -> set[str]:
            listed = self.s3.list_objects_v2(Bucket=settings.files_bucket).get("Contents", [])
            return {o["Key"] for o in listed}

    return Aws()


def test_a_ready_entry_whose_pdf_the_save_missed_comes_back_pending(aws, make_settings, tmp_path):
    """Objects are copied before the table is scanned: a job that finishes in between is saved
    `ready` without its PDF. Restored, it must be unfinished again so the stack re-queues it."""
    settings = aws.settings
    aws.put_pdf(settings, "done")
    aws.dynamodb.put_item(
        TableName=settings.files_table, Item=file_item("done", "ready", title={"S": "Done"}, size_bytes={"N": "9"})
    )
    aws.dynamodb.put_item(TableName=settings.files_table, Item=file_item("late", "processing"))
    aws.dynamodb.put_item(
        TableName=settings.files_table,
        Item={"user_id": {"S": USER}, "sk": {"S": "idem#abc"}, "file_id": {"S": "late"}, "status": {"S": "ready"}},
    )  # not a file entry: never touched
    aws.dynamodb.put_item(  # the holdings as they are once "late" is ready, as the scan reads them
        TableName=settings.files_table,
        Item={**holdings_key(USER), "unfinished": {"N": "0"}, "stored_bytes": {"N": "18"}, "files": {"N": "2"}},
    )
    snapshotter = aws.snapshotter(tmp_path)

    save_objects = snapshotter._save_objects

    def objects_then_the_converter_finishes():
        manifest = save_objects()
        aws.put_pdf(settings, "late")  # the converter writes the PDF and marks the entry ready
        aws.dynamodb.put_item(
            TableName=settings.files_table, Item=file_item("late", "ready", title={"S": "Late"}, size_bytes={"N": "9"})
        )
        return manifest

    snapshotter._save_objects = objects_then_the_converter_finishes
    assert snapshotter.save() == {"objects": 1, "items": 4}  # the hard kill: no later save fixes it

    fresh = make_settings()
    restored = aws.snapshotter(tmp_path, fresh).restore()

    assert restored == {"objects": 1, "items": 4, "ready_without_pdf": 1}
    assert aws.keys(fresh) == {pdf_key("done")}
    assert aws.item(fresh, "done")["status"] == {"S": "ready"}
    late = aws.item(fresh, "late")
    assert late["status"] == {"S": "pending"}
    assert late["title"] == {"S": "Late"}  # only the status changes; the next render overwrites the rest
    idem = aws.dynamodb.get_item(TableName=fresh.files_table, Key={"user_id": {"S": USER}, "sk": {"S": "idem#abc"}})[
        "Item"
    ]
    assert idem["status"] == {"S": "ready"}
    # Counted afresh from what was restored: "late" is unfinished again and holds no bytes.
    assert DynamoUsageLedger(aws.dynamodb, fresh.files_table).holdings(USER) == Holdings(1, 9, 2)


def test_a_consistent_save_restores_ready_entries_as_ready(aws, make_settings, tmp_path):
    settings = aws.settings
    for file_id in ("a", "b"):
        aws.put_pdf(settings, file_id)
        aws.dynamodb.put_item(TableName=settings.files_table, Item=file_item(file_id, "ready"))
    aws.dynamodb.put_item(TableName=settings.files_table, Item=file_item("c", "failed"))
    aws.snapshotter(tmp_path).save()

    fresh = make_settings()
    assert aws.snapshotter(tmp_path, fresh).restore() == {"objects": 2, "items": 3, "ready_without_pdf": 0}
    assert {f: aws.item(fresh, f)["status"]["S"] for f in "abc"} == {"a": "ready", "b": "ready", "c": "failed"}
    assert aws.keys(fresh) == {pdf_key("a"), pdf_key("b")}


def test_two_saves_at_once_both_succeed_one_after_the_other(aws, make_settings, tmp_path):
    """The periodic save and the final save of stop() may overlap; they write the same files."""
    settings = aws.settings
    file_ids = [f"f{i:02d}" for i in range(20)]
    for file_id in file_ids:
        aws.put_pdf(settings, file_id)
        aws.dynamodb.put_item(TableName=settings.files_table, Item=file_item(file_id, "ready"))
    snapshotter = aws.snapshotter(tmp_path)

    active, overlapped = [0], []
    guard = threading.Lock()
    save_objects = snapshotter._save_objects

    def watched_save_objects():
        with guard:
            active[0] += 1
            overlapped.append(active[0] > 1)
        try:
            time.sleep(0.2)  # widen the window a second save would race through
            return save_objects()
        finally:
            with guard:
                active[0] -= 1

    snapshotter._save_objects = watched_save_objects
    start = threading.Barrier(2)
    results, errors = [], []

    def save():
        start.wait()
        try:
            results.append(snapshotter.save())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert results == [{"objects": 20, "items": 20}] * 2
    assert overlapped == [False, False], "the two saves ran at the same time"
    assert not list(tmp_path.rglob("*.tmp"))
    state = json.loads((tmp_path / "aws-state.json").read_text())
    assert set(state["objects"]) == {pdf_key(f) for f in file_ids}

    fresh = make_settings()
    assert aws.snapshotter(tmp_path, fresh).restore() == {"objects": 20, "items": 20, "ready_without_pdf": 0}


def test_stop_lets_a_periodic_save_in_flight_end_before_the_final_save(tmp_path):
    """LocalStack.stop() joins the snapshot thread, so the final save never overlaps it."""
    from chalicelib.config import LocalStackSettings
    from devstack.stack import LocalStack

    class RecordingSnapshotter:
        def __init__(self) -> None:
            self.events: list[str] = []
            self.periodic_started = threading.Event()

        def save(self) -> dict[str, int]:
            periodic = threading.current_thread().name == "snapshots"
            self.events.append("start periodic" if periodic else "start final")
            if periodic:
                self.periodic_started.set()
                time.sleep(0.3)
            self.events.append("end periodic" if periodic else "end final")
            return {"objects": 0, "items": 0}

    stack = LocalStack(LocalStackSettings(data_dir=str(tmp_path), snapshot_interval_seconds=0.01))
    snapshotter = stack._snapshotter = RecordingSnapshotter()  # type: ignore[assignment]  # records, saves nothing
    stack._snapshot_thread = threading.Thread(target=stack._snapshot_periodically, name="snapshots", daemon=True)
    stack._snapshot_thread.start()
    assert snapshotter.periodic_started.wait(5)

    stack.stop()

    assert not stack._snapshot_thread.is_alive()
    assert snapshotter.events[-2:] == ["start final", "end final"]
    assert snapshotter.events[-3] == "end periodic"

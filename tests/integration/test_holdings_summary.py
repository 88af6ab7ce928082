"""The per-user holdings summary the DynamoDB file index keeps, on moto's DynamoDB.

After every change the summary must equal a count of the user's file items: the usage limits
read the summary alone, so a drift would refuse or admit requests wrongly for good.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters import dynamodb_index
from chalicelib.adapters.dynamodb_holdings import held_by
from chalicelib.adapters.dynamodb_index import DynamoFileIndex
from chalicelib.adapters.dynamodb_usage import DynamoUsageLedger
from chalicelib.domain.errors import DependencyUnavailable
from chalicelib.domain.ports import Holdings, HoldingsFull, HoldingsLimits
from tests.support.entries import pending_entry


class Table:
    """The index and ledger under test, and a count of the user's file items to hold them to."""

    def __init__(self, wired: Any, client: Any = None) -> None:
        self.db = wired.client("dynamodb")
        self.name = wired.settings.files_table
        self.index = DynamoFileIndex(client or self.db, self.name, lambda: "2026-01-01T00:00:01.000Z")
        self.ledger = DynamoUsageLedger(self.db, self.name)

    def counted(self, user_id: str) -> Holdings:
        items = self.db.query(
            TableName=self.name,
            ConsistentRead=True,
            KeyConditionExpression="user_id = :user AND begins_with(sk, :files)",
            ExpressionAttributeValues={":user": {"S": user_id}, ":files": {"S": "file#"}},
        )["Items"]
        held = [held_by(i["status"]["S"], int(i.get("size_bytes", {"N": "0"})["N"])) for i in items]
        return Holdings(*(sum(getattr(h, f) for h in held) for f in ("unfinished_jobs", "stored_bytes", "files")))

    def agree(self, user_id: str, expected: Holdings) -> None:
        assert self.ledger.holdings(user_id) == self.counted(user_id) == expected


@pytest.fixture
def table(wired) -> Table:
    return Table(wired)


def test_every_change_of_an_entry_changes_the_summary_with_it(table):
    index, user = table.index, "u-steps"
    table.agree(user, Holdings(0, 0, 0))
    a, b, c = pending_entry(user), pending_entry(user), pending_entry(user)
    index.create(a)
    index.create(b, idempotency_key="k-1")
    assert index.create(pending_entry(user), idempotency_key="k-1").file_id == b.file_id  # a replay adds nothing
    index.create(c)
    table.agree(user, Holdings(3, 0, 3))
    index.mark_processing(user, a.file_id, 1)
    table.agree(user, Holdings(3, 0, 3))
    assert index.mark_ready(user, a.file_id, title="A", size=1000, pages=1, warnings=())
    assert not index.mark_ready(user, a.file_id, title="A", size=5, pages=1, warnings=())  # finishes once
    table.agree(user, Holdings(2, 1000, 3))
    assert index.mark_failed(user, b.file_id, code="timeout", message="slow")
    assert not index.mark_failed(user, a.file_id, code="late", message="already ready")
    table.agree(user, Holdings(1, 1000, 3))
    assert index.reset_for_retry(user, b.file_id) is not None
    assert index.reset_for_retry(user, b.file_id) is None  # pending now: nothing to retry
    table.agree(user, Holdings(2, 1000, 3))
    assert index.delete(user, a.file_id)
    table.agree(user, Holdings(2, 0, 2))
    assert index.delete(user, c.file_id)
    assert not index.delete(user, c.file_id)
    table.agree(user, Holdings(1, 0, 1))
    table.agree("someone-else", Holdings(0, 0, 0))


def test_entries_made_and_finished_from_several_threads_add_up(table):
    user, made = "u-threads", []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(4):
            entry = pending_entry(user)
            table.index.create(entry)
            with lock:
                made.append(entry)
            if (n + i) % 2:
                table.index.mark_ready(user, entry.file_id, title="t", size=100 + n, pages=1, warnings=())

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 16
    table.agree(user, table.counted(user))
    assert table.ledger.holdings(user).files == 16 and table.ledger.holdings(user).unfinished_jobs == 8


def test_the_limits_hold_exactly_when_requests_race_for_the_last_places(table):
    """The summary's update is conditional in the same transaction as the new entry: of 12
    requests at once with 3 places, exactly 3 are recorded."""
    user, limits = "u-race", HoldingsLimits(max_unfinished_jobs=3, max_stored_bytes=10**9)
    start = threading.Barrier(12, timeout=30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def request() -> None:
        start.wait()
        try:
            table.index.create(pending_entry(user), limits=limits)
            outcome = "recorded"
        except HoldingsFull:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["recorded"] * 3 + ["refused"] * 9
    table.agree(user, Holdings(3, 0, 3))


def test_a_refused_request_writes_nothing_not_even_its_idempotency_marker(table):
    """The entry, the summary and the key's marker are one transaction: the limits refusing it
    leaves no item behind."""
    user, limits = "u-refused", HoldingsLimits(max_unfinished_jobs=1, max_stored_bytes=10**9)
    table.index.create(pending_entry(user), limits=limits)
    with pytest.raises(HoldingsFull):
        table.index.create(pending_entry(user), idempotency_key="k-refused", limits=limits)
    items = table.db.query(
        TableName=table.name,
        ConsistentRead=True,
        KeyConditionExpression="user_id = :user",
        ExpressionAttributeValues={":user": {"S": user}},
    )["Items"]
    assert sorted(item["sk"]["S"].split("#")[0] for item in items) == ["file", "holdings"]
    table.agree(user, Holdings(1, 0, 1))


class Conflicting:
    """A DynamoDB client whose next ``conflicts`` transactions are cancelled as DynamoDB cancels
    two transactions that meet on one item; the rest go to moto. (moto runs transactions one at a
    time, so it never reports a conflict itself.)"""

    def __init__(self, db: Any, conflicts: int, before_delete: Any = None) -> None:
        self._db, self.conflicts, self.calls = db, conflicts, 0
        self._before_delete = before_delete

    def transact_write_items(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self._before_delete and any("Delete" in item for item in kwargs["TransactItems"]):
            self._before_delete, run = None, self._before_delete
            run()
        if self.conflicts:
            self.conflicts -= 1
            reasons = [{"Code": "TransactionConflict"}] + [{"Code": "None"}] * (len(kwargs["TransactItems"]) - 1)
            raise ClientError(
                {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons},
                "TransactWriteItems",
            )
        return self._db.transact_write_items(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr(dynamodb_index, "TRANSACTION_BACKOFF_SECONDS", 0.0)


def test_a_transaction_cancelled_by_a_conflict_is_tried_again(wired, no_backoff):
    client = Conflicting(wired.client("dynamodb"), conflicts=dynamodb_index.TRANSACTION_ATTEMPTS - 1)
    table = Table(wired, client)
    table.index.create(pending_entry("u-conflict"))
    assert client.calls == dynamodb_index.TRANSACTION_ATTEMPTS
    table.agree("u-conflict", Holdings(1, 0, 1))


def test_conflicts_that_do_not_stop_are_a_dependency_failure_and_change_nothing(wired, no_backoff):
    client = Conflicting(wired.client("dynamodb"), conflicts=dynamodb_index.TRANSACTION_ATTEMPTS)
    table = Table(wired, client)
    with pytest.raises(DependencyUnavailable):
        table.index.create(pending_entry("u-stuck"))
    table.agree("u-stuck", Holdings(0, 0, 0))


class Refusing(Conflicting):
    """A DynamoDB client whose next transaction fails for another reason than a conflict."""

    def transact_write_items(self, **kwargs: Any) -> Any:
        self.calls += 1
        raise ClientError({"Error": {"Code": "ValidationException", "Message": "refused"}}, "TransactWriteItems")


def test_a_transaction_refused_for_another_reason_is_a_dependency_failure_at_once(wired, no_backoff):
    client = Refusing(wired.client("dynamodb"), conflicts=0)
    with pytest.raises(DependencyUnavailable, match="refused"):
        Table(wired, client).index.create(pending_entry("u-refused"))
    assert client.calls == 1  # not tried again
    Table(wired).agree("u-refused", Holdings(0, 0, 0))


def test_a_delete_that_meets_the_job_finishing_takes_out_what_the_entry_holds_then(wired):
    """The entry is read pending, then the converter marks it ready before the delete lands:
    the delete must not take out an unfinished job that is no longer there."""
    plain = Table(wired)
    entry = pending_entry("u-race")
    plain.index.create(entry)

    def finish() -> None:
        plain.index.mark_ready(entry.user_id, entry.file_id, title="t", size=700, pages=1, warnings=())

    table = Table(wired, Conflicting(wired.client("dynamodb"), conflicts=0, before_delete=finish))
    assert table.index.delete(entry.user_id, entry.file_id)
    table.agree("u-race", Holdings(0, 0, 0))

"""In-memory UsageLedger, typed against the port it stands in for."""

from __future__ import annotations

from chalicelib.domain.ports import Holdings, UsageLedger


class MemoryUsageLedger(UsageLedger):
    def __init__(self) -> None:
        self.hits: dict[tuple[str, int], int] = {}
        self.held: dict[str, Holdings] = {}

    def count_request(self, user_id: str, minute: int) -> int:
        self.hits[(user_id, minute)] = self.hits.get((user_id, minute), 0) + 1
        return self.hits[(user_id, minute)]

    def requests_in(self, user_id: str, minute: int) -> int:
        return self.hits.get((user_id, minute), 0)

    def holdings(self, user_id: str) -> Holdings:
        return self.held.get(user_id, Holdings(0, 0))

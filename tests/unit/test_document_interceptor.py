"""The navigation vetting's own answers, without a browser: a session that records what it was told."""

from __future__ import annotations

import asyncio
from typing import Any

from converter.document_interceptor import DocumentInterceptor, Verdict


class RecordingSession:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        self.sent.append((method, params or {}))
        return {}


def _answer(decide: Any, frame_id: str = "main") -> list[tuple[str, dict[str, Any]]]:
    interceptor = DocumentInterceptor(decide)
    session = RecordingSession()
    interceptor._session = session  # type: ignore[assignment]  # stands in for Chromium's CDP session
    interceptor._main_frame_id = "main"
    event = {"requestId": "r1", "frameId": frame_id, "request": {"url": "http://example.com/"}}
    asyncio.run(interceptor._answer(event))
    return session.sent


def test_a_decision_that_raises_refuses_the_navigation() -> None:
    async def broken(url: str, main_frame: bool) -> Verdict:
        raise RuntimeError("policy broke")

    assert _answer(broken) == [("Fetch.failRequest", {"requestId": "r1", "errorReason": "BlockedByClient"})]


def test_each_verdict_is_answered_as_chromium_expects_and_the_main_frame_is_named() -> None:
    seen: list[bool] = []

    def deciding(verdict: Verdict) -> Any:
        async def decide(url: str, main_frame: bool) -> Verdict:
            seen.append(main_frame)
            return verdict

        return decide

    assert _answer(deciding(Verdict.CONTINUE)) == [("Fetch.continueRequest", {"requestId": "r1"})]
    assert _answer(deciding(Verdict.NO_CONTENT), frame_id="child") == [
        ("Fetch.fulfillRequest", {"requestId": "r1", "responseCode": 204, "responseHeaders": []})
    ]
    assert seen == [True, False]

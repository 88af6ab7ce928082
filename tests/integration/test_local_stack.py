"""The local stack's wiring (devstack/stack.py): pollers sized like AWS's mappings, moto kept on loopback."""
from __future__ import annotations

import pytest


def test_the_local_converter_takes_no_more_jobs_at_once_than_it_renders(make_settings, monkeypatch, tmp_path):
    """Like the event source mapping on AWS (batchSize = RENDER_CONCURRENCY): extra records in a
    batch would only fail as `busy` while they wait for a slot, each costing a receive count."""
    import devstack.stack as stack_module
    from chalicelib.config import LocalStackSettings

    built: dict[str, int] = {}

    class RecordingPoller:
        def __init__(self, sqs, url, handler, name, region, batch_size=10, retry_backoff_seconds=5) -> None:
            built[name] = batch_size

        def start(self) -> None:
            pass

    class Urls:
        def url(self, name: str) -> str:
            return f"http://queues/{name}"

    class FakeContainer:
        queue_urls = Urls()

        def client(self, service: str):
            return object()

    monkeypatch.setattr(stack_module, "QueuePoller", RecordingPoller)
    stack = stack_module.LocalStack(LocalStackSettings(data_dir=str(tmp_path)))
    stack._container = FakeContainer()
    stack._start_workers(make_settings(render_concurrency=3))

    assert built == {"converter": 3, "dead-letters": 10, "webhooks": 10}  # the other mappings on AWS take 10 too


def test_moto_listens_on_loopback_even_when_the_app_listens_everywhere(postgres_url, monkeypatch, tmp_path):
    """moto serves every PDF without credentials: HOST=0.0.0.0 must expose the app only."""
    import devstack.stack as stack_module
    from chalicelib.config import LocalStackSettings
    from devstack.aws import MotoAws, free_port

    with pytest.raises(ValueError, match="loopback"):
        MotoAws("0.0.0.0", 0)

    bound: list[str] = []

    class Recorded(Exception):
        pass

    def recording_moto(host: str, port: int):
        bound.append(host)
        raise Recorded

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    monkeypatch.setattr(stack_module, "MotoAws", recording_moto)
    stack = stack_module.LocalStack(LocalStackSettings(host="0.0.0.0", port=free_port("0.0.0.0"),
                                                       data_dir=str(tmp_path)))
    with pytest.raises(Recorded):
        stack.start()
    assert bound == ["127.0.0.1"]

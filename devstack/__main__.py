"""``python -m devstack``: run PagePress locally until Ctrl-C or SIGTERM.

For fault drills (``make loadtest``), SIGUSR1 restarts the local AWS endpoint and SIGUSR2 the
embedded PostgreSQL, each keeping its data (``LocalStack.restart_aws``, ``restart_database``).
"""

from __future__ import annotations

import queue
import signal
import sys
from collections.abc import Callable

from chalicelib.config import ConfigError, LocalStackSettings
from devstack.postgres import StartupError
from devstack.stack import LocalStack, logger


def main() -> int:
    try:
        local = LocalStackSettings.from_env()
    except ConfigError as exc:
        print(f"pagepress: {exc}", file=sys.stderr)
        return 2
    stack = LocalStack(local)
    try:
        stack.start()
    except (StartupError, ConfigError) as exc:
        print(f"pagepress: {exc}", file=sys.stderr)
        stack.stop()
        return 2
    # The main thread waits for what the signals ask and does it; restarts run here, not on a
    # thread of their own, because the processes they start die with the thread that started them.
    asked: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: asked.put(None))
    for signum, restart in ((signal.SIGUSR1, stack.restart_aws), (signal.SIGUSR2, stack.restart_database)):
        signal.signal(signum, lambda *_, restart=restart: asked.put(restart))
    print(f"PagePress is running on http://{local.host}:{local.port} (Ctrl-C to stop)", flush=True)
    while (wanted := asked.get()) is not None:
        try:
            wanted()
        except Exception:  # noqa: BLE001 - a failed drill is logged, and the stack keeps serving
            logger.exception("restart failed")
    print("pagepress: stopping (saving state)...", flush=True)
    stack.stop()
    print("pagepress: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m devstack``: run PagePress locally until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading

from chalicelib.config import ConfigError, LocalStackSettings
from devstack.postgres import StartupError
from devstack.stack import LocalStack


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
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"PagePress is running on http://{local.host}:{local.port} (Ctrl-C to stop)", flush=True)
    stop.wait()
    print("pagepress: stopping (saving state)...", flush=True)
    stack.stop()
    print("pagepress: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One load test: the stack, the pages, the users and the faults, then the verdict and the report."""

from __future__ import annotations

import datetime
import threading
import time
from pathlib import Path

from bench.loadtest import report
from bench.loadtest.faults import Window, inject
from bench.loadtest.pages import loopback_pages
from bench.loadtest.users import Recorder, User
from bench.loadtest.verdict import Verdict, verdict
from bench.local_stack import LocalStackRun

#: When each fault strikes, as a fraction of the load window.
SCHEDULE = {"browser": 0.25, "database": 0.45, "aws": 0.65}
#: Only for speed on a shared 2-core machine: bcrypt at cost 12 would make 100 sign-ups/ins a
#: 25 s CPU burst that says nothing about reliability. Per-user limits stay at their defaults.
STACK_ENV = {"BCRYPT_ROUNDS": "4", "LOCAL_SNAPSHOT_INTERVAL_SECONDS": "30"}  # saves as often as make run


def run(
    users: int,
    seconds: float,
    faults: tuple[str, ...],
    out: Path,
    settle_seconds: float = 180,
    poll_interval: float = 1.0,
    seed: int = 11,
) -> tuple[Verdict, str]:
    started_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    with loopback_pages() as pages:
        env = {**STACK_ENV, "CONVERTER_EGRESS_ALLOW": f"127.0.0.1:{pages.port}"}
        stack = LocalStackRun(pages.port)
        stack.env.update(env)
        try:
            stack.start()
            recorder = Recorder()
            people = [User(n, stack.api, pages.base, recorder, seed + n) for n in range(users)]
            windows: list[Window] = []
            threads = [
                threading.Thread(target=person.run, args=(seconds, poll_interval), name=f"user-{n}", daemon=True)
                for n, person in enumerate(people)
            ]
            threads.append(
                threading.Thread(
                    target=_strike, args=(faults, seconds, stack, recorder, people, windows), name="faults", daemon=True
                )
            )
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(seconds + 300)  # bounded: a user's last call retries for at most a minute
            outcome = verdict(people, list(recorder.exchanges), windows, settle_seconds)
            settings = report.Settings(users, seconds, faults, env, started_at)
            text = report.write(out, settings, list(recorder.exchanges), windows, outcome)
        except BaseException:
            print(stack.log_tail())
            raise
        finally:
            stack.stop()
            stack.cleanup()
    return outcome, text


def _strike(
    faults: tuple[str, ...],
    seconds: float,
    stack: LocalStackRun,
    recorder: Recorder,
    people: list[User],
    windows: list[Window],
) -> None:
    def rendering() -> int:
        return sum(job.status == "processing" for person in people for job in list(person.jobs.values()))

    for fault in sorted(faults, key=SCHEDULE.__getitem__):
        delay = SCHEDULE[fault] * seconds - recorder.now()
        if delay > 0:
            time.sleep(delay)  # the schedule: faults strike at set moments of the load window
        windows.append(inject(fault, stack, recorder.now, rendering))

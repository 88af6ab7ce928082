"""A discrete-event model (SimPy) of API -> SQS -> event source mapping -> converter -> S3/DynamoDB.

What it plays, and from where:
- arrivals: a scenario's rate over time (Poisson within each second);
- the queue: a standard SQS queue; a received job is invisible until deleted or until the
  visibility timeout passes, then visible again with one more receive; at more receives than
  the redrive policy's maxReceiveCount it goes to the dead-letter queue instead (manifests);
- the event source mapping: batches of up to ``batchSize`` with no batching window, at most
  ``maximumConcurrency`` at once (manifests), scaling from 5 concurrent batches by up to 300
  more a minute (published: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html);
- the function: a batch over its reserved concurrency is throttled, and its jobs return after
  the visibility timeout with a receive counted (what AWS warns of when reserved concurrency is
  below the mapping's maximum); an idle instance is reused, otherwise a cold start (measured);
  a batch renders its pages side by side, each a measured warm render slowed by the memory
  size's CPU share (bench/memory_size), plus the measured steps around it;
- failures: a page fails at the scenario's transient failure rate; the converter makes it
  visible again after its retry delay (JOBS_RETRY_BASE_SECONDS, doubling; at once after the
  last attempt, so the redrive moves it on the next receive).
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass, field

import simpy

from chalicelib.domain.retry_schedule import RetrySchedule
from scale.manifests import PipelineSettings
from scale.measured import Measured

ESM_INITIAL_CONCURRENCY = 5
ESM_SCALE_UP_PER_MINUTE = 300

#: A SimPy process body: it yields events and is resumed when each one fires.
Process = Generator[simpy.events.Event, object, None]


@dataclass
class Job:
    arrived: float
    receives: int = 0
    first_received: float | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    duration_s: float  # arrivals stop here
    rate: Callable[[float], float]  # jobs per second at time t
    failure_rate: Callable[[float], float]  # a render's chance of a transient failure at time t
    surge_end_s: float  # when the load that builds a backlog ends (for "time to drain")


@dataclass
class Outcome:
    scenario: Scenario
    settings: PipelineSettings
    queue_ages_s: list[float] = field(default_factory=list)  # at each job's last receive
    end_to_end_s: list[float] = field(default_factory=list)
    finished_at: list[tuple[float, float]] = field(default_factory=list)  # (arrived, finished)
    backlog: list[tuple[float, int]] = field(default_factory=list)  # (t, visible + in flight)
    concurrency: list[tuple[float, int]] = field(default_factory=list)
    arrived: int = 0
    ready: int = 0
    dead_lettered: int = 0
    invocations: int = 0
    throttled_batches: int = 0
    cold_starts: int = 0
    receives: int = 0
    failed_renders: int = 0
    billed_ms: float = 0.0

    def drain_s(self) -> float:
        """From the end of the surge until every job that arrived by then has finished."""
        ends = [done for arrived, done in self.finished_at if arrived <= self.scenario.surge_end_s]
        return max(0.0, max(ends, default=self.scenario.surge_end_s) - self.scenario.surge_end_s)


class Pipeline:
    def __init__(self, scenario: Scenario, settings: PipelineSettings, measured: Measured, seed: int = 1) -> None:
        self.env = simpy.Environment()
        self.rng = random.Random(seed)
        self.s, self.m, self.scenario = settings, measured, scenario
        self.out = Outcome(scenario, settings)
        self.visible: deque[Job] = deque()
        self.in_flight = 0
        self.running = 0  # invocations in progress
        self.idle_instances = 0
        self.backlog_since: float | None = None
        self.wakeup = self.env.event()
        self.factor = measured.batch_factor(settings.converter_memory_mb, settings.batch_size)

    # -- the parts ------------------------------------------------------------------------
    def arrivals(self) -> Process:
        env, sc = self.env, self.scenario
        while env.now < sc.duration_s:
            second = env.now
            for offset in sorted(self.rng.random() for _ in range(self._poisson(sc.rate(second)))):
                yield env.timeout(second + offset - env.now)
                self._enqueue(Job(arrived=env.now))
            yield env.timeout(second + 1.0 - env.now)

    def poller(self) -> Process:
        env = self.env
        while True:
            while self.visible and self.running < self._allowed():
                batch = [self.visible.popleft() for _ in range(min(self.s.batch_size, len(self.visible)))]
                self.running += 1  # counted now: the poller hands out no more than it may
                env.process(self.invoke(batch))
            if not self.visible and self.backlog_since is not None and self.running == 0:
                self.backlog_since = None
            self.wakeup = env.event()
            yield self.wakeup

    def invoke(self, batch: list[Job]) -> Process:
        env, s, out = self.env, self.s, self.out
        self.in_flight += len(batch)
        out.receives += 1
        for job in batch:
            job.receives += 1
            if job.first_received is None:
                job.first_received = env.now
        received = env.now
        if s.reserved_concurrency is not None and self.running > s.reserved_concurrency:
            out.throttled_batches += 1
            self.running -= 1
            self._wake()
            for job in batch:
                env.process(self._return_later(job, received + s.visibility_timeout_s))
            return
        out.invocations += 1
        cold = self.idle_instances == 0
        if cold:
            out.cold_starts += 1
        else:
            self.idle_instances -= 1
        renders = [self.rng.choice(self.m.render_ms) * self.factor for _ in batch]
        billed_ms = (self.m.cold_start_ms if cold else 0.0) + max(renders) + self.m.overhead_ms
        yield env.timeout((self.m.handoff_ms + billed_ms) / 1000)  # the poller's hand-off is not billed
        out.billed_ms += billed_ms
        self.idle_instances += 1
        self.running -= 1
        for job in batch:
            if self.rng.random() < self.scenario.failure_rate(received):
                out.failed_renders += 1
                delay = RetrySchedule(s.retry_base_s, s.max_receive_count).delay_after(job.receives)
                env.process(self._return_later(job, env.now + (delay or 0)))
            else:
                self.in_flight -= 1
                out.ready += 1
                out.queue_ages_s.append(received - job.arrived)
                out.end_to_end_s.append(env.now - job.arrived)
                out.finished_at.append((job.arrived, env.now))
        self._wake()

    def sampler(self) -> Process:
        while True:
            self.out.backlog.append((self.env.now, len(self.visible) + self.in_flight))
            self.out.concurrency.append((self.env.now, self.running))
            yield self.env.timeout(10.0)

    # -- helpers ---------------------------------------------------------------------------
    def _return_later(self, job: Job, visible_at: float) -> Process:
        yield self.env.timeout(max(0.0, visible_at - self.env.now))
        self.in_flight -= 1
        if job.receives >= self.s.max_receive_count:
            self.out.dead_lettered += 1
            self.out.finished_at.append((job.arrived, self.env.now))
        else:
            self.visible.append(job)
            self._wake()

    def _enqueue(self, job: Job) -> None:
        self.out.arrived += 1
        self.visible.append(job)
        if self.backlog_since is None:
            self.backlog_since = self.env.now
        self._wake()

    def _allowed(self) -> int:
        """The mapping's concurrency now: 5 batches, +300 a minute while there is work, up to the maximum."""
        since = 0.0 if self.backlog_since is None else self.env.now - self.backlog_since
        ramp = ESM_INITIAL_CONCURRENCY + int(ESM_SCALE_UP_PER_MINUTE * since / 60)
        return min(self.s.maximum_concurrency, ramp)

    def _wake(self) -> None:
        if not self.wakeup.triggered:
            self.wakeup.succeed()

    def _poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 30:  # normal approximation: exact enough, and far faster
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        threshold, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= threshold:
                return k
            k += 1

    def run(self, horizon_s: float) -> Outcome:
        env = self.env
        env.process(self.arrivals())
        env.process(self.poller())
        env.process(self.sampler())
        env.run(until=horizon_s)
        return self.out


def simulate(scenario: Scenario, settings: PipelineSettings, measured: Measured, seed: int = 1) -> Outcome:
    """Run until the arrivals stop and every job has finished or gone to the dead-letter queue."""
    pipeline = Pipeline(scenario, settings, measured, seed)
    horizon = scenario.duration_s + settings.visibility_timeout_s * (settings.max_receive_count + 1) + 3600
    outcome = pipeline.run(horizon)
    last_busy = _last_busy(outcome)
    outcome.backlog = [(t, b) for t, b in outcome.backlog if t <= last_busy + 600]
    outcome.concurrency = outcome.concurrency[: len(outcome.backlog)]
    return outcome


def _last_busy(outcome: Outcome) -> float:
    return max((done for _, done in outcome.finished_at), default=outcome.scenario.duration_s)

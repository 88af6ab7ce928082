"""CPU time per process while a batch runs: where a conversion's CPU goes, system by system.

On a machine whose cores are all busy, a batch's wall time is its CPU time shared out, so the
CPU each part spends per conversion says why one system is slower than another. A thread
samples every process of the system every ``interval`` seconds (psutil's user + system time;
a process that starts and ends between two samples is missed, as with ``top``) and sums the
increase per kind of process: Chromium's by ``--type`` (browser, renderer, GPU, zygote,
utility), Playwright's driver, the AWS emulator (moto), PostgreSQL, and the Python that drives
the system (for PagePress's stack: the API, the converter worker and its egress proxy).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Set
from types import TracebackType

import psutil

INTERVAL_SECONDS = 0.05


def process_kind(proc: psutil.Process) -> str:
    """What a process is, in words a reader of results.md knows."""
    name = proc.name().lower()
    cmdline = proc.cmdline()
    if "chrom" in name or "headless" in name:
        types = [arg.split("=", 1)[1] for arg in cmdline if arg.startswith("--type=")]
        return f"chromium {types[0] if types else 'browser'}"
    if "node" in name:
        return "playwright driver"
    joined = " ".join(cmdline[:4])
    if "moto" in joined:
        return "AWS emulator (moto)"
    if "postgres" in name or "postgres" in joined:
        return "PostgreSQL"
    return "python"


class CpuSampler:
    """Sums, per kind of process, the CPU seconds spent inside a ``with`` block by the processes
    ``members()`` names (re-read at every sample, so processes started meanwhile count)."""

    def __init__(self, members: Callable[[], list[psutil.Process]], interval: float = INTERVAL_SECONDS) -> None:
        self._members = members
        self._interval = interval
        self._kind: dict[int, str] = {}
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def __enter__(self) -> CpuSampler:
        self._sample(first=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def seconds_by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, last in self._last.items():
            kind = self._kind[pid]
            totals[kind] = totals.get(kind, 0.0) + last - self._first.get(pid, 0.0)
        return totals

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def _sample(self, first: bool = False) -> None:
        for proc in self._members():
            try:
                if proc.pid not in self._kind:
                    self._kind[proc.pid] = process_kind(proc)
                times = proc.cpu_times()
            except psutil.Error:
                continue
            used = times.user + times.system
            if first:
                self._first[proc.pid] = used
            self._last[proc.pid] = used


def tree(root: int, exclude: Callable[[], Set[int]] = frozenset) -> Callable[[], list[psutil.Process]]:
    """``root`` and every process below it, less ``exclude()``'s pids (and the trees below them)."""

    def members() -> list[psutil.Process]:
        try:
            top = psutil.Process(root)
            below = top.children(recursive=True)
        except psutil.Error:
            return []
        left_out = set(exclude())
        for proc in below:
            if proc.pid in left_out:
                try:
                    left_out |= {child.pid for child in proc.children(recursive=True)}
                except psutil.Error:
                    continue
        return [proc for proc in [top, *below] if proc.pid not in left_out]

    return members


def per_conversion_ms(samples: list[dict[str, float]], conversions: int) -> dict[str, float]:
    """The mean over batches of each kind's CPU milliseconds per conversion, plus ``total``."""
    if not samples or conversions <= 0:
        return {}
    kinds = sorted({kind for sample in samples for kind in sample})
    out: dict[str, float] = {
        kind: round(sum(s.get(kind, 0.0) for s in samples) / len(samples) / conversions * 1000) for kind in kinds
    }
    out["total"] = sum(out.values())
    return out

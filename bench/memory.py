"""Memory of the renderer's process tree (Python + Playwright driver + every Chromium process),
and what a closed renderer leaves behind."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import psutil


def _is_chromium(proc: psutil.Process) -> bool:
    try:
        return "chrom" in proc.name().lower()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def chromium_pids() -> set[int]:
    """Live (not zombie) Chromium processes below this one."""
    pids = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if _is_chromium(child) and child.status() != psutil.STATUS_ZOMBIE:
                pids.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return pids


def profile_dirs(exclude: AbstractSet[int] = frozenset()) -> set[str]:
    """The profile directories (``--user-data-dir``) of the Chromium processes below this one."""
    found: set[str] = set()
    for child in psutil.Process().children(recursive=True):
        if child.pid in exclude or not _is_chromium(child):
            continue
        try:
            found.update(arg.split("=", 1)[1] for arg in child.cmdline() if arg.startswith("--user-data-dir="))
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def _footprint(proc: psutil.Process) -> int:
    """PSS where the kernel reports it (shared pages split between their sharers), else RSS."""
    try:
        return proc.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return proc.memory_info().rss


METRIC = "PSS" if hasattr(psutil.Process().memory_full_info(), "pss") else "RSS"


def footprint_mib(exclude: AbstractSet[int] = frozenset()) -> dict[str, float]:
    """Memory (PSS, else RSS) in MiB of this Python process, the Playwright driver(s) and the
    Chromium processes below it, leaving out the ``exclude`` pids (other systems' processes)."""
    me = psutil.Process()
    total = {"python": _footprint(me), "driver": 0, "chromium": 0}
    processes = 0
    for child in me.children(recursive=True):
        if child.pid in exclude:
            continue
        try:
            size = _footprint(child)
            if _is_chromium(child):
                total["chromium"] += size
                processes += 1
            elif "node" in child.name().lower():
                total["driver"] += size
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    mib = {k: round(v / 2**20, 1) for k, v in total.items()}
    mib["total"] = round(sum(mib.values()), 1)
    mib["chromium_processes"] = processes
    return mib


def descendants() -> set[int]:
    """Every process below this one now (to leave other systems' browsers out of a sample)."""
    return {child.pid for child in psutil.Process().children(recursive=True)}


def cpu_seconds() -> float:
    """CPU time of this process and of its children reaped so far (a closed browser's included)."""
    times = psutil.Process().cpu_times()
    return times.user + times.system + times.children_user + times.children_system

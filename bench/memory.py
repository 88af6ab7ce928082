"""Memory of the renderer's process tree (Python + Playwright driver + every Chromium process),
and what a closed renderer leaves behind."""
from __future__ import annotations

import glob
import os
import tempfile

import psutil

_PROFILE_GLOB = os.path.join(tempfile.gettempdir(), "playwright_chromiumdev_profile-*")


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


def profile_dirs() -> set[str]:
    return set(glob.glob(_PROFILE_GLOB))


def rss_mib(exclude: set[int] = frozenset()) -> dict[str, float]:
    """RSS in MiB of this Python process, the Playwright driver(s) and the Chromium processes
    below it (RSS sums count shared pages once per process: an upper bound)."""
    me = psutil.Process()
    total = {"python": me.memory_info().rss, "driver": 0, "chromium": 0, "chromium_processes": 0}
    for child in me.children(recursive=True):
        if child.pid in exclude:
            continue
        try:
            rss = child.memory_info().rss
            if _is_chromium(child):
                total["chromium"] += rss
                total["chromium_processes"] += 1
            elif "node" in child.name().lower() or "playwright" in " ".join(child.cmdline()[:2]).lower():
                total["driver"] += rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    mib = {k: round(v / 2**20, 1) for k, v in total.items() if k != "chromium_processes"}
    mib["total"] = round(sum(mib.values()), 1)
    mib["chromium_processes"] = total["chromium_processes"]
    return mib


def descendants() -> set[int]:
    """Every process below this one now (to leave other systems' browsers out of a sample)."""
    return {child.pid for child in psutil.Process().children(recursive=True)}

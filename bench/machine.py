"""Facts about the machine and software a run was made on."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path

from bench.systems import CHROMIUM, WKHTMLTOPDF

ROOT = Path(__file__).resolve().parent.parent


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception as exc:  # a missing tool should not sink the benchmark
        return f"unknown ({exc})"


def _first(path: str, prefix: str) -> str:
    try:
        with open(path) as handle:
            return next(line.split(":", 1)[1].strip() for line in handle if line.startswith(prefix))
    except (OSError, StopIteration):
        return "unknown"


def loadavg() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def machine_facts() -> dict:
    mem = _first("/proc/meminfo", "MemTotal")
    if mem != "unknown":
        mem = f"{int(mem.split()[0]) / 1024 / 1024:.1f} GiB"
    return {
        "date_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "nproc": os.cpu_count(),
        "nproc_available": len(os.sched_getaffinity(0)),
        "cpu": _first("/proc/cpuinfo", "model name"),
        "memory": mem,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "chromium": _run([CHROMIUM, "--version"]),
        "wkhtmltopdf": _run([WKHTMLTOPDF, "--version"]) if WKHTMLTOPDF else "not installed",
        "playwright": importlib.metadata.version("playwright"),
        "pypdf": importlib.metadata.version("pypdf"),
        "git_commit": _run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(_run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])),
        "loadavg_at_start": loadavg(),
    }

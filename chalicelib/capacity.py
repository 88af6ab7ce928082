"""How many pages one converter should render at once, from the CPUs and memory it has.

A page spends much of its time waiting on the network, so a CPU serves about two pages at
once; each page in flight also costs Chromium a renderer process. On Lambda the function's
memory size decides both: CPU is allotted in proportion to memory (one vCPU at 1,769 MB).
Elsewhere the process's CPU affinity and cgroup quota, and the memory it may use, decide.
"""

from __future__ import annotations

import os
from pathlib import Path

PAGES_PER_CPU = 2
#: Chromium's browser, GPU and network processes plus our own Python, before any page.
BASE_MEMORY_MB = 512
#: One page in flight: its renderer process, the PDF in memory, the spare page behind it.
MEMORY_PER_PAGE_MB = 256
MAX_AUTO_CONCURRENCY = 8
LAMBDA_MB_PER_VCPU = 1769


def auto_render_concurrency(cpus: float, memory_mb: int) -> int:
    """Pages in flight that ``cpus`` and ``memory_mb`` carry: at least 1, at most 8."""
    by_cpu = int(cpus * PAGES_PER_CPU)
    by_memory = (memory_mb - BASE_MEMORY_MB) // MEMORY_PER_PAGE_MB
    return max(1, min(by_cpu, by_memory, MAX_AUTO_CONCURRENCY))


def lambda_capacity(memory_size_mb: int) -> tuple[float, int]:
    """(vCPUs, MB) of a Lambda function with ``memory_size_mb``."""
    return memory_size_mb / LAMBDA_MB_PER_VCPU, memory_size_mb


def machine_capacity(root: Path = Path("/")) -> tuple[float, int]:
    """(CPUs, MB) this process may use: affinity and cgroup v2 limits where they are set."""
    cpus: float = (
        float(len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else float(os.cpu_count() or 1)
    )
    quota = _cgroup_cpu_quota(root / "sys/fs/cgroup/cpu.max")
    if quota is not None:
        cpus = min(cpus, quota)
    memory = _meminfo_mb(root / "proc/meminfo")
    limit = _cgroup_memory_mb(root / "sys/fs/cgroup/memory.max")
    if limit is not None:
        memory = min(memory, limit)
    return cpus, memory


def _cgroup_cpu_quota(path: Path) -> float | None:
    try:
        quota, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max" or not quota.isascii() or not quota.isdigit() or not period.isdigit() or int(period) == 0:
        return None
    return max(int(quota) / int(period), 0.1)


def _cgroup_memory_mb(path: Path) -> int | None:
    try:
        raw = path.read_text().strip()
    except OSError:
        return None
    return int(raw) // (1024 * 1024) if raw.isascii() and raw.isdigit() else None


def _meminfo_mb(path: Path) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 2048  # unknown: assume a small machine

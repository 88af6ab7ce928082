"""Render concurrency from the CPUs and memory a converter has (chalicelib/capacity.py)."""

from __future__ import annotations

import pytest

from chalicelib import capacity
from chalicelib.config import ConfigError, Settings


@pytest.mark.parametrize(
    ("cpus", "memory_mb", "expected"),
    [
        (2, 24_000, 4),  # this machine: two pages per CPU
        (1.16, 2048, 2),  # Lambda at 2048 MB
        (1.7, 3008, 3),  # Lambda at 3008 MB
        (64, 256_000, 8),  # a big box: capped
        (8, 1024, 2),  # little memory: memory decides
        (0.5, 512, 1),  # never below one
    ],
)
def test_concurrency_follows_cpus_and_memory(cpus, memory_mb, expected):
    assert capacity.auto_render_concurrency(cpus, memory_mb) == expected


def test_on_lambda_the_memory_size_decides():
    assert Settings.from_env({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "2048"}).render_concurrency == 2
    assert Settings.from_env({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008"}).render_concurrency == 3
    assert Settings.from_env({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "10240"}).render_concurrency == 8


def test_a_number_overrides_and_auto_is_the_default():
    assert (
        Settings.from_env({"RENDER_CONCURRENCY": "5", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "2048"}).render_concurrency
        == 5
    )
    assert (
        Settings.from_env({"RENDER_CONCURRENCY": "auto", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "2048"}).render_concurrency
        == 2
    )
    with pytest.raises(ConfigError):
        Settings.from_env({"RENDER_CONCURRENCY": "many"})


def _machine(root, meminfo: str, cpu_max: str, memory_max: str):
    """A fake /proc and cgroup v2 tree under ``root``; what machine_capacity reads there."""
    (root / "proc").mkdir()
    (root / "proc" / "meminfo").write_text(meminfo)
    cgroup = root / "sys" / "fs" / "cgroup"
    cgroup.mkdir(parents=True)
    (cgroup / "cpu.max").write_text(cpu_max)
    (cgroup / "memory.max").write_text(memory_max)
    return capacity.machine_capacity(root)


def test_cgroup_limits_bound_what_the_machine_offers(tmp_path):
    cpus, memory_mb = _machine(
        tmp_path, "MemTotal: 32000000 kB\nMemAvailable: 16000000 kB\n", "150000 100000\n", f"{1024 * 1024 * 1024}\n"
    )
    assert cpus == 1.5 and memory_mb == 1024


def test_unlimited_cgroups_leave_the_machine_as_it_is(tmp_path):
    cpus, memory_mb = _machine(tmp_path, "MemAvailable: 8192000 kB\n", "max 100000\n", "max\n")
    assert memory_mb == 8000 and cpus >= 1

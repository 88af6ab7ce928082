"""The measured figures the model runs on, read from the benchmark's recorded results.

bench/results.json (`make bench`): PagePress's warm render times on the 13-page corpus, the
converter's own steps around a render, its cold start, the API's answer time and the PDFs'
sizes. bench/memory_size.json (`python -m bench.memory_size`): CPU time and wall time per page
at Lambda's CPU shares, which say how a render slows down on less than one vCPU.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.capacity import LAMBDA_MB_PER_VCPU

BENCH = Path(__file__).resolve().parent.parent / "bench"
#: The converter's steps around the render, from the end-to-end run's "job finished" lines.
OVERHEAD_STEPS = ("mark_processing_ms", "upload_ms", "index_ms")


@dataclass(frozen=True)
class Measured:
    render_ms: tuple[float, ...]  # every warm PagePress render of every corpus page
    overhead_ms: float  # mark processing + upload + index, medians
    handoff_ms: float  # from SendMessage to the converter holding the job (local poller), median
    cold_start_ms: float  # import + launch + first PDF, median
    api_request_ms: float  # POST /request answered, median
    pdf_bytes: tuple[int, ...]  # each corpus page's PDF
    transient_failure_rate: float  # failed conversions in the memory run
    cpu_ms_per_page: float  # CPU time of the renderer's process tree per page, median
    wait_ms_per_page: float  # a page's time not on the CPU at one vCPU (network, timers)
    bench_date: str
    memory_size_date: str

    def batch_factor(self, memory_mb: int, pages: int) -> float:
        """How much longer ``pages`` renders side by side take on ``memory_mb`` than one page on one
        vCPU: the waiting stays, the CPU work is shared by what the memory size buys (a page uses
        at most one CPU)."""
        vcpus = memory_mb / LAMBDA_MB_PER_VCPU
        one = self.wait_ms_per_page + self.cpu_ms_per_page
        return (self.wait_ms_per_page + pages * self.cpu_ms_per_page / min(vcpus, pages)) / one

    @property
    def pdf_bytes_mean(self) -> float:
        return statistics.fmean(self.pdf_bytes)


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BENCH / name).read_text())
    return data


def load_measured() -> Measured:
    bench, sizes = _read("results.json"), _read("memory_size.json")
    steps = bench["e2e"]["single_steps"]["job finished"]
    at_one_vcpu = [r for r in sizes["results"] if r["share"] == 1.0 and r["concurrency"] == 1]
    cpu_per_page = [c / r["concurrency"] for r in sizes["results"] for c in r["batch_cpu_ms"]]
    waits = [max(b - c, 0.0) for r in at_one_vcpu for b, c in zip(r["batch_ms"], r["batch_cpu_ms"], strict=True)]
    memory = bench["memory"]
    return Measured(
        render_ms=tuple(v for page in bench["raw"]["latency_ms"].values() for v in page["pagepress"]),
        handoff_ms=statistics.median(s["queue_ms"] for s in steps),
        overhead_ms=sum(statistics.median(s[k] for s in steps) for k in OVERHEAD_STEPS),
        cold_start_ms=statistics.median(r["total_ms"] for r in bench["cold_start"]["pagepress"]),
        api_request_ms=statistics.median(bench["e2e"]["single_ms"]["post"]),
        pdf_bytes=tuple(page["pagepress"]["bytes"] for page in bench["completeness"].values()),
        transient_failure_rate=len(memory["failures"]) / memory["conversions"],
        cpu_ms_per_page=statistics.median(cpu_per_page),
        # The least-contended sample: on a shared machine every other one also waited for a CPU.
        wait_ms_per_page=min(waits),
        bench_date=bench["facts"]["date_utc"],
        memory_size_date=sizes["facts"]["date_utc"],
    )

"""Render time at the CPU shares Lambda gives per memory size, to choose the converter's memory.

Lambda allots CPU in proportion to memory: one vCPU at 1,769 MB. This machine cannot give a
process a fraction of a CPU through cgroups (cgroup v1, read-only), so each configuration runs
the converter's renderer (``PlaywrightRenderer.from_settings``, as ``bench.systems`` builds it)
in a child process pinned to one core (``sched_setaffinity``, what ``taskset`` does), and the
parent throttles that child's whole process tree (Python, the Playwright driver, every
Chromium process) with a duty cycle: SIGCONT for ``share`` of each period, SIGSTOP for the rest.
A page's wall time then includes the time it was stopped, as a page's time on a throttled
Lambda does.

    .venv/bin/python -m bench.memory_size            # writes bench/memory_size.md and .json

Keep runs short (the machine is shared): the default is 5 pages x 2 repetitions per share.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import build_corpus
from bench.machine import loadavg, machine_facts
from bench.page_server import PageServer
from chalicelib import capacity

ROOT = Path(__file__).resolve().parent.parent
OUT_MD = ROOT / "bench" / "memory_size.md"
OUT_JSON = ROOT / "bench" / "memory_size.json"
#: Static pages whose time is the renderer's CPU, not a server's deliberate delays.
DEFAULT_PAGES = "short,article,table,mixed"
PERIOD_SECONDS = 0.05
#: (share of one vCPU, pages rendered at once): the share's single page, and at one vCPU the
#: two pages capacity.py runs side by side there.
CONFIGS = ((0.25, 1), (0.5, 1), (1.0, 1), (1.0, 2))


@dataclass(frozen=True)
class Result:
    share: float
    concurrency: int
    memory_mb: int
    page_ms: dict[str, list[float]]
    batch_ms: list[float]
    batch_cpu_ms: list[float]
    load_before: list[float]
    load_after: list[float]

    @property
    def ms_per_page(self) -> float:
        """Median wall time per page: the batch's wall divided by the pages in it."""
        per_page = sorted(b / self.concurrency for b in self.batch_ms)
        return per_page[len(per_page) // 2]

    @property
    def fits_in_memory(self) -> bool:
        return self.memory_mb >= capacity.BASE_MEMORY_MB + capacity.MEMORY_PER_PAGE_MB * self.concurrency


def _tree_cpu_ms(root: int) -> float:
    """CPU time of ``root``'s process tree so far: each live process's own time plus that of the
    children it has reaped (so renderers that came and went still count)."""
    total = 0
    for pid in _descendants(root):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total * 1000 / os.sysconf("SC_CLK_TCK")


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it, from /proc (no ``children`` file on this kernel)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def _signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _throttle(root: int, share: float, done: threading.Event) -> None:
    """Duty-cycle the process tree under ``root`` until ``done``; leave it running."""
    if share >= 1.0:
        return
    run, stop = PERIOD_SECONDS * share, PERIOD_SECONDS * (1 - share)
    try:
        while not done.is_set():
            time.sleep(run)
            pids = _descendants(root)
            _signal_all(pids, signal.SIGSTOP)
            time.sleep(stop)
            _signal_all(pids, signal.SIGCONT)
    finally:
        _signal_all(_descendants(root), signal.SIGCONT)


def _measure(share: float, concurrency: int, base: str, pages: list[str], reps: int, core: int) -> Result:
    load_before = loadavg()
    command = [sys.executable, "-m", "bench.memory_size", "--worker", "--base", base, "--pages", ",".join(pages)]
    command += ["--reps", str(reps), "--concurrency", str(concurrency)]
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {core}),
        env={**os.environ, "RENDER_CONCURRENCY": str(concurrency)},
    )
    done = threading.Event()
    throttler = threading.Thread(target=_throttle, args=(child.pid, share, done), daemon=True)
    throttler.start()
    try:
        out, _ = child.communicate(timeout=600)
    finally:
        done.set()
        throttler.join(5)
    if child.returncode != 0:
        raise SystemExit(f"worker at share {share} failed ({child.returncode})")
    report = json.loads(out.strip().splitlines()[-1])
    return Result(
        share=share,
        concurrency=concurrency,
        memory_mb=round(share * capacity.LAMBDA_MB_PER_VCPU),
        page_ms=report["page_ms"],
        batch_ms=report["batch_ms"],
        batch_cpu_ms=report["batch_cpu_ms"],
        load_before=load_before,
        load_after=loadavg(),
    )


def _worker(base: str, pages: list[str], reps: int, concurrency: int) -> None:
    """Render each page ``reps`` times, ``concurrency`` copies at once; print the timings as JSON."""
    from bench.systems import PagePress

    port = int(base.rsplit(":", 1)[1])
    system = PagePress(port)
    try:
        system.render(base + "/short.html")  # warm: the browser and the spare contexts
        corpus = build_corpus()
        page_ms: dict[str, list[float]] = {}
        batch_ms: list[float] = []
        batch_cpu_ms: list[float] = []
        with ThreadPoolExecutor(concurrency) as pool:
            for _ in range(reps):
                for name in pages:
                    url = base + corpus.page(name).path
                    cpu_before, started = _tree_cpu_ms(os.getpid()), time.perf_counter()
                    list(pool.map(lambda u: system.render(u), [url] * concurrency))
                    elapsed = (time.perf_counter() - started) * 1000
                    batch_cpu_ms.append(round(_tree_cpu_ms(os.getpid()) - cpu_before, 1))
                    batch_ms.append(round(elapsed, 1))
                    page_ms.setdefault(name, []).append(round(elapsed / concurrency, 1))
    finally:
        system.close()
    print(json.dumps({"page_ms": page_ms, "batch_ms": batch_ms, "batch_cpu_ms": batch_cpu_ms}))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _report(data: dict) -> str:
    """bench/memory_size.md from the recorded JSON (``--report`` rewrites it without measuring)."""
    facts, pages, results = data["facts"], data["pages"], [Result(**r) for r in data["results"]]
    lines = [
        "# Converter memory size: render time at Lambda's CPU shares",
        "",
        "Generated by `.venv/bin/python -m bench.memory_size` (the method is in its docstring: one core,",
        "a SIGSTOP/SIGCONT duty cycle on the renderer's whole process tree at each share of one vCPU;",
        f"Lambda gives one vCPU at {capacity.LAMBDA_MB_PER_VCPU} MB). `make simulate` reads the JSON beside this",
        "file and turns it into docs/scale.md's memory-size table.",
        "",
        f"- Date: {facts['date_utc']}; CPU {facts['cpu']}, nproc {facts['nproc']}; {facts['chromium']}",
        f"- Pages: {', '.join(pages)} (bench corpus, loopback server), {data['reps']} repetitions each;"
        f" whole run {data['wall_seconds'] or 'about 270'} s",
        "- Load average (1/5/15 min) before and after each configuration is in the table.",
        "",
        "| vCPU share | memory (MB) | pages at once | fits in memory | wall ms per page (median) |"
        " CPU ms per page (median) | load before | load after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        cpu = _median([c / r.concurrency for c in r.batch_cpu_ms])
        lines.append(
            f"| {r.share:g} | {r.memory_mb} | {r.concurrency} | {'yes' if r.fits_in_memory else 'no'} "
            f"| {r.ms_per_page:.0f} | {cpu:.0f} | {r.load_before} | {r.load_after} |"
        )
    lines += ["", "Per page, median wall ms per page (CPU ms in brackets):", ""]
    lines.append("| page | " + " | ".join(f"{r.share:g} vCPU x{r.concurrency}" for r in results) + " |")
    lines.append("|---|" + "---|" * len(results))
    for i, name in enumerate(pages):
        cells = []
        for r in results:
            page_cpu = [c / r.concurrency for j, c in enumerate(r.batch_cpu_ms) if j % len(pages) == i]
            cells.append(f"{_median(r.page_ms[name]):.0f} ({_median(page_cpu):.0f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "**Reading it.** The CPU time per page is what the render needs whatever the share; the wall time",
        "is what the share and the machine's other load make of it. On a loaded machine (see the load",
        "averages beside each configuration) the wall times include waiting for a CPU, and the duty cycle",
        "cannot hold its share exactly (the throttling thread is itself delayed), so the model in",
        "docs/scale.md uses the CPU time, and the least-contended wall time at one vCPU minus its CPU time",
        "as a page's waiting: a page at share *s* takes waiting + CPU / *s*.",
        "",
        "A configuration *fits in memory* when its memory size holds Chromium's base plus one renderer per",
        f"page at once (`chalicelib/capacity.py`: {capacity.BASE_MEMORY_MB} MB + {capacity.MEMORY_PER_PAGE_MB}"
        " MB per page; `make bench`'s memory run reports the renderer's PSS, warm and at its peak).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=DEFAULT_PAGES)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--core", type=int, default=max(os.sched_getaffinity(0)))
    parser.add_argument("--report", action="store_true", help="rewrite the .md from the recorded .json only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    pages = args.pages.split(",")
    if args.report:
        OUT_MD.write_text(_report(json.loads(OUT_JSON.read_text())))
        return
    if args.worker:
        _worker(args.base, pages, args.reps, args.concurrency)
        return
    started = time.perf_counter()
    facts = machine_facts()
    results = []
    with PageServer(build_corpus().routes) as server:
        for share, concurrency in CONFIGS:
            result = _measure(share, concurrency, server.base, pages, args.reps, args.core)
            print(f"share {share:g} x{concurrency}: {result.ms_per_page:.0f} ms/page, load {result.load_after}")
            results.append(result)
    data = {
        "facts": facts,
        "pages": pages,
        "reps": args.reps,
        "wall_seconds": round(time.perf_counter() - started, 1),
        "results": [r.__dict__ for r in results],
    }
    OUT_JSON.write_text(json.dumps(data, indent=1) + "\n")
    OUT_MD.write_text(_report(data))


if __name__ == "__main__":
    main()

"""How each figure is measured: interleaved repetitions, concurrent batches, cold starts in
fresh interpreters, memory over many conversions, and the end-to-end request -> ready path."""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench import memory
from bench.corpus import Page
from bench.systems import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
#: A system under measurement: url -> (pdf bytes, phase timings in ms).
Render = Callable[[str], tuple[bytes, dict]]


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    mark = time.perf_counter()
    result = fn(*args, **kwargs)
    return (time.perf_counter() - mark) * 1000, result


def warm_latency(
    systems: Mapping[str, Render],
    pages: list[Page],
    base: str,
    reps: int,
    reps_of: dict[str, int] | None = None,
    log=print,
) -> dict:
    """Each page by each system, ``reps`` times; the order of systems alternates between pages
    and repetitions so drift hits all alike. ``reps_of`` gives some systems fewer repetitions.
    Returns latency_ms[page][system], phases_ms[page][system][phase] and the last PDF of each."""
    latency: dict[str, dict[str, list[float]]] = {p.name: {s: [] for s in systems} for p in pages}
    phases: dict[str, dict[str, dict[str, list[float]]]] = {p.name: {s: {} for s in systems} for p in pages}
    pdfs: dict[str, dict[str, bytes]] = {p.name: {} for p in pages}
    errors: dict[str, dict[str, str]] = {p.name: {} for p in pages}
    started = time.perf_counter()
    for rep in range(reps):
        for i, page in enumerate(pages):
            order = [s for s in systems if rep < (reps_of or {}).get(s, reps)]
            if (rep + i) % 2:
                order.reverse()
            for name in order:
                try:
                    ms, (pdf, phase) = timed(systems[name], base + page.path)
                except Exception as exc:  # a system that fails a page is reported, not fatal
                    errors[page.name][name] = f"{type(exc).__name__}: {exc}"[:300]
                    continue
                latency[page.name][name].append(ms)
                pdfs[page.name][name] = pdf
                for key, value in phase.items():
                    phases[page.name][name].setdefault(key, []).append(value)
        log(f"  rep {rep + 1}/{reps} done ({time.perf_counter() - started:.0f} s)")
    return {"latency_ms": latency, "phases_ms": phases, "pdfs": pdfs, "errors": errors}


def batch_wall_ms(render: Render, urls: list[str], concurrency: int) -> float:
    """Wall time for ``urls`` through ``concurrency`` caller threads."""
    mark = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(render, urls))
    return (time.perf_counter() - mark) * 1000


def cold_start(system: str, url: str, port: int) -> dict:
    """One fresh interpreter: its own phase timings plus the wall time the parent saw."""
    env = {
        **os.environ,
        "CONVERTER_EGRESS_ALLOW": f"127.0.0.1:{port}",
        "CONVERTER_WARM_START": "true",
        "CHROMIUM_PATH": CHROMIUM,
    }
    mark = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.cold_start", system, url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    wall = (time.perf_counter() - mark) * 1000
    if proc.returncode != 0:
        raise RuntimeError(f"cold start of {system} failed: {proc.stderr[-500:]}")
    result = next(
        (
            json.loads(line)
            for line in reversed(proc.stdout.splitlines())
            if line.startswith("{") and '"total_ms"' in line
        ),
        None,
    )
    if result is None:
        raise RuntimeError(f"cold start of {system} printed no timings: {proc.stdout[-500:]}")
    result["process_wall_ms"] = round(wall, 1)  # interpreter start to exit, browser close included
    return result


def memory_run(
    make_renderer: Callable[[], Any],
    urls: list[str],
    conversions: int,
    concurrency: int,
    sample_every: int,
    log=print,
) -> dict:
    """``conversions`` renders (urls cycled) at ``concurrency``, sampling the renderer's process
    tree every ``sample_every`` completions; then close it and look for what it left behind."""
    before_pids = memory.chromium_pids()
    before_tree = memory.descendants()
    profiles: set[str] = set()  # every profile directory the renderer's browsers used
    cpu_before = memory.cpu_seconds()
    system = make_renderer()
    failures = []
    samples = []
    try:
        system.render(urls[0])  # launch the browser: "start" is a warm renderer
        samples.append({"done": 0, **memory.footprint_mib(before_tree)})
        profiles |= memory.profile_dirs(before_tree)
        mark = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            # Only the renders in flight are held: a finished future (and the PDF it returned) is
            # let go at once, or the harness's own list of 300 PDFs would show as the renderer's growth.
            todo = itertools.islice(itertools.cycle(urls), conversions)
            in_flight = {pool.submit(system.render, url) for url in itertools.islice(todo, concurrency)}
            done = 0
            while in_flight:
                finished, in_flight = concurrent.futures.wait(in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in finished:
                    done += 1
                    try:
                        future.result()
                    except Exception as exc:
                        failures.append(f"{type(exc).__name__}: {exc}"[:200])
                    in_flight |= {pool.submit(system.render, url) for url in itertools.islice(todo, 1)}
                    if done % sample_every == 0 or done == conversions:
                        samples.append({"done": done, **memory.footprint_mib(before_tree)})
                        profiles |= memory.profile_dirs(before_tree)
                        if done % (sample_every * 5) == 0 or done == conversions:
                            log(
                                f"  {done}/{conversions} conversions, {samples[-1]['total']:.0f} MiB "
                                f"({samples[-1]['chromium_processes']} Chromium processes)"
                            )
                del finished
        wall_ms = (time.perf_counter() - mark) * 1000
        renderer = getattr(system, "renderer", None)
        launches = getattr(renderer, "browser_launches", None)
        profiles |= {p.profile_dir for p in getattr(renderer, "browser_processes", ()) if p.profile_dir}
    finally:
        system.close()
    # Give the kernel a moment to reap what close() killed, bounded.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and memory.chromium_pids() - before_pids:
        time.sleep(0.1)
    cpu = memory.cpu_seconds() - cpu_before  # the browser is closed and reaped: its CPU is counted
    left_pids = sorted(memory.chromium_pids() - before_pids)
    left_profiles = sorted(p for p in profiles if os.path.exists(p))
    totals = [s["total"] for s in samples]
    return {
        "conversions": conversions,
        "concurrency": concurrency,
        "metric": memory.METRIC,
        "sample_every": sample_every,
        "failures": failures,
        "wall_ms": round(wall_ms),
        "pdfs_per_minute": round(conversions / wall_ms * 60000, 1),
        "browser_launches": launches,
        "cpu_seconds_per_conversion": round(cpu / (conversions + 1), 2),
        "samples": samples,
        "start_mib": totals[0],
        "peak_mib": max(totals),
        "end_mib": totals[-1],
        "growth_mib": round(totals[-1] - totals[0], 1),
        "profile_dirs_seen": len(profiles),
        "leftover_chromium_pids": left_pids,
        "leftover_profile_dirs": left_profiles,
    }

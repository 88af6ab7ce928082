"""The benchmark run: every measurement in order, then bench/results.md and results.json.

``make bench`` = ``.venv/bin/python -m bench``. Everything stays on 127.0.0.1: the corpus is
served by a loopback server in a child process; the local stack runs in a subprocess.
Order: cold starts (fresh interpreters), warm latency (all systems interleaved), a renderer
batch, the end-to-end path through the local stack (with bare renders interleaved), and
last the memory run (alone, so no other browser disturbs the process count).
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import cpu, measure
from bench.corpus import Corpus, build_corpus
from bench.local_stack import LocalStackRun, StackFailed
from bench.machine import loadavg, machine_facts
from bench.page_server import PageServer
from bench.pdf_inspect import completeness
from bench.report import write_report
from bench.step_timings import RendererTimings, from_log_lines
from bench.systems import Bare, PagePress, Wkhtmltopdf
from chalicelib.egress import EgressPolicy
from converter.pdf_metadata import stamp_metadata

#: The memory run's pages: static, web font, fetched, client-rendered and picture pages; the
#: never-idle ones and the print-heavy ones (long, article, table, images) are left out so 300
#: conversions fit the time budget.
MEMORY_PAGES = ("short", "webfont", "js-fetch", "spa", "mixed")
STEPS = ("cold", "guard", "wkhtmltopdf", "batch", "e2e", "memory")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="PagePress conversion benchmark")
    parser.add_argument("--reps", type=int, default=3, help="warm latency repetitions per page (bare, PagePress)")
    parser.add_argument("--guard-reps", type=int, default=3, help="repetitions of the bare+guard ablation")
    parser.add_argument("--wk-reps", type=int, default=1, help="repetitions of wkhtmltopdf (reference)")
    parser.add_argument("--cold-reps", type=int, default=2, help="cold starts per system (fresh interpreters)")
    parser.add_argument("--batch-size", type=int, default=16, help="pages per concurrent batch (mixed pages)")
    parser.add_argument("--batch-rounds", type=int, default=1, help="renderer-level batches per system")
    parser.add_argument("--e2e-single", type=int, default=9, help="single request -> ready repetitions")
    parser.add_argument("--e2e-rounds", type=int, default=3, help="end-to-end batches of --batch-size requests")
    parser.add_argument(
        "--poll-ms", type=float, default=50, help="how often the client polls the file list (to learn it is done)"
    )
    parser.add_argument(
        "--batch-poll-ms",
        type=float,
        default=1000,
        help="how often it polls while a batch runs (seconds long; a tighter loop loads the stack)",
    )
    parser.add_argument("--memory-conversions", type=int, default=300, help="conversions in the memory run")
    parser.add_argument("--memory-sample-every", type=int, default=10, help="sample RSS every N conversions")
    parser.add_argument(
        "--memory-pages",
        default=",".join(MEMORY_PAGES),
        help="the pages the memory run cycles through (comma-separated names)",
    )
    parser.add_argument("--pages", default="", help="only these corpus pages (comma-separated names)")
    parser.add_argument("--skip", default="", help=f"skip steps (comma-separated: {', '.join(STEPS)})")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 1 rep, 1 cold start, 2 single + 1 batch end-to-end, 30 memory conversions",
    )
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent), help="where results.md/json go")
    if parser.parse_args(argv).quick:  # smaller defaults; flags given explicitly still win
        parser.set_defaults(
            reps=1, guard_reps=1, wk_reps=1, cold_reps=1, e2e_single=2, e2e_rounds=1, memory_conversions=30
        )
    args = parser.parse_args(argv)
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = args.skip - set(STEPS)
    if unknown:
        parser.error(f"unknown step(s) to skip: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    command = ".venv/bin/python -m bench" + "".join(f" {shlex.quote(a)}" for a in argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    step_log = RendererTimings()
    step_log.install()

    started = time.perf_counter()
    facts = machine_facts()
    print(
        f"PagePress conversion benchmark  {facts['date_utc']}  nproc={facts['nproc']}  load {facts['loadavg_at_start']}"
        f"  {facts['chromium']}",
        flush=True,
    )
    corpus = build_corpus()
    corpus_size = len(corpus.pages)
    memory_wanted = {n.strip() for n in args.memory_pages.split(",")}
    args.memory_pool = [p for p in corpus.pages if p.name in memory_wanted]
    if args.pages:
        wanted = {n.strip() for n in args.pages.split(",")}
        corpus.pages = [p for p in corpus.pages if p.name in wanted]
    results: dict[str, Any] = {
        "facts": facts,
        "command": command,
        "corpus_size": corpus_size,
        "args": {k: (sorted(v) if isinstance(v, set) else v) for k, v in vars(args).items() if k != "memory_pool"},
    }
    with PageServer(corpus.routes) as server:
        print(f"corpus of {len(corpus.pages)} pages served on {server.base}", flush=True)
        results.update(_measure(args, corpus, server, step_log))
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    facts["loadavg_at_end"] = loadavg()
    out = write_report(results, corpus, Path(args.out))
    steps = ", ".join(f"{k} {v:g} s" for k, v in results.get("step_seconds", {}).items())
    print(
        f"\nwrote {out[0]} and {out[1]} ({results['wall_seconds']} s: {steps}; load at end {facts['loadavg_at_end']})"
    )
    return 0


def _say(text: str) -> None:
    print(text, flush=True)


class _StepClock:
    """Wall seconds per step of the run, to see where the time budget goes."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._mark = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.seconds[step] = round(now - self._mark, 1)
        self._mark = now


def _measure(args: argparse.Namespace, corpus: Corpus, server: PageServer, step_log: RendererTimings) -> dict:
    out: dict[str, Any] = {}
    clock = _StepClock()
    out["step_seconds"] = clock.seconds
    base, port = server.base, server.port
    mixed_urls = [base + corpus.mixed_paths[i % len(corpus.mixed_paths)] for i in range(args.batch_size)]

    if "cold" not in args.skip:
        _say("cold start (fresh interpreter: imports, driver + browser launch, first render of 'short'):")
        cold: dict[str, list[dict]] = {"bare": [], "pagepress": []}
        for rep in range(args.cold_reps):
            for system in ["bare", "pagepress"] if rep % 2 == 0 else ["pagepress", "bare"]:
                try:
                    cold[system].append(measure.cold_start(system, base + "/short.html", port))
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    out.setdefault("cold_start_errors", []).append(f"{system}: {exc}"[:600])
                    _say(f"  {system:<9} rep {rep + 1}: FAILED {exc}")
                    continue
                _say(f"  {system:<9} rep {rep + 1}: {cold[system][-1]['total_ms']:7.0f} ms to the first PDF")
        out["cold_start"] = cold
        clock.lap("cold start")

    bare = Bare(EgressPolicy(allow=f"127.0.0.1:{port}")).start()
    pagepress = PagePress(port)
    still_open: PagePress | None = pagepress  # closed before the end-to-end part
    out["render_concurrency"] = concurrency = pagepress.concurrency  # as Settings resolves it here
    wk = Wkhtmltopdf() if "wkhtmltopdf" not in args.skip and Wkhtmltopdf.available() else None
    counter = iter(range(1, 10**9))

    def pagepress_render(url: str) -> tuple[bytes, dict]:
        cid = f"warm-{next(counter)}"
        pdf, drawn = pagepress.render(url, cid)
        return pdf, {**step_log.by_correlation.pop(cid, {}), **drawn}

    systems = {"bare": bare.render, "pagepress": pagepress_render}
    reps_of = {}
    if "guard" not in args.skip and args.guard_reps > 0:
        systems["bare+guard"] = lambda url: bare.render(url, guard=True)
        reps_of["bare+guard"] = args.guard_reps
    if wk is not None and args.wk_reps > 0:
        systems["wkhtmltopdf"] = wk.render
        reps_of["wkhtmltopdf"] = args.wk_reps
    out["systems"] = list(systems)
    try:
        for render in systems.values():  # one discarded render each: launched and warm
            render(base + "/short.html")
        _say(
            f"warm latency: {len(corpus.pages)} pages x {args.reps} reps, systems interleaved "
            f"({', '.join(f'{s} x{reps_of.get(s, args.reps)}' for s in systems)})"
        )
        warm = measure.warm_latency(systems, corpus.pages, base, args.reps, reps_of, log=_say)
        clock.lap("warm latency")
        pdfs = warm.pop("pdfs")
        out["warm"] = warm
        out["completeness"] = {
            p.name: {s: completeness(p, pdf) for s, pdf in pdfs[p.name].items()} for p in corpus.pages
        }
        out["pypdf_rewrite_ms"] = {
            name: measure.timed(stamp_metadata, by_system["bare"], "Title", base)[0]
            for name, by_system in pdfs.items()
            if "bare" in by_system
        }

        if "batch" not in args.skip and args.batch_rounds > 0:
            _say(
                f"renderer batch: {len(mixed_urls)} mixed pages at concurrency {concurrency}, "
                f"{args.batch_rounds} round(s) per system"
            )
            batch: dict[str, list[float]] = {"bare": [], "pagepress": []}
            for rnd in range(args.batch_rounds):
                for system in ["bare", "pagepress"] if rnd % 2 == 0 else ["pagepress", "bare"]:
                    render = bare.render if system == "bare" else pagepress.render
                    batch[system].append(measure.batch_wall_ms(render, mixed_urls, concurrency))
                    _say(f"  {system:<9} round {rnd + 1}: {batch[system][-1]:7.0f} ms")
            out["renderer_batch"] = {"pages": len(mixed_urls), "concurrency": concurrency, "wall_ms": batch}
            clock.lap("renderer batch")
        pagepress.close()
        still_open = None

        if "e2e" not in args.skip:
            out["e2e"] = _end_to_end(args, corpus, server, bare, mixed_urls, concurrency)
            clock.lap("end to end")
    finally:
        if still_open is not None:
            still_open.close()
        bare.close()

    if "memory" not in args.skip and args.memory_conversions > 0:
        pool = args.memory_pool
        _say(
            f"memory: {args.memory_conversions} conversions through a fresh PagePress renderer at concurrency "
            f"{concurrency}, cycling {', '.join(p.name for p in pool)}"
        )
        out["memory"] = measure.memory_run(
            lambda: PagePress(port),
            [base + p.path for p in pool],
            args.memory_conversions,
            concurrency,
            args.memory_sample_every,
            log=_say,
        )
        out["memory"]["pages"] = [p.name for p in pool]
        clock.lap("memory")
    return out


def _end_to_end(
    args: argparse.Namespace,
    corpus: Corpus,
    server: PageServer,
    bare: Bare,
    mixed_urls: list[str],
    renderer_concurrency: int,
) -> dict:
    single_url = server.base + corpus.mixed_paths[0]
    _say("end-to-end: starting the local stack (python -m devstack)...")
    stack = LocalStackRun(server.port, poll_interval=args.poll_ms / 1000, batch_poll_interval=args.batch_poll_ms / 1000)
    out: dict[str, Any] = {
        "single_page": corpus.mixed_paths[0],
        "poll_interval_ms": args.poll_ms,
        "batch_poll_interval_ms": args.batch_poll_ms,
    }
    try:
        stack.start()
        out["stack_startup_s"] = round(stack.startup_seconds, 1)
        ms, _, entry = stack.request_to_ready(single_url)  # the stack's first job launches its browser
        out["first_request_ms"] = round(ms)
        _say(
            f"  stack up in {stack.startup_seconds:.1f} s; first request (browser launch) -> {entry['status']} "
            f"in {ms:.0f} ms"
        )
        concurrency, source = stack.render_concurrency()
        if concurrency is None:
            concurrency, source = renderer_concurrency, "the bench's renderer"
        out["stack_render_concurrency"], out["stack_render_concurrency_source"] = concurrency, source

        single: dict[str, list[float]] = {"stack": [], "bare": [], "post": []}
        failed: list[str] = []
        start = stack.log_offset()
        for rep in range(args.e2e_single):
            for system in ["stack", "bare"] if rep % 2 == 0 else ["bare", "stack"]:
                if system == "bare":
                    single["bare"].append(measure.timed(bare.render, single_url)[0])
                else:
                    ms, post_ms, entry = stack.request_to_ready(single_url)
                    single["stack"].append(ms)
                    single["post"].append(post_ms)
                    if entry["status"] != "ready":
                        failed.append(str(entry.get("error")))
            _say(
                f"  single rep {rep + 1}: request -> ready {single['stack'][-1]:6.0f} ms, "
                f"bare render {single['bare'][-1]:6.0f} ms"
            )
        out["single_ms"] = single
        out["single_failed"] = failed
        out["single_steps"] = from_log_lines(stack.log_lines(start))
        out["single_503_retries"], stack.unavailable = stack.unavailable, []

        batch: dict[str, list[float]] = {"stack": [], f"bare@{concurrency}": [], f"bare@{len(mixed_urls)}": []}
        batch_cpu: dict[str, list[dict[str, float]]] = {system: [] for system in batch}
        batch_failed: list[str] = []
        start = stack.log_offset()
        stack_tree = cpu.tree(stack.pid or 0)
        # Bare's processes: this one (its Playwright client) and its browser, not the page server or the stack.
        bare_tree = cpu.tree(os.getpid(), exclude=lambda: {pid for pid in (server.pid, stack.pid) if pid})
        for rnd in range(args.e2e_rounds):
            order = list(batch)  # bare at the same concurrency is issue 8's comparison; at c, the stricter one
            if rnd % 2:
                order.reverse()
            for system in order:
                with cpu.CpuSampler(stack_tree if system == "stack" else bare_tree) as sampler:
                    if system == "stack":
                        ms, entries = stack.batch_to_ready(mixed_urls)
                        batch_failed += [str(e.get("error")) for e in entries.values() if e["status"] != "ready"]
                    else:
                        ms = measure.batch_wall_ms(bare.render, mixed_urls, int(system.split("@")[1]))
                batch[system].append(ms)
                batch_cpu[system].append(sampler.seconds_by_kind())
                _say(f"  batch round {rnd + 1}: {system:<8} {len(mixed_urls)} pages all done in {ms:6.0f} ms")
        out["batch_pages"] = len(mixed_urls)
        out["batch_ms"] = batch
        out["batch_cpu_ms_per_conversion"] = {
            system: cpu.per_conversion_ms(samples, len(mixed_urls)) for system, samples in batch_cpu.items()
        }
        out["batch_failed"] = batch_failed
        out["batch_steps"] = from_log_lines(stack.log_lines(start))
        out["batch_503_retries"], stack.unavailable = stack.unavailable, []
    except Exception as exc:  # noqa: BLE001 - reported in results.md; the memory run still follows
        out["error"] = f"{type(exc).__name__}: {exc}" + (
            "" if isinstance(exc, StackFailed) else f"\n\nstack log tail:\n{stack.log_tail(2000)}"
        )
        out["stack_log"] = str(stack.log_path)
        _say(f"  end-to-end FAILED: {out['error']} (the stack's log is kept: {stack.log_path})")
    finally:
        stack.stop()
        stack.cleanup(keep_log="error" in out)
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

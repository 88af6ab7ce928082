"""`make simulate`: run the pipeline model, choose the converter's concurrency, rewrite docs/scale.md.

    .venv/bin/python -m scale            # tables between docs/scale.md's markers, plots in docs/scale/

It reads the prod overlay's settings, the measured figures (bench/) and the prices
(docs/prices.yaml); sweeps the event source mapping's maximum concurrency (with the function's
reserved concurrency equal to it) over the two surge scenarios; picks the smallest that keeps
the queue age's p99 within TARGET_P99_QUEUE_AGE_S in both; runs every scenario at that choice;
and records the choice and every manifest input it used in scale/chosen.json, which
tests/unit/test_scale_model.py compares with the manifests.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from chalicelib.capacity import LAMBDA_MB_PER_VCPU, auto_render_concurrency, lambda_capacity
from scale import cost, report, scenarios
from scale.manifests import PipelineSettings, pipeline_settings
from scale.measured import Measured, load_measured
from scale.model import Outcome, simulate
from scale.prices import Prices, load_prices
from scale.requests import per_conversion_counts

OVERLAY = "prod"
CHOSEN = Path(__file__).resolve().parent / "chosen.json"
#: A PDF should be rendering within a minute of its request even in a campaign.
TARGET_P99_QUEUE_AGE_S = 60.0
STEP, MAX_CANDIDATE = 5, 1000  # 1,000: the largest maximumConcurrency Lambda accepts
#: Memory sizes compared for the converter (MB): CPU shares of one vCPU, and the sizes used so far.
MEMORY_CANDIDATES = (885, 1024, 1536, 1769, 2048, 3008, 3538)


def at(settings: PipelineSettings, concurrency: int) -> PipelineSettings:
    return dataclasses.replace(settings, maximum_concurrency=concurrency, reserved_concurrency=concurrency)


def sweep(settings: PipelineSettings, measured: Measured) -> tuple[int, list[tuple[int, Outcome, Outcome]]]:
    """From the concurrency the campaign's rate needs on average (rate x billed time per job),
    rounded down to a step, up by steps until the queue age's p99 meets the target in the
    campaign's full hour and in the burst."""
    per_job_s = cost.ConverterDuration.of(measured, settings.converter_memory_mb, settings.batch_size).ms_per_conversion
    floor = scenarios.CAMPAIGN_JOBS / scenarios.HOUR_S * per_job_s / 1000
    results = []
    for candidate in range(max(STEP, int(floor) // STEP * STEP), MAX_CANDIDATE + 1, STEP):
        trial = at(settings, candidate)
        campaign = simulate(scenarios.campaign(), trial, measured)
        burst = simulate(scenarios.burst(), trial, measured)
        results.append((candidate, campaign, burst))
        p99 = report.percentile(campaign.queue_ages_s, 0.99)
        print(f"  maximum concurrency {candidate}: campaign queue age p99 {p99:.0f} s")
        if all(report.percentile(o.queue_ages_s, 0.99) <= TARGET_P99_QUEUE_AGE_S for o in (campaign, burst)):
            return candidate, results
    raise SystemExit(f"no maximum concurrency up to {MAX_CANDIDATE} meets {TARGET_P99_QUEUE_AGE_S} s")


def memory_rows(prices: Prices, measured: Measured, settings: PipelineSettings) -> list[list[str]]:
    """Each memory size at one page at a time and at what capacity.py would run side by side:
    a batch's time (the measured renders slowed by the size's CPU share), its cost, their product."""
    rows = []
    for memory in MEMORY_CANDIDATES:
        for pages in sorted({1, auto_render_concurrency(*lambda_capacity(memory))}):
            per_page_ms = cost.ConverterDuration.of(measured, memory, pages).ms_per_conversion
            batch_s = per_page_ms * pages / 1000
            dollars = cost.per_thousand(prices, measured, settings, "arm64", memory, pages)["converter Lambda"]
            rows.append(
                [
                    f"{memory}",
                    f"{memory / LAMBDA_MB_PER_VCPU:.2f}",
                    f"{pages}",
                    f"{batch_s:.2f} s",
                    f"{per_page_ms:.0f}",
                    f"${dollars:.4f}",
                    f"{dollars * batch_s:.4f}",
                ]
            )
    return rows


def cost_sections(prices: Prices, measured: Measured, settings: PipelineSettings) -> tuple[str, str]:
    split = {
        arch: cost.per_thousand(prices, measured, settings, arch, settings.converter_memory_mb, settings.batch_size)
        for arch in ("x86_64", "arm64")
    }
    rows = [[service, *(f"${split[a][service]:.4f}" for a in split)] for service in split["arm64"]]
    rows.append(["**total**", *(f"**${sum(split[a].values()):.3f}**" for a in split)])
    counts = per_conversion_counts(settings.batch_size)
    per = ", ".join(f"{call} {n:g}" for call, n in sorted(counts.items()))
    duration = cost.ConverterDuration.of(measured, settings.converter_memory_mb, settings.batch_size)
    body = "\n".join(
        [
            f"Converter at {settings.converter_memory_mb} MB, {settings.batch_size} page(s) per invocation"
            f" ({duration.ms_per_conversion:.0f} ms billed per PDF, modelled from the measured renders);"
            f" API at {settings.api_memory_mb} MB, {measured.api_request_ms:.0f} ms per call (measured"
            " `POST /request`), three calls per PDF (request, list, link). Requests per PDF: " + per + ".",
            "",
            report.table(["service", "x86_64", "arm64"], rows),
        ]
    )
    storage = cost.storage_per_thousand_month(prices, measured)
    competitors = [
        [
            f"[{p.vendor}]({prices.competitor_urls[p.vendor]})",
            p.name,
            f"${p.dollars_per_month:,.0f}",
            f"{p.documents:,}",
            f"${p.per_thousand:.2f}",
        ]
        for p in prices.plans
    ]
    side = "\n".join(
        [
            f"Storage, per 1,000 PDFs kept a month (mean corpus PDF {measured.pdf_bytes_mean / 1e6:.2f} MB): "
            + ", ".join(f"{k} ${v:.4f}" for k, v in storage.items())
            + f"; total ${sum(storage.values()):.4f}.",
            "",
            f"Published per-document prices (as of {prices.competitors_as_of}, as recalled, not fetched):",
            "",
            report.table(["vendor", "plan", "per month", "documents", "per 1,000"], competitors),
        ]
    )
    return body, side


def main() -> None:
    started = time.perf_counter()
    prices, measured = load_prices(), load_measured()
    settings = pipeline_settings(OVERLAY)
    print(f"inputs from ack-manifests/overlays/{OVERLAY}: {settings}")
    chosen, results = sweep(settings, measured)
    final = at(settings, chosen)
    campaign_at_choice = results[-1][1]
    outcomes = [
        campaign_at_choice if s.name == "campaign" else simulate(s, final, measured) for s in scenarios.all_scenarios()
    ]
    report.PLOTS.mkdir(exist_ok=True)
    report.plot_scenarios(outcomes, report.PLOTS / "scenarios.png")
    report.plot_sweep(results, TARGET_P99_QUEUE_AGE_S, chosen, report.PLOTS / "sweep.png")
    priced = [(o, cost.of_outcome(prices, measured, o)) for o in outcomes]
    sweep_rows = [
        [
            str(c),
            report.seconds(report.percentile(camp.queue_ages_s, 0.99)),
            report.seconds(camp.drain_s()),
            report.seconds(report.percentile(burst.queue_ages_s, 0.99)),
        ]
        for c, camp, burst in results
    ]
    per_thousand, storage_and_others = cost_sections(prices, measured, final)
    inputs = [[name, str(value)] for name, value in dataclasses.asdict(final).items() if name not in ("overlay",)] + [
        ["measured renders (bench/results.json)", f"{len(measured.render_ms)} samples, {measured.bench_date}"],
        ["steps around a render", f"{measured.overhead_ms:.0f} ms"],
        ["cold start to first PDF", f"{measured.cold_start_ms:.0f} ms"],
        [
            "CPU / waiting per page at one vCPU (bench/memory_size.json)",
            f"{measured.cpu_ms_per_page:.0f} ms / {measured.wait_ms_per_page:.0f} ms, {measured.memory_size_date}",
        ],
        ["transient failure rate (measured)", f"{measured.transient_failure_rate:.2%}"],
    ]
    report.write_sections(
        {
            "inputs": report.table(["input", "value"], inputs),
            "sweep": report.table(
                ["maximum concurrency", "campaign queue age p99", "campaign drain", "burst queue age p99"], sweep_rows
            )
            + f"\n\nChosen: **{chosen}**, the smallest (in steps of {STEP}, from the campaign's average need)"
            f" whose queue age p99 is within {TARGET_P99_QUEUE_AGE_S:.0f} s in both.",
            "scenarios": report.table(report.SCENARIO_HEADER, report.scenario_rows(priced)),
            "memory": report.table(
                [
                    "memory (MB)",
                    "vCPU",
                    "pages at once",
                    "time per batch (mean)",
                    "billed ms per PDF",
                    "arm64 $ per 1,000 (converter)",
                    "cost × latency ($ × s)",
                ],
                memory_rows(prices, measured, final),
            ),
            "cost": per_thousand,
            "storage": storage_and_others,
        }
    )
    CHOSEN.write_text(json.dumps({"overlay": OVERLAY, **dataclasses.asdict(final)}, indent=1) + "\n")
    if final != settings:
        print(
            f"the manifests say maximumConcurrency {settings.maximum_concurrency}, reservedConcurrentExecutions "
            f"{settings.reserved_concurrency}; the model chose {chosen} for both: set them in "
            f"ack-manifests/overlays/{OVERLAY}"
        )
    print(f"docs/scale.md and docs/scale/*.png rewritten in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

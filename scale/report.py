"""docs/scale.md's generated parts: tables between markers, and the plots beside it."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from scale.model import Outcome  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"
SCALE_MD = DOCS / "scale.md"
PLOTS = DOCS / "scale"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 120 else f"{value / 60:.1f} min"


def scenario_rows(outcomes: list[tuple[Outcome, float]]) -> list[list[str]]:
    rows = []
    for outcome, dollars in outcomes:
        ages = outcome.queue_ages_s
        rows.append(
            [
                outcome.scenario.title,
                f"{outcome.arrived:,}",
                seconds(percentile(ages, 0.5)),
                seconds(percentile(ages, 0.99)),
                seconds(percentile(outcome.end_to_end_s, 0.99)),
                seconds(outcome.drain_s()),
                f"{outcome.dead_lettered:,}",
                f"{max((c for _, c in outcome.concurrency), default=0)}",
                f"{outcome.cold_starts:,}",
                f"${dollars:,.2f}",
                f"${dollars / max(outcome.arrived, 1) * 1000:.3f}",
            ]
        )
    return rows


SCENARIO_HEADER = [
    "scenario",
    "jobs",
    "queue age p50",
    "queue age p99",
    "request → PDF p99",
    "time to drain",
    "DLQ",
    "peak concurrency",
    "cold starts",
    "cost",
    "per 1,000",
]


def replace_between(text: str, marker: str, body: str) -> str:
    """Put ``body`` between <!-- simulate:marker --> and <!-- /simulate:marker -->."""
    start, end = f"<!-- simulate:{marker} -->", f"<!-- /simulate:{marker} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{SCALE_MD}: no {start} ... {end} markers")
    return pattern.sub(lambda _: f"{start}\n{body.strip()}\n{end}", text)


def write_sections(sections: dict[str, str]) -> None:
    text = SCALE_MD.read_text()
    for marker, body in sections.items():
        text = replace_between(text, marker, body)
    SCALE_MD.write_text(text)


def plot_scenarios(outcomes: list[Outcome], path: Path) -> None:
    fig, axes = plt.subplots(len(outcomes), 1, figsize=(9, 2.6 * len(outcomes)))
    for ax, outcome in zip(axes, outcomes, strict=True):
        times = [t / 60 for t, _ in outcome.backlog]
        ax.plot(times, [b for _, b in outcome.backlog], label="jobs queued or in flight", color="tab:blue")
        ax.set_ylabel("jobs")
        twin = ax.twinx()
        twin.plot(times, [c for _, c in outcome.concurrency], label="converter instances busy", color="tab:orange")
        twin.set_ylabel("instances")
        ax.set_title(outcome.scenario.title, fontsize=10)
        ax.set_xlabel("minutes")
        lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        ax.legend(lines, [str(line.get_label()) for line in lines], loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_sweep(sweep: list[tuple[int, Outcome, Outcome]], target_s: float, chosen: int, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 3.4))
    xs = [c for c, _, _ in sweep]
    ax.plot(xs, [percentile(o.queue_ages_s, 0.99) for _, o, _ in sweep], marker="o", label="campaign: queue age p99")
    ax.plot(xs, [percentile(o.queue_ages_s, 0.99) for _, _, o in sweep], marker="s", label="burst: queue age p99")
    ax.axhline(target_s, color="grey", linestyle="--", label=f"target {target_s:.0f} s")
    ax.axvline(chosen, color="tab:green", linestyle=":", label=f"chosen: {chosen}")
    ax.set_yscale("symlog", linthresh=1.0)  # a p99 of 0 s still shows
    ax.set_xlabel("event source mapping maximum concurrency (= reserved concurrency)")
    ax.set_ylabel("seconds")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)

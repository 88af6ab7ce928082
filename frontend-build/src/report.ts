import type { RenderReport } from "./api/types";

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Why a picture may be missing, in plain words; null when nothing was blocked. */
export function blockedSentence(report: RenderReport): string | null {
  const count = report.blocked_requests.count;
  if (count === 0) return null;
  return `${plural(count, "request to a private address was", "requests to private addresses were")} blocked`;
}

export function failedSentence(report: RenderReport): string | null {
  const count = report.failed_requests.count;
  return count === 0 ? null : `${plural(count, "request", "requests")} failed`;
}

export function consoleSentence(report: RenderReport): string | null {
  const count = report.console_errors.count;
  return count === 0 ? null : `${plural(count, "script error", "script errors")} on the page`;
}

const STEP_LABEL: Record<string, string> = {
  queued: "waiting",
  navigate: "loading",
  settle: "settling",
  print: "printing",
  store: "storing",
  total: "in all",
};

/** "loading 420 ms · printing 130 ms · in all 1.2 s" */
export function timingLine(report: RenderReport): string {
  return Object.entries(report.timings_ms)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .map(
      ([step, ms]) =>
        `${STEP_LABEL[step] ?? step} ${ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`}`,
    )
    .join(" · ");
}

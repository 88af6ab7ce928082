import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { RenderReport } from "../api/types";
import { App } from "../App";
import { blockedSentence, timingLine } from "../report";
import { ME, entry, fakeServer, signedIn } from "./fakeServer";

function report(over: Partial<RenderReport> = {}): RenderReport {
  return {
    final_url: "https://example.com/final",
    http_status: 200,
    redirects: ["https://example.com/start"],
    blocked_requests: {
      count: 3,
      examples: [
        { host: "10.0.0.1", reason: "10.0.0.1 is a private address", url: "" },
        { host: "192.168.1.9", reason: "192.168.1.9 is a private address", url: "" },
      ],
    },
    failed_requests: { count: 0, examples: [] },
    console_errors: { count: 1, messages: ["ReferenceError: x is not defined"] },
    timings_ms: { queued: 40, navigate: 420, print: 1300, total: 2100 },
    pdf: { pages: 2, bytes: 4096, outline_entries: 5 },
    ...over,
  };
}

describe("the render report", () => {
  it("says in plain words how many requests were blocked", () => {
    expect(blockedSentence(report())).toBe("3 requests to private addresses were blocked");
    expect(blockedSentence(report({ blocked_requests: { count: 1, examples: [] } }))).toBe(
      "1 request to a private address was blocked",
    );
    expect(blockedSentence(report({ blocked_requests: { count: 0, examples: [] } }))).toBeNull();
    expect(timingLine(report())).toBe(
      "waiting 40 ms · loading 420 ms · printing 1.3 s · in all 2.1 s",
    );
  });

  it("shows the details of a finished file when asked", async () => {
    signedIn();
    const files = [entry({ title: "Blocked bits", report: report() }), entry({ title: "Plain" })];
    render(
      <App
        backoff={{ initialMs: 60_000, factor: 1, maxMs: 60_000 }}
        fetch={fakeServer({ "GET /me": ME, "GET /files": { status: 200, body: { files } } }).fetch}
      />,
    );
    const heading = await screen.findByRole("heading", { name: "Blocked bits" });
    const item = heading.closest("li") as HTMLElement;
    const summary = within(item).getByText("Details");
    await userEvent.click(summary);
    expect(within(item).getByText(/3 requests to private addresses were blocked/)).toBeVisible();
    expect(within(item).getByText("10.0.0.1")).toBeVisible();
    expect(within(item).getByText("https://example.com/start")).toBeVisible();
    expect(within(item).getByText(/2 pages, 4\.0 KB, 5 bookmarks/)).toBeVisible();
    const plain = screen.getByRole("heading", { name: "Plain" }).closest("li") as HTMLElement;
    expect(within(plain).queryByText("Details")).toBeNull(); // no report yet: nothing to show
  });
});

import { describe, expect, it } from "vitest";
import { appendPage, failureText, formatBytes, mergeFirstPage } from "../files";
import { entry } from "./fakeServer";

describe("mergeFirstPage", () => {
  it("takes fresh states for the first page and keeps older loaded pages and their cursor", () => {
    const a = entry({ name: "a", created_at: "2026-01-05T00:00:00Z", status: "pending" });
    const b = entry({ name: "b", created_at: "2026-01-04T00:00:00Z" });
    const c = entry({ name: "c", created_at: "2026-01-03T00:00:00Z" });
    const current = { files: [a, b, c], next: "cur-c" };
    const fresh = { files: [{ ...a, status: "ready" as const }, b], next: "cur-b" };
    const merged = mergeFirstPage(current, fresh);
    expect(merged.files.map((f) => [f.name, f.status])).toEqual([
      ["a", "ready"],
      ["b", "ready"],
      ["c", "ready"],
    ]);
    expect(merged.next).toBe("cur-c");
  });

  it("drops what the server no longer lists when the fresh page is complete", () => {
    const a = entry({ name: "a" });
    const b = entry({ name: "b" });
    expect(mergeFirstPage({ files: [a, b] }, { files: [a] }).files).toEqual([a]);
  });

  it("keeps hidden (just deleted) entries out", () => {
    const a = entry({ name: "a" });
    expect(mergeFirstPage({ files: [] }, { files: [a] }, new Set(["a"])).files).toEqual([]);
  });
});

describe("appendPage", () => {
  it("appends without duplicates and moves the cursor on", () => {
    const a = entry({ name: "a" });
    const b = entry({ name: "b" });
    const out = appendPage({ files: [a], next: "x" }, { files: [a, b], next: undefined });
    expect(out.files.map((f) => f.name)).toEqual(["a", "b"]);
    expect(out.next).toBeUndefined();
  });
});

describe("formatting", () => {
  it("formats sizes for people", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(12345)).toBe("12 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });

  it("explains a failure in plain words, falling back to the server message", () => {
    expect(
      failureText(entry({ status: "failed", error: { code: "timeout", message: "" } })),
    ).toMatch(/took too long/);
    expect(
      failureText(
        entry({
          status: "failed",
          error: { code: "dns_failure", message: "The site's name could not be found" },
        }),
      ),
    ).toBe("The site's name could not be found.");
    expect(
      failureText(
        entry({
          status: "failed",
          error: { code: "weird", message: "The page could not be printed." },
        }),
      ),
    ).toBe("The page could not be printed.");
  });
});

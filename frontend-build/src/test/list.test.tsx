import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { ME, entry, fakeServer, signedIn } from "./fakeServer";

const FAST = { initialMs: 10, factor: 2, maxMs: 40 };

function item(title: string) {
  const heading = screen.getByRole("heading", { name: title });
  const li = heading.closest("li");
  if (!li) throw new Error(`no list item for ${title}`);
  return li;
}

describe("the file list", () => {
  it("explains what to do when it is empty", async () => {
    signedIn();
    render(
      <App
        fetch={
          fakeServer({ "GET /me": ME, "GET /files": { status: 200, body: { files: [] } } }).fetch
        }
      />,
    );
    expect(await screen.findByText(/no pdfs yet/i)).toBeInTheDocument();
    expect(screen.getByText(/no pdfs yet/i).closest(".empty")).toHaveTextContent(
      /paste the address.*press convert/i,
    );
  });

  it("shows every status with what can be done about it", async () => {
    signedIn();
    const files = [
      entry({ title: "Waiting page", status: "pending", size: null, pages: null }),
      entry({ title: "Busy page", status: "processing", size: null, pages: null }),
      entry({
        title: "Done page",
        status: "ready",
        size: 2 * 1024 * 1024,
        pages: 3,
        url: "https://news.example.org/a",
      }),
      entry({
        title: null,
        url: "https://broken.example.net/x",
        status: "failed",
        size: null,
        pages: null,
        error: { code: "http_error", message: "The page answered HTTP 404 Not Found" },
      }),
    ];
    render(
      <App
        backoff={{ initialMs: 60_000, factor: 1, maxMs: 60_000 }}
        fetch={fakeServer({ "GET /me": ME, "GET /files": { status: 200, body: { files } } }).fetch}
      />,
    );
    await screen.findByRole("heading", { name: "Waiting page" });
    const list = screen.getByRole("list", { name: "Your PDFs" });
    expect(
      within(list)
        .getAllByRole("listitem")
        .filter((li) => li.parentElement === list),
    ).toHaveLength(4);

    expect(within(item("Waiting page")).getByText("Pending")).toBeInTheDocument();
    expect(within(item("Waiting page")).queryByRole("button", { name: "Download" })).toBeNull();
    expect(within(item("Busy page")).getByText("Processing")).toBeInTheDocument();

    const done = item("Done page");
    expect(within(done).getByText("Ready")).toBeInTheDocument();
    expect(within(done).getByText("news.example.org")).toBeInTheDocument();
    expect(within(done).getByText("2.0 MB")).toBeInTheDocument();
    expect(within(done).getByText("3 pages")).toBeInTheDocument();
    expect(done.querySelector("time")).toHaveAttribute("dateTime", files[2]!.created_at);
    expect(within(done).getByRole("button", { name: "Download" })).toBeInTheDocument();

    const failed = item("broken.example.net/x");
    expect(within(failed).getByText("Failed")).toBeInTheDocument();
    expect(within(failed).getByText("The page answered HTTP 404 Not Found.")).toBeInTheDocument();
    expect(within(failed).getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  it("follows a job live from pending to processing to ready", async () => {
    signedIn();
    const states = ["pending", "processing", "ready"] as const;
    let n = 0;
    const job = entry({ title: "Live page", status: "pending", size: null, pages: null });
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": () => {
        const status = states[Math.min(n++, 2)]!;
        const ready = status === "ready";
        return {
          status: 200,
          body: { files: [{ ...job, status, size: ready ? 999 : null, pages: ready ? 1 : null }] },
        };
      },
    });
    render(<App backoff={FAST} fetch={server.fetch} />);
    expect(await screen.findByText("Pending")).toBeInTheDocument();
    expect(await screen.findByText("Processing")).toBeInTheDocument();
    expect(await screen.findByText("Ready")).toBeInTheDocument();
    expect(screen.getByText("1 page")).toBeInTheDocument();
    const polls = server.calls.filter((c) => c.path === "/files").length;
    await new Promise((r) => setTimeout(r, 150));
    // Nothing is pending any more: polling has stopped.
    expect(server.calls.filter((c) => c.path === "/files").length).toBe(polls);
  });

  it("retries a failed job", async () => {
    signedIn();
    const failed = entry({
      title: "Flaky",
      status: "failed",
      error: { code: "x", message: "It broke." },
    });
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": { status: 200, body: { files: [failed] } },
      "POST /file/{name}/retry": {
        status: 202,
        body: { ...failed, status: "pending", error: null, attempts: 2 },
      },
    });
    render(<App backoff={{ initialMs: 60_000, factor: 1, maxMs: 60_000 }} fetch={server.fetch} />);
    await userEvent.click(await screen.findByRole("button", { name: "Retry" }));
    expect(await within(item("Flaky")).findByText("Pending")).toBeInTheDocument();
    expect(
      server.calls.some((c) => c.method === "POST" && c.path === `/file/${failed.name}/retry`),
    ).toBe(true);
  });

  it("downloads with one click using the link the API gives", async () => {
    signedIn();
    const f = entry({ title: "Doc" });
    const openUrl = vi.fn();
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": { status: 200, body: { files: [f] } },
      "GET /file/{name}/link": {
        status: 200,
        body: { url: "https://s3.example/x.pdf?sig=1", filename: "Doc.pdf", expires_in: 60 },
      },
    });
    render(<App fetch={server.fetch} openUrl={openUrl} />);
    await userEvent.click(await screen.findByRole("button", { name: "Download" }));
    await waitFor(() =>
      expect(openUrl).toHaveBeenCalledWith("https://s3.example/x.pdf?sig=1", "Doc.pdf"),
    );
  });

  it("shows a ready screenshot as a picture, and downloads it with its own name", async () => {
    signedIn();
    const shot = entry({
      title: "Shot",
      options: { output: "png" },
      filename: "Shot.png",
      pages: 1,
    });
    const doc = entry({ title: "Doc" });
    const openUrl = vi.fn();
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": { status: 200, body: { files: [shot, doc] } },
      "GET /file/{name}/link": {
        status: 200,
        body: { url: "/local-downloads/tok", filename: "Shot.png", expires_in: 60 },
      },
    });
    render(<App fetch={server.fetch} openUrl={openUrl} />);
    const picture = await within(await waitFor(() => item("Shot"))).findByRole("img", {
      name: "Screenshot of Shot",
    });
    expect(picture).toHaveAttribute("src", "/local-downloads/tok");
    expect(within(item("Shot")).queryByText(/page/)).toBeNull();
    expect(within(item("Doc")).queryByRole("img")).toBeNull();
    await userEvent.click(within(item("Shot")).getByRole("button", { name: "Download" }));
    await waitFor(() => expect(openUrl).toHaveBeenCalledWith("/local-downloads/tok", "Shot.png"));
  });

  it("deletes only after confirmation, and says so", async () => {
    signedIn();
    const keep = entry({ title: "Keep me" });
    const gone = entry({ title: "Remove me" });
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": { status: 200, body: { files: [keep, gone] } },
      "DELETE /file/{name}": { status: 204 },
    });
    render(<App fetch={server.fetch} />);
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Remove me" });

    await user.click(within(item("Remove me")).getByRole("button", { name: "Delete" }));
    let dialog = screen.getByRole("dialog", { name: /delete this pdf/i });
    expect(dialog).toHaveTextContent(
      "“Remove me” and its PDF will be deleted for good. This cannot be undone.",
    );
    expect(within(dialog).getByRole("button", { name: "Cancel" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(server.calls.some((c) => c.method === "DELETE")).toBe(false);

    await user.click(within(item("Remove me")).getByRole("button", { name: "Delete" }));
    dialog = screen.getByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByRole("heading", { name: "Remove me" })).toBeNull());
    expect(screen.getByRole("heading", { name: "Keep me" })).toBeInTheDocument();
    expect(screen.getByText("Deleted “Remove me”.")).toBeInTheDocument();
    expect(server.calls.find((c) => c.method === "DELETE")?.path).toBe(`/file/${gone.name}`);
  });

  it("loads more with the cursor and moves focus to the first new item", async () => {
    signedIn();
    const page1 = Array.from({ length: 20 }, (_, i) =>
      entry({
        title: `Page ${i + 1}`,
        created_at: `2026-01-01T00:${String(59 - i).padStart(2, "0")}:00Z`,
      }),
    );
    const page2 = [entry({ title: "Page 21", created_at: "2025-12-31T00:00:00Z" })];
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": (call) =>
        call.query.get("cursor") === "c2"
          ? { status: 200, body: { files: page2 } }
          : { status: 200, body: { files: page1, next: "c2" } },
    });
    render(<App fetch={server.fetch} />);
    await screen.findByRole("heading", { name: "Page 20" });
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    const h = await screen.findByRole("heading", { name: "Page 21" });
    await waitFor(() => expect(h).toHaveFocus());
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    const more = server.calls.filter((c) => c.path === "/files")[1]!;
    expect(more.query.get("cursor")).toBe("c2");
    expect(more.query.get("limit")).toBe("20");
  });
});

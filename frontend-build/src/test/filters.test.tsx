import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { ME, entry, fakeServer, signedIn } from "./fakeServer";

const SLOW = { initialMs: 60_000, factor: 1, maxMs: 60_000 };

describe("finding and clearing out files", () => {
  beforeEach(() => window.history.replaceState(null, "", "/"));

  it("searches on the server, remembers the search in the address bar, and starts from it", async () => {
    signedIn();
    window.history.replaceState(null, "", "/?status=failed");
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": (call) => ({
        status: 200,
        body: {
          files: call.query.get("q") === "invoice" ? [entry({ title: "Invoice 42" })] : [],
        },
      }),
    });
    render(<App backoff={SLOW} fetch={server.fetch} />);
    expect(await screen.findByText(/no pdfs match/i)).toBeInTheDocument();
    expect(screen.getByLabelText("Status")).toHaveValue("failed"); // from the address bar
    expect(server.calls[server.calls.length - 1]!.query.get("status")).toBe("failed");

    await userEvent.type(screen.getByLabelText("Search"), "invoice");
    expect(await screen.findByRole("heading", { name: "Invoice 42" })).toBeInTheDocument();
    expect(new URLSearchParams(window.location.search).get("q")).toBe("invoice");
    await userEvent.selectOptions(screen.getByLabelText("Status"), "");
    await waitFor(() => expect(window.location.search).toBe("?q=invoice"));
    const last = server.calls.filter((c) => c.path === "/files").pop()!;
    expect([last.query.get("q"), last.query.get("status")]).toEqual(["invoice", null]);
  });

  it("deletes several selected files after one confirmation", async () => {
    signedIn();
    const files = [entry({ title: "One" }), entry({ title: "Two" }), entry({ title: "Three" })];
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": { status: 200, body: { files } },
      "DELETE /file/{name}": { status: 204 },
    });
    render(<App backoff={SLOW} fetch={server.fetch} />);
    await userEvent.click(await screen.findByRole("checkbox", { name: "Select “One”" }));
    await userEvent.click(screen.getByRole("checkbox", { name: "Select “Three”" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete selected" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText("Delete 2 PDFs?")).toBeInTheDocument();
    expect(server.calls.some((c) => c.method === "DELETE")).toBe(false);
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByRole("heading", { name: "One" })).toBeNull());
    expect(screen.queryByRole("heading", { name: "Three" })).toBeNull();
    expect(screen.getByRole("heading", { name: "Two" })).toBeInTheDocument();
    const deleted = server.calls.filter((c) => c.method === "DELETE").map((c) => c.path);
    expect(deleted).toEqual([`/file/${files[0]!.name}`, `/file/${files[2]!.name}`]);
    expect(screen.getByText("Deleted 2 PDFs.")).toBeInTheDocument();
  });
});

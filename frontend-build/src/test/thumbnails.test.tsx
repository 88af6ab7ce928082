import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { ME, entry, fakeServer, signedIn } from "./fakeServer";

const SLOW = { initialMs: 60_000, factor: 1, maxMs: 60_000 };

describe("pictures and Open", () => {
  it("shows each ready file's picture and a paper shape for the others", async () => {
    signedIn();
    const files = [
      entry({ title: "Pictured", thumbnail_url: "https://s3.example/t.webp?sig=1" }),
      entry({ title: "Waiting", status: "pending", size: null, pages: null }),
    ];
    const { container } = render(
      <App
        backoff={SLOW}
        fetch={fakeServer({ "GET /me": ME, "GET /files": { status: 200, body: { files } } }).fetch}
      />,
    );
    await screen.findByRole("heading", { name: "Pictured" });
    const pictures = container.querySelectorAll("img.thumb");
    expect(pictures).toHaveLength(1);
    expect(pictures[0]).toHaveAttribute("src", "https://s3.example/t.webp?sig=1");
    expect(container.querySelectorAll(".thumb--empty")).toHaveLength(1);
  });

  it("opens the PDF in a new tab through an inline link, and still downloads", async () => {
    signedIn();
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": { status: 200, body: { files: [entry({ name: "f-open", title: "Doc" })] } },
      "GET /file/{name}/link": (call) => ({
        status: 200,
        body: {
          url: `https://s3.example/x.pdf?${call.query.toString()}`,
          filename: "Doc.pdf",
          expires_in: 60,
        },
      }),
    });
    const openTab = vi.fn();
    const openUrl = vi.fn();
    render(<App backoff={SLOW} fetch={server.fetch} openTab={openTab} openUrl={openUrl} />);
    const item = (await screen.findByRole("heading", { name: "Doc" })).closest("li") as HTMLElement;
    await userEvent.click(within(item).getByRole("button", { name: "Open" }));
    await waitFor(() =>
      expect(openTab).toHaveBeenCalledWith("https://s3.example/x.pdf?disposition=inline"),
    );
    await userEvent.click(within(item).getByRole("button", { name: "Download" }));
    await waitFor(() =>
      expect(openUrl).toHaveBeenCalledWith("https://s3.example/x.pdf?", "Doc.pdf"),
    );
  });
});

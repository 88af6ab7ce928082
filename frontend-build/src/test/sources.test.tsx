import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { ME, type Handlers, entry, fakeServer, signedIn } from "./fakeServer";

function server(reply?: Handlers["POST /request"]) {
  return fakeServer({
    "GET /me": ME,
    "GET /files": { status: 200, body: { files: [] } },
    "POST /request":
      reply ??
      ((call) => ({
        status: 202,
        body: entry({
          url: "",
          source: call.body instanceof FormData ? "markdown" : "html",
          status: "pending",
          title: null,
        }),
      })),
  });
}

describe("converting HTML and files", () => {
  it("sends pasted HTML with the options and lists it as pasted HTML", async () => {
    signedIn();
    const s = server();
    const user = userEvent.setup();
    render(<App fetch={s.fetch} />);
    await user.click(await screen.findByLabelText("Paste HTML"));
    await user.click(screen.getByLabelText("HTML"));
    await user.paste("<h1>Invoice 42</h1>");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await screen.findByRole("heading", { name: "Pasted HTML" });
    const call = s.calls.find((c) => c.path === "/request")!;
    expect(call.body).toMatchObject({ html: "<h1>Invoice 42</h1>", options: { format: "A4" } });
    expect(call.headers.get("Idempotency-Key")).toBeTruthy();
    expect(screen.getByLabelText("HTML")).toHaveValue("");
    expect(screen.getByText(/Added your HTML to your PDFs/)).toBeInTheDocument();
  });

  it("uploads a Markdown file as multipart form data", async () => {
    signedIn();
    const s = server();
    const user = userEvent.setup();
    render(<App fetch={s.fetch} />);
    await user.click(await screen.findByLabelText("Upload a file"));
    const notes = new File(["# Notes\n"], "notes.md", { type: "text/markdown" });
    await user.upload(screen.getByLabelText("File"), notes);
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await screen.findByRole("heading", { name: "Markdown file" });
    const form = s.calls.find((c) => c.path === "/request")!.body as FormData;
    expect((form.get("file") as File).name).toBe("notes.md");
    expect(await (form.get("file") as File).text()).toBe("# Notes\n");
    expect(JSON.parse(form.get("options") as string)).toMatchObject({ format: "A4" });
  });

  it("says what is wrong before sending: nothing pasted, no file, a wrong type", async () => {
    signedIn();
    const s = server();
    const user = userEvent.setup({ applyAccept: false });
    render(<App fetch={s.fetch} />);
    await user.click(await screen.findByLabelText("Paste HTML"));
    await user.click(screen.getByRole("button", { name: "Convert" }));
    expect(screen.getByLabelText("HTML")).toHaveAccessibleDescription(/paste the html/i);
    expect(screen.getByLabelText("HTML")).toHaveFocus();
    await user.click(screen.getByLabelText("Upload a file"));
    await user.click(screen.getByRole("button", { name: "Convert" }));
    expect(screen.getByLabelText("File")).toHaveAccessibleDescription(
      /choose an \.html or \.md file/i,
    );
    await user.upload(
      screen.getByLabelText("File"),
      new File(["%PDF"], "doc.pdf", { type: "application/pdf" }),
    );
    await user.click(screen.getByRole("button", { name: "Convert" }));
    expect(screen.getByLabelText("File")).toHaveAccessibleDescription(
      /choose an \.html or \.md file/i,
    );
    expect(s.calls.filter((c) => c.path === "/request")).toHaveLength(0);
  });

  it("shows the server's refusal on the field it names", async () => {
    signedIn();
    const s = server({
      status: 413,
      body: {
        error: {
          code: "html_too_large",
          message: "The html is larger than 2097152 bytes.",
          field: "html",
        },
      },
    });
    const user = userEvent.setup();
    render(<App fetch={s.fetch} />);
    await user.click(await screen.findByLabelText("Paste HTML"));
    await user.click(screen.getByLabelText("HTML"));
    await user.paste("<p>big</p>");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() =>
      expect(screen.getByLabelText("HTML")).toHaveAccessibleDescription(
        /larger than 2097152 bytes/,
      ),
    );
    expect(screen.getByLabelText("HTML")).toHaveValue("<p>big</p>");
  });
});

import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { DEFAULT_OPTIONS, OPTIONS_KEY, loadOptions } from "../options";
import { ME, entry, fakeServer, signedIn } from "./fakeServer";

function server(extra = {}) {
  return fakeServer({
    "GET /me": ME,
    "GET /files": { status: 200, body: { files: [] } },
    "POST /request": (call) => ({
      status: 202,
      body: entry({ url: (call.body as { url: string }).url, status: "pending", title: null }),
    }),
    ...extra,
  });
}

/** Signed in, the app rendered against a fake server, the options panel open. */
async function withOptionsOpen() {
  signedIn();
  const s = server();
  const user = userEvent.setup();
  render(<App fetch={s.fetch} />);
  await user.click(await screen.findByText("Options"));
  return { s, user };
}

describe("conversion options", () => {
  it("are remembered for next time", async () => {
    signedIn();
    const user = userEvent.setup();
    const first = render(<App fetch={server().fetch} />);
    await user.click(await screen.findByText("Options"));
    await user.selectOptions(screen.getByLabelText("Page size"), "Letter");
    await user.click(screen.getByLabelText("Landscape"));
    await user.clear(screen.getByLabelText("Scale"));
    await user.click(screen.getByLabelText("Scale"));
    await user.paste("0.8");
    await user.click(screen.getByLabelText("Screen (as it looks in a browser)"));
    await user.click(screen.getByLabelText("Print background graphics"));
    await user.click(screen.getByLabelText("Wait for element (CSS selector)"));
    await user.paste("#main");
    await user.clear(screen.getByLabelText("Top margin"));
    await user.click(screen.getByLabelText("Top margin"));
    await user.paste("2cm");
    first.unmount();

    expect(JSON.parse(localStorage.getItem(OPTIONS_KEY)!)).toMatchObject({
      format: "Letter",
      landscape: true,
    });

    render(<App fetch={server().fetch} />);
    await user.click(await screen.findByText("Options"));
    expect(screen.getByLabelText("Page size")).toHaveValue("Letter");
    expect(screen.getByLabelText("Landscape")).toBeChecked();
    expect(screen.getByLabelText("Scale")).toHaveValue(0.8);
    expect(screen.getByLabelText("Screen (as it looks in a browser)")).toBeChecked();
    expect(screen.getByLabelText("Print background graphics")).not.toBeChecked();
    expect(screen.getByLabelText("Wait for element (CSS selector)")).toHaveValue("#main");
    expect(screen.getByLabelText("Top margin")).toHaveValue("2cm");
  });

  it("fall back to the defaults when what was stored is garbage", () => {
    localStorage.setItem(OPTIONS_KEY, '{"format":"B7","scale":5,"landscape":"yes"');
    expect(loadOptions()).toEqual(DEFAULT_OPTIONS);
    localStorage.setItem(OPTIONS_KEY, JSON.stringify({ format: "B7", landscape: true }));
    expect(loadOptions()).toEqual({ ...DEFAULT_OPTIONS, landscape: true });
  });

  it("are sent with the URL, with a fresh Idempotency-Key per submit", async () => {
    const { s, user } = await withOptionsOpen();
    await user.selectOptions(screen.getByLabelText("Page size"), "A3");
    await user.type(screen.getByLabelText("Page URL"), "example.com/a");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await screen.findByRole("heading", { name: "example.com/a" });
    await user.type(screen.getByLabelText("Page URL"), "https://example.com/b");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() => expect(s.calls.filter((c) => c.path === "/request")).toHaveLength(2));
    const [a, b] = s.calls.filter((c) => c.path === "/request");
    expect(a!.body).toEqual({
      url: "https://example.com/a",
      options: {
        format: "A3",
        landscape: false,
        margin: { top: "1cm", right: "1cm", bottom: "1cm", left: "1cm" },
        scale: 1,
        print_background: true,
        media: "print",
      },
    });
    expect(a!.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(b!.headers.get("Idempotency-Key")).not.toBe(a!.headers.get("Idempotency-Key"));
  });

  it("are checked before sending, next to the field", async () => {
    const { s, user } = await withOptionsOpen();
    await user.clear(screen.getByLabelText("Scale"));
    await user.type(screen.getByLabelText("Scale"), "3");
    await user.type(screen.getByLabelText("Page URL"), "https://example.com");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    expect(screen.getByLabelText("Scale")).toHaveAccessibleDescription(/must be from 0\.1 to 2/i);
    await waitFor(() => expect(screen.getByLabelText("Scale")).toHaveFocus());
    expect(s.calls.some((c) => c.path === "/request")).toBe(false);
  });

  it("show server errors next to the URL or option they concern", async () => {
    signedIn();
    let reply = {
      status: 400,
      body: {
        error: {
          code: "blocked_destination",
          message: "That address is not allowed.",
          field: "url",
        },
      },
    };
    const s = server({ "POST /request": () => reply });
    const user = userEvent.setup();
    render(<App fetch={s.fetch} />);
    await user.type(await screen.findByLabelText("Page URL"), "http://10.0.0.1/");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Page URL")).toHaveAccessibleDescription(
        /that address is not allowed/i,
      ),
    );

    reply = {
      status: 400,
      body: {
        error: {
          code: "invalid_input",
          message: "Margin too large.",
          field: "options.margin.left",
        },
      },
    };
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Left margin")).toHaveAccessibleDescription(/margin too large/i),
    );
  });

  it("send the page, waiting and failure options a person chose", async () => {
    const { s, user } = await withOptionsOpen();
    await user.click(screen.getByLabelText("Pages to print"));
    await user.paste("1-3, 5");
    await user.click(screen.getByLabelText("Use the page's own paper size (CSS @page)"));
    await user.selectOptions(screen.getByLabelText("Colour scheme"), "dark");
    await user.click(screen.getByLabelText("Reduce motion"));
    await user.click(screen.getByLabelText("Transparent background"));
    await user.click(screen.getByLabelText("User agent"));
    await user.paste("ReportBot/2");
    await user.click(screen.getByLabelText("Wait until JavaScript is true"));
    await user.paste("window.ready");
    await user.click(screen.getByLabelText("Fail when the page answers"));
    await user.paste("404, 5xx");
    await user.click(screen.getByLabelText("Fail when a resource answers"));
    await user.paste("4XX");
    await user.click(screen.getByLabelText("Fail if a resource cannot be loaded"));
    await user.click(screen.getByLabelText("Fail on uncaught script errors"));
    await user.click(screen.getByLabelText("Download name"));
    await user.paste("Quarterly report");
    await user.click(screen.getByLabelText("Page URL"));
    await user.paste("https://example.com/q");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() => expect(s.calls.filter((c) => c.path === "/request")).toHaveLength(1));
    const sent = s.calls.find((c) => c.path === "/request")!.body as { options: object };
    expect(sent.options).toMatchObject({
      page_ranges: "1-3, 5",
      prefer_css_page_size: true,
      omit_background: true,
      media_features: [
        { name: "prefers-color-scheme", value: "dark" },
        { name: "prefers-reduced-motion", value: "reduce" },
      ],
      user_agent: "ReportBot/2",
      wait_for_expression: "window.ready",
      fail_on_http_status: [404, "5xx"],
      fail_on_resource_http_status: ["4xx"],
      fail_on_resource_loading_failed: true,
      fail_on_console_exceptions: true,
      filename: "Quarterly report",
    });
    // The download name is for that one conversion; the rest is remembered.
    await waitFor(() => expect(screen.getByLabelText("Download name")).toHaveValue(""));
    expect(JSON.parse(localStorage.getItem(OPTIONS_KEY)!)).toMatchObject({
      pageRanges: "1-3, 5",
      colorScheme: "dark",
    });
    expect(JSON.parse(localStorage.getItem(OPTIONS_KEY)!)).not.toHaveProperty("filename");
  });

  it("ask for a screenshot instead of a PDF", async () => {
    const { s, user } = await withOptionsOpen();
    await user.selectOptions(screen.getByLabelText("Output"), "jpeg");
    expect(screen.queryByLabelText("Page size")).toBeNull();
    await user.click(screen.getByLabelText("The whole page (not just the first screen)"));
    await user.click(screen.getByLabelText("Quality"));
    await user.paste("70");
    await user.click(screen.getByLabelText("Page URL"));
    await user.paste("https://example.com/shot");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() => expect(s.calls.filter((c) => c.path === "/request")).toHaveLength(1));
    const sent = s.calls.find((c) => c.path === "/request")!.body as {
      options: Record<string, unknown>;
    };
    expect(sent.options).toMatchObject({ output: "jpeg", full_page: false, quality: 70 });
    expect(sent.options).not.toHaveProperty("media");
    expect(sent.options).not.toHaveProperty("page_ranges");
  });

  it("check page ranges and statuses before sending", async () => {
    const { s, user } = await withOptionsOpen();
    await user.click(screen.getByLabelText("Pages to print"));
    await user.paste("5-2");
    await user.click(screen.getByLabelText("Fail when a resource answers"));
    await user.paste("404, 6xx");
    await user.click(screen.getByLabelText("Page URL"));
    await user.paste("https://example.com");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    expect(screen.getByLabelText("Pages to print")).toHaveAccessibleDescription(/ranges forwards/i);
    expect(screen.getByLabelText("Fail when a resource answers")).toHaveAccessibleDescription(
      /status codes or classes/i,
    );
    await waitFor(() => expect(screen.getByLabelText("Pages to print")).toHaveFocus());
    expect(s.calls.some((c) => c.path === "/request")).toBe(false);
  });

  it("place a server error on a media feature next to the colour scheme", async () => {
    signedIn();
    const s = server({
      "POST /request": () => ({
        status: 400,
        body: {
          error: {
            code: "invalid_input",
            message: "prefers-color-scheme takes one of light, dark, no-preference.",
            field: "options.media_features.0.value",
          },
        },
      }),
    });
    const user = userEvent.setup();
    render(<App fetch={s.fetch} />);
    await user.type(await screen.findByLabelText("Page URL"), "https://example.com");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Colour scheme")).toHaveAccessibleDescription(/takes one of/i),
    );
  });

  it("send headers and cookies for the page's site, never remember them, and clear them after", async () => {
    const { s, user } = await withOptionsOpen();
    await user.click(screen.getByLabelText("Request headers"));
    await user.paste("Authorization: Bearer s3cret\n\nX-Tenant:acme");
    await user.click(screen.getByLabelText("Cookies"));
    await user.paste("session=c00kie=1");
    await user.click(screen.getByLabelText("Page URL"));
    await user.paste("https://intranet.example.com/report");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() => expect(s.calls.filter((c) => c.path === "/request")).toHaveLength(1));
    const sent = s.calls.find((c) => c.path === "/request")!.body as { options: object };
    expect(sent.options).toMatchObject({
      headers: { Authorization: "Bearer s3cret", "X-Tenant": "acme" },
      cookies: [{ name: "session", value: "c00kie=1" }],
    });
    await waitFor(() => expect(screen.getByLabelText("Request headers")).toHaveValue(""));
    expect(screen.getByLabelText("Cookies")).toHaveValue("");
    expect(localStorage.getItem(OPTIONS_KEY) ?? "").not.toMatch(/s3cret|c00kie/);
  });

  it("check header and cookie lines before sending, and place the server's refusal next to them", async () => {
    const refusal = {
      status: 400,
      body: {
        error: {
          code: "invalid_input",
          message: "host is a forbidden request header (Fetch standard).",
          field: "options.headers.Host",
        },
      },
    };
    signedIn();
    const s = server({ "POST /request": () => refusal });
    const user = userEvent.setup();
    render(<App fetch={s.fetch} />);
    await user.click(await screen.findByText("Options"));
    await user.click(screen.getByLabelText("Request headers"));
    await user.paste("Bearer without a name");
    await user.click(screen.getByLabelText("Cookies"));
    await user.paste("session=has space");
    await user.click(screen.getByLabelText("Page URL"));
    await user.paste("https://example.com");
    await user.click(screen.getByRole("button", { name: "Convert" }));
    expect(screen.getByLabelText("Request headers")).toHaveAccessibleDescription(/lines like/i);
    expect(screen.getByLabelText("Cookies")).toHaveAccessibleDescription(/lines like session=abc/i);
    expect(s.calls.some((c) => c.path === "/request")).toBe(false);

    await user.clear(screen.getByLabelText("Request headers"));
    await user.click(screen.getByLabelText("Request headers"));
    await user.paste("Host: evil.example");
    await user.clear(screen.getByLabelText("Cookies"));
    await user.click(screen.getByRole("button", { name: "Convert" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Request headers")).toHaveAccessibleDescription(
        /forbidden request header/i,
      ),
    );
  });

  it("has a clear button for the URL", async () => {
    signedIn();
    const user = userEvent.setup();
    render(<App fetch={server().fetch} />);
    await user.type(await screen.findByLabelText("Page URL"), "https://example.com");
    await user.click(screen.getByRole("button", { name: "Clear URL" }));
    expect(screen.getByLabelText("Page URL")).toHaveValue("");
    expect(screen.getByLabelText("Page URL")).toHaveFocus();
  });
});

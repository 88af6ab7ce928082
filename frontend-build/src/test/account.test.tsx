import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { ME, fakeServer, signedIn } from "./fakeServer";

const USAGE = {
  status: 200,
  body: {
    requests_per_minute: { used: 0, limit: 10 },
    unfinished_jobs: { used: 1, limit: 5 },
    stored_bytes: { used: 3 * 1024 * 1024, limit: 100 * 1024 * 1024 },
    files: 7,
  },
};
const SLOW = { initialMs: 60_000, factor: 1, maxMs: 60_000 };

function server(extra: Parameters<typeof fakeServer>[0] = {}) {
  return fakeServer({
    "GET /me": ME,
    "GET /files": { status: 200, body: { files: [] } },
    "GET /usage": USAGE,
    ...extra,
  });
}

describe("the account page", () => {
  beforeEach(() => window.history.replaceState(null, "", "/"));

  it("is one click from the list and shows files, storage and what is being made", async () => {
    signedIn();
    render(<App backoff={SLOW} fetch={server().fetch} />);
    await userEvent.click(await screen.findByRole("link", { name: "Account" }));
    expect(window.location.pathname).toBe("/account");
    expect(await screen.findByText("7")).toBeInTheDocument();
    expect(screen.getByText("3.0 MB of 100 MB")).toBeInTheDocument();
    expect(screen.getByText("1 of at most 5")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Account" })).toHaveAttribute("aria-current", "page");
  });

  it("changes the password, keeps the new session, and says a wrong one on its field", async () => {
    signedIn();
    window.history.replaceState(null, "", "/account");
    const fake = server({
      "POST /password": (call) =>
        (call.body as { current_password: string }).current_password === "right one!"
          ? { status: 200, body: { token: "tok-2", expires_at: "2099-01-01T00:00:00Z" } }
          : {
              status: 401,
              body: {
                error: {
                  code: "wrong_password",
                  message: "The password is wrong.",
                  field: "current_password",
                },
              },
            },
    });
    render(<App backoff={SLOW} fetch={fake.fetch} />);
    await userEvent.type(await screen.findByLabelText("Current password"), "wrong one");
    await userEvent.type(screen.getByLabelText(/^New password/), "battery staple");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("The password is wrong.")).toBeInTheDocument();
    expect(screen.getByLabelText("Current password")).toHaveAttribute("aria-invalid", "true");
    expect(window.location.pathname).toBe("/account"); // still signed in

    await userEvent.clear(screen.getByLabelText("Current password"));
    await userEvent.type(screen.getByLabelText("Current password"), "right one!");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText(/password changed/i)).toBeInTheDocument();
    expect(JSON.parse(localStorage.getItem("pagepress.session") ?? "{}").token).toBe("tok-2");
  });

  it("deletes the account only after confirming, then lands on sign-up", async () => {
    signedIn();
    window.history.replaceState(null, "", "/account");
    const fake = server({ "DELETE /me": { status: 204 } });
    render(<App backoff={SLOW} fetch={fake.fetch} />);
    await userEvent.type(await screen.findByLabelText("Your password"), "correct horse");
    await userEvent.click(screen.getByRole("button", { name: "Delete my account" }));
    expect(fake.calls.some((c) => c.method === "DELETE")).toBe(false); // asked first
    await userEvent.click(await screen.findByRole("button", { name: "Delete everything" }));
    await waitFor(() => expect(window.location.pathname).toBe("/sign-up"));
    expect(await screen.findByText(/account and all its PDFs are deleted/i)).toBeInTheDocument();
    const closing = fake.calls.find((c) => c.method === "DELETE" && c.path === "/me");
    expect(closing?.body).toEqual({ password: "correct horse" });
    expect(localStorage.getItem("pagepress.session")).toBeNull();
  });
});

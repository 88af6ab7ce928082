import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { ME, fakeServer, signedIn } from "./fakeServer";

afterEach(() => {
  vi.useRealTimers();
});

describe("when the session ends", () => {
  it("lands on sign-in saying the account signed in elsewhere", async () => {
    signedIn();
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": {
        status: 401,
        body: { error: { code: "session_replaced", message: "Signed in elsewhere." } },
      },
    });
    render(<App fetch={server.fetch} />);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(
      "You were signed out because your account signed in somewhere else.",
    );
    expect(screen.getByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveValue("ann@example.com");
    expect(window.location.pathname).toBe("/sign-in");
    expect(localStorage.getItem("pagepress.session")).toBeNull();
  });

  it("says the session expired when the API answers token_expired", async () => {
    signedIn();
    const server = fakeServer({
      "GET /me": { status: 401, body: { error: { code: "token_expired", message: "Expired." } } },
      "GET /files": {
        status: 401,
        body: { error: { code: "token_expired", message: "Expired." } },
      },
    });
    render(<App fetch={server.fetch} />);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Your session expired. Please sign in again.",
    );
  });

  it("says the session expired when a stored token is past expires_at", () => {
    signedIn(new Date(Date.now() - 1000).toISOString());
    render(<App fetch={fakeServer({}).fetch} />);
    expect(screen.getByRole("alert")).toHaveTextContent(
      "Your session expired. Please sign in again.",
    );
  });

  it("ends the session at expires_at while the page sits open", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    signedIn(new Date(Date.now() + 60_000).toISOString());
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": { status: 200, body: { files: [] } },
    });
    render(<App fetch={server.fetch} />);
    expect(await screen.findByRole("button", { name: "Sign out" })).toBeInTheDocument();
    await act(async () => {
      vi.advanceTimersByTime(61_000);
    });
    expect(screen.getByRole("alert")).toHaveTextContent(
      "Your session expired. Please sign in again.",
    );
  });
});

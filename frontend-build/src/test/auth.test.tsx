import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { ME, fakeServer } from "./fakeServer";

function goTo(path: string) {
  window.history.replaceState(null, "", path);
}

describe("sign up", () => {
  it("shows the e-mail and password rules before anything is typed", () => {
    goTo("/sign-up");
    render(<App fetch={fakeServer({}).fetch} />);
    expect(
      screen.getByRole("heading", { name: /create your pagepress account/i }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toHaveAccessibleDescription(/name@example\.com/);
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(
      /between 8 and 128 characters/i,
    );
  });

  it("explains a broken rule next to the field and sends nothing", async () => {
    goTo("/sign-up");
    const server = fakeServer({});
    render(<App fetch={server.fetch} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "not-an-email");
    await user.type(screen.getByLabelText("Password"), "short");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Email")).toHaveAccessibleDescription(
      /enter a valid e-mail address/i,
    );
    expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(
      /too short: 5 of at least 8/i,
    );
    expect(screen.getByLabelText("Email")).toHaveFocus();
    expect(server.calls).toHaveLength(0);
  });

  it("shows a server error next to the field it names", async () => {
    goTo("/sign-up");
    const server = fakeServer({
      "POST /sign-up": {
        status: 409,
        body: { error: { code: "email_taken", message: "That e-mail is taken.", field: "email" } },
      },
    });
    render(<App fetch={server.fetch} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "long enough pw");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Email")).toHaveAccessibleDescription(/already exists/i),
    );
    expect(screen.getByLabelText("Email")).toHaveAttribute("aria-invalid", "true");
    expect(server.calls[0]?.body).toEqual({ email: "ann@example.com", password: "long enough pw" });
  });

  it('puts a 400 with field "password" under Password', async () => {
    goTo("/sign-up");
    const server = fakeServer({
      "POST /sign-up": {
        status: 400,
        body: {
          error: { code: "invalid_input", message: "Password is too common.", field: "password" },
        },
      },
    });
    render(<App fetch={server.fetch} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "password1");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    await waitFor(() =>
      expect(screen.getByLabelText("Password")).toHaveAccessibleDescription(/too common/i),
    );
  });

  it("signs the new account in and opens the app", async () => {
    goTo("/sign-up");
    const server = fakeServer({
      "POST /sign-up": { status: 201, body: { id: "u1", email: "ann@example.com" } },
      "POST /sign-in": {
        status: 200,
        body: { token: "tok-9", expires_at: "2999-01-01T00:00:00Z" },
      },
      "GET /me": ME,
      "GET /files": { status: 200, body: { files: [] } },
    });
    render(<App fetch={server.fetch} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "long enough pw");
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("button", { name: "Sign out" })).toBeInTheDocument();
    expect(await screen.findByText(/no pdfs yet/i)).toBeInTheDocument();
    const files = server.calls.find((c) => c.path === "/files");
    expect(files?.headers.get("Authorization")).toBe("Bearer tok-9");
    expect(window.location.pathname).toBe("/");
  });
});

describe("sign in", () => {
  it("shows wrong credentials as an alert on the form", async () => {
    goTo("/sign-in");
    const server = fakeServer({
      "POST /sign-in": {
        status: 401,
        body: { error: { code: "invalid_credentials", message: "Wrong e-mail or password." } },
      },
    });
    render(<App fetch={server.fetch} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "whatever1");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      /e-mail address or password is not right/i,
    );
  });

  it("tells how long to wait after too many attempts", async () => {
    goTo("/sign-in");
    const server = fakeServer({
      "POST /sign-in": {
        status: 429,
        headers: { "Retry-After": "42" },
        body: { error: { code: "too_many_attempts", message: "Slow down." } },
      },
    });
    render(<App fetch={server.fetch} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "whatever1");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/wait 42 seconds/i);
    expect(screen.getByRole("button", { name: "Sign in" })).toBeDisabled();
  });

  it("signs out and says so", async () => {
    localStorage.setItem(
      "pagepress.session",
      JSON.stringify({ token: "t", expiresAt: "2999-01-01T00:00:00Z", email: "ann@example.com" }),
    );
    const server = fakeServer({
      "GET /me": ME,
      "GET /files": { status: 200, body: { files: [] } },
      "POST /sign-out": { status: 204 },
    });
    render(<App fetch={server.fetch} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Sign out" }));
    expect(
      await screen.findByRole("heading", { name: /sign in to pagepress/i }),
    ).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(/you have signed out/i);
    expect(localStorage.getItem("pagepress.session")).toBeNull();
    expect(server.calls.some((c) => c.method === "POST" && c.path === "/sign-out")).toBe(true);
  });
});

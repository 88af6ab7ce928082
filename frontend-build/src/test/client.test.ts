import { describe, expect, it, vi } from "vitest";
import { createApi } from "../api/client";
import { ApiError } from "../api/errors";
import { entry } from "./fakeServer";

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

describe("the API client", () => {
  it("calls /api/v1 on the configured origin with the bearer token", async () => {
    const fetch = vi.fn(async (_: Request) => json(200, { id: "u", email: "a@b.co" }));
    const api = createApi({
      baseUrl: "https://api.example.com",
      getToken: () => "tk",
      onSessionEnded: vi.fn(),
      fetch,
    });
    await expect(api.me()).resolves.toEqual({ id: "u", email: "a@b.co" });
    const req = fetch.mock.calls[0]![0];
    expect(req.url).toBe("https://api.example.com/api/v1/me");
    expect(req.headers.get("Authorization")).toBe("Bearer tk");
  });

  it("sends the token on every call but sign-up and sign-in", async () => {
    const fetch = vi.fn(async (request: Request) =>
      request.url.endsWith("/sign-in")
        ? json(200, { token: "new", expires_at: "2026-01-02T10:00:00Z" })
        : json(200, { files: [] }),
    );
    const api = createApi({
      baseUrl: "http://x",
      getToken: () => "tk",
      onSessionEnded: vi.fn(),
      fetch,
    });
    await api.signIn("a@b.co", "pw");
    await api.listFiles(10);
    const [signIn, list] = fetch.mock.calls.map(([request]) => request);
    expect(signIn!.headers.get("Authorization")).toBeNull();
    expect(list!.headers.get("Authorization")).toBe("Bearer tk");
  });

  it("turns an error body into an ApiError with code, message, field and Retry-After", async () => {
    const fetch = vi.fn(async () =>
      json(
        429,
        { error: { code: "too_many_attempts", message: "Slow down", field: "email" } },
        { "Retry-After": "7" },
      ),
    );
    const api = createApi({
      baseUrl: "http://x",
      getToken: () => null,
      onSessionEnded: vi.fn(),
      fetch,
    });
    const err = await api.signIn("a@b.co", "password1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 429,
      code: "too_many_attempts",
      message: "Slow down",
      field: "email",
      retryAfter: 7,
    });
  });

  it("reports a session-ending 401 once, but not for sign-in", async () => {
    const onSessionEnded = vi.fn();
    const fetch = vi.fn(async () =>
      json(401, { error: { code: "session_replaced", message: "elsewhere" } }),
    );
    const api = createApi({ baseUrl: "http://x", getToken: () => "t", onSessionEnded, fetch });
    await expect(api.listFiles(20)).rejects.toMatchObject({ code: "session_replaced" });
    expect(onSessionEnded).toHaveBeenCalledWith("session_replaced");
    await expect(api.signIn("a@b.co", "x")).rejects.toBeInstanceOf(ApiError);
    expect(onSessionEnded).toHaveBeenCalledTimes(1);
  });

  it("copes with a non-JSON error page", async () => {
    const fetch = vi.fn(async () => new Response("<html>Bad gateway</html>", { status: 502 }));
    const api = createApi({
      baseUrl: "http://x",
      getToken: () => "t",
      onSessionEnded: vi.fn(),
      fetch,
    });
    await expect(api.me()).rejects.toMatchObject({
      status: 502,
      message: expect.stringMatching(/try again/i),
    });
  });

  it("resends a conversion with the same Idempotency-Key after a network failure", async () => {
    const keys: (string | null)[] = [];
    const fetch = vi.fn(async (req: Request) => {
      keys.push(req.headers.get("Idempotency-Key"));
      if (keys.length === 1) throw new TypeError("Failed to fetch");
      return json(202, entry({ status: "pending" }));
    });
    const api = createApi({
      baseUrl: "http://x",
      getToken: () => "t",
      onSessionEnded: vi.fn(),
      fetch,
    });
    await expect(api.convert("https://example.com", {}, "key-1")).resolves.toMatchObject({
      status: "pending",
    });
    expect(keys).toEqual(["key-1", "key-1"]);
  });

  it("says plainly when the server cannot be reached", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const api = createApi({
      baseUrl: "http://x",
      getToken: () => "t",
      onSessionEnded: vi.fn(),
      fetch,
    });
    await expect(api.me()).rejects.toMatchObject({
      status: 0,
      code: "network_error",
      message: expect.stringMatching(/could not reach/i),
    });
  });
});

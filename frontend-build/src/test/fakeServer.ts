import type { FileEntry } from "../api/types";

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Handler = (call: Call) => Reply | Promise<Reply>;

/**
 * A stand-in for the API behind window.fetch: routes "METHOD /path" (path
 * without /api/v1) to handlers and records every call.
 */
export function fakeServer(handlers: Record<string, Handler | Reply>) {
  const calls: Call[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const form = (request as Request & { form?: FormData }).form; // see setup.ts
    const text = request.method === "GET" || form ? "" : await request.text();
    const call: Call = {
      method: request.method,
      path,
      query: url.searchParams,
      headers: request.headers,
      body: form ?? (text ? JSON.parse(text) : undefined),
    };
    calls.push(call);
    const key = `${request.method} ${path}`;
    const h =
      handlers[key] ??
      Object.entries(handlers).find(([k]) => {
        const [m, p] = k.split(" ");
        if (m !== request.method || !p) return false;
        return new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path);
      })?.[1];
    const reply: Reply = h
      ? typeof h === "function"
        ? await h(call)
        : h
      : { status: 404, body: { error: { code: "not_found", message: `No fake for ${key}` } } };
    const headers = new Headers(reply.headers);
    if (reply.body !== undefined) headers.set("Content-Type", "application/json");
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers,
    });
  };
  return { fetch, calls };
}

let seq = 0;

export function entry(over: Partial<FileEntry> = {}): FileEntry {
  seq += 1;
  return {
    name: `f${seq}`,
    url: "https://example.com/page",
    source: "url",
    title: "Example Domain",
    status: "ready",
    error: null,
    size: 12345,
    pages: 2,
    warnings: [],
    attempts: 1,
    options: {},
    filename: "Example-Domain.pdf",
    created_at: "2026-01-02T10:00:00Z",
    updated_at: "2026-01-02T10:00:05Z",
    report: null,
    thumbnail_url: null,
    ...over,
  };
}

export const ME = { status: 200, body: { id: "u1", email: "ann@example.com" } };

export function signedIn(expiresAt = new Date(Date.now() + 3600_000).toISOString()) {
  localStorage.setItem(
    "pagepress.session",
    JSON.stringify({ token: "tok-1", expiresAt, email: "ann@example.com" }),
  );
}

import type { paths } from "../api/schema";
import type { FileEntry } from "../api/types";

// Routes and reply bodies come from the OpenAPI schema (src/api/schema.d.ts): a fake route the
// contract does not have, or a body it does not describe, is a type error, so the fakes cannot
// drift from the API they stand in for.
type Method = "get" | "post" | "put" | "delete" | "patch";
type OperationOf<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
/** "GET /files", "POST /file/{name}/retry"...: every operation the contract has. */
export type Route = {
  [P in keyof paths]: {
    [M in Method]: [OperationOf<P, M>] extends [never] ? never : `${Uppercase<M>} ${P & string}`;
  }[Method];
}[keyof paths];
type OperationAt<R extends Route> = R extends `${infer M} ${infer P}`
  ? P extends keyof paths
    ? Lowercase<M> extends Method
      ? OperationOf<P, Lowercase<M>>
      : never
    : never
  : never;
type JsonOf<T> = T extends { content: { "application/json": infer J } } ? J : never;
/** Any JSON body the contract allows for the route, success or error. */
type BodyOf<R extends Route> = R extends Route
  ? OperationAt<R> extends { responses: infer Rs }
    ? { [S in keyof Rs]: JsonOf<Rs[S]> }[keyof Rs]
    : never
  : never;

export interface Reply<R extends Route = Route> {
  status: number;
  body?: BodyOf<R>;
  headers?: Record<string, string>;
}

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Handler<R extends Route> = (call: Call) => Reply<R> | Promise<Reply<R>>;
export type Handlers = { [R in Route]?: Handler<R> | Reply<R> };

/**
 * A stand-in for the API behind window.fetch: routes "METHOD /path" (path
 * without /api/v1) to handlers and records every call.
 */
export function fakeServer(handlers: Handlers) {
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
    // Looked up by the request's own method and path, which the types cannot know in advance.
    const routes: Record<string, Handler<Route> | Reply<Route> | undefined> = handlers;
    const h =
      routes[key] ??
      Object.entries(routes).find(([k]) => {
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

export const ME: Reply<"GET /me"> = { status: 200, body: { id: "u1", email: "ann@example.com" } };

export function signedIn(expiresAt = new Date(Date.now() + 3600_000).toISOString()) {
  localStorage.setItem(
    "pagepress.session",
    JSON.stringify({ token: "tok-1", expiresAt, email: "ann@example.com" }),
  );
}

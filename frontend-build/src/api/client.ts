import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { ApiError, NETWORK_ERROR_MESSAGE, SESSION_ENDED_CODES, toApiError } from "./errors";
import type {
  ConvertOptions,
  DownloadLink,
  FileEntry,
  FilesPage,
  FileStatus,
  SignInResult,
  Usage,
  User,
} from "./types";

/** What GET /files narrows the list to (empty: everything). */
export interface ListFilter {
  q?: string;
  status?: FileStatus;
}

export interface ApiDeps {
  baseUrl: string;
  /** The current bearer token, or null when signed out. */
  getToken: () => string | null;
  /** Called when an authenticated call answers 401 with one of the session codes. */
  onSessionEnded: (code: string) => void;
  fetch?: (request: Request) => Promise<Response>;
}

export interface Api {
  signUp(email: string, password: string): Promise<User>;
  signIn(email: string, password: string): Promise<SignInResult>;
  signOut(): Promise<void>;
  me(): Promise<User>;
  convert(url: string, options: ConvertOptions, idempotencyKey?: string): Promise<FileEntry>;
  /** HTML the user pasted, converted like a page. */
  convertHtml(html: string, options: ConvertOptions, idempotencyKey?: string): Promise<FileEntry>;
  /** An .html or .md file, sent as multipart/form-data. */
  convertFile(file: File, options: ConvertOptions, idempotencyKey?: string): Promise<FileEntry>;
  listFiles(limit: number, cursor?: string, filter?: ListFilter): Promise<FilesPage>;
  /** ``inline``: a link that shows the PDF in the browser (Open) rather than saving it. */
  downloadLink(name: string, inline?: boolean): Promise<DownloadLink>;
  deleteFile(name: string): Promise<void>;
  retry(name: string): Promise<FileEntry>;
  usage(): Promise<Usage>;
  /** A new password; answers the new session (every other one ends). */
  changePassword(current: string, next: string): Promise<SignInResult>;
  closeAccount(password: string): Promise<void>;
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Calls made without a session: they are how one is obtained. */
const ANONYMOUS_PATHS = new Set(["/sign-up", "/sign-in"]);

/** A random UUID v4, also where crypto.randomUUID is missing (plain-http origins). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function createApi(deps: ApiDeps): Api {
  const client = createClient<paths>({
    // The contract's paths are relative to its server URL, /api/v1.
    baseUrl: `${deps.baseUrl}/api/v1`,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  // The bearer token goes on every call but the two that obtain one, in one place.
  client.use({
    onRequest({ request, schemaPath }) {
      const token = deps.getToken();
      if (token && !ANONYMOUS_PATHS.has(schemaPath)) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      return request;
    },
  });

  async function call<T>(authed: boolean, run: () => Promise<Result<T>>): Promise<T> {
    let result: Result<T>;
    try {
      result = await run();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw new ApiError(0, "network_error", NETWORK_ERROR_MESSAGE);
    }
    const { response } = result;
    if (response.ok) return result.data as T;
    const error = toApiError(response, result.error);
    if (authed && response.status === 401 && SESSION_ENDED_CODES.has(error.code)) {
      deps.onSessionEnded(error.code);
    } else if (authed && response.status === 401 && error.code !== "wrong_password") {
      // (A wrong password typed to confirm something is the form's business, not the session's.)
      deps.onSessionEnded("token_invalid");
    }
    throw error;
  }

  function requestHeaders(idempotencyKey: string): Record<string, string> {
    return { "Idempotency-Key": idempotencyKey };
  }

  /** POST /request; a dropped connection may have hidden a success, so the same
   * Idempotency-Key is sent once more and the server answers with the job it made. */
  async function queue(send: () => Promise<Result<FileEntry>>): Promise<FileEntry> {
    try {
      return await call(true, send);
    } catch (e) {
      if (e instanceof ApiError && e.status === 0) return call(true, send);
      throw e;
    }
  }

  return {
    signUp: (email, password) =>
      call(false, () => client.POST("/sign-up", { body: { email, password } })),

    signIn: (email, password) =>
      call(false, () => client.POST("/sign-in", { body: { email, password } })),

    signOut: async () => {
      await call(true, () => client.POST("/sign-out"));
    },

    me: () => call(true, () => client.GET("/me")),

    convert: (url, options, idempotencyKey = newIdempotencyKey()) =>
      queue(() =>
        client.POST("/request", {
          body: { url, options },
          headers: requestHeaders(idempotencyKey),
        }),
      ),

    convertHtml: (html, options, idempotencyKey = newIdempotencyKey()) =>
      queue(() =>
        client.POST("/request", {
          body: { html, options },
          headers: requestHeaders(idempotencyKey),
        }),
      ),

    convertFile: (file, options, idempotencyKey = newIdempotencyKey()) =>
      queue(() =>
        client.POST("/request", {
          // The schema's JSON body type does not describe a form; the serializer sends the real thing.
          body: {} as never,
          bodySerializer: () => {
            const form = new FormData();
            form.append("file", file, file.name);
            form.append("options", JSON.stringify(options));
            return form;
          },
          headers: requestHeaders(idempotencyKey),
        }),
      ),

    listFiles: (limit, cursor, filter = {}) =>
      call(true, () =>
        client.GET("/files", {
          params: {
            query: {
              limit,
              ...(cursor ? { cursor } : {}),
              ...(filter.q ? { q: filter.q } : {}),
              ...(filter.status ? { status: filter.status } : {}),
            },
          },
        }),
      ),

    downloadLink: (name, inline = false) =>
      call(true, () =>
        client.GET("/file/{name}/link", {
          params: { path: { name }, query: inline ? { disposition: "inline" } : {} },
        }),
      ),

    deleteFile: async (name) => {
      await call(true, () =>
        client.DELETE("/file/{name}", {
          params: { path: { name } },
        }),
      );
    },

    usage: () => call(true, () => client.GET("/usage")),

    changePassword: (current, next) =>
      call(true, () =>
        client.POST("/password", {
          body: { current_password: current, new_password: next },
        }),
      ),

    closeAccount: async (password) => {
      await call(true, () => client.DELETE("/me", { body: { password } }));
    },

    retry: (name) =>
      call(true, () =>
        client.POST("/file/{name}/retry", {
          params: { path: { name } },
        }),
      ),
  };
}

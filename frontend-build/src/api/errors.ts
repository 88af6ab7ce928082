/** An error answered by the API (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The request field the error concerns, e.g. "email" or "options.scale". */
  readonly field?: string;
  /** Seconds to wait, from a Retry-After header (429). */
  readonly retryAfter?: number;

  constructor(status: number, code: string, message: string, field?: string, retryAfter?: number) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

export const NETWORK_ERROR_MESSAGE =
  "Could not reach PagePress. Check your connection and try again.";

/** 401 codes that mean the signed-in session is over. */
export const SESSION_ENDED_CODES = new Set([
  "token_missing",
  "token_invalid",
  "token_expired",
  "session_replaced",
  "signed_out",
]);

export function sessionEndedMessage(code: string): string {
  switch (code) {
    case "session_replaced":
      return "You were signed out because your account signed in somewhere else.";
    case "token_expired":
      return "Your session expired. Please sign in again.";
    case "signed_out":
      return "You were signed out. Please sign in again.";
    default:
      return "Your session ended. Please sign in again.";
  }
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  return undefined;
}

/** Builds an ApiError from a failed response and its (already parsed) body. */
export function toApiError(response: Response, body: unknown): ApiError {
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"));
  const err =
    body && typeof body === "object" && "error" in body
      ? (body as { error: unknown }).error
      : undefined;
  if (err && typeof err === "object") {
    const e = err as { code?: unknown; message?: unknown; field?: unknown };
    const code = typeof e.code === "string" ? e.code : `http_${response.status}`;
    const message =
      typeof e.message === "string" && e.message ? e.message : fallbackMessage(response.status);
    const field = typeof e.field === "string" && e.field ? e.field : undefined;
    return new ApiError(response.status, code, message, field, retryAfter);
  }
  return new ApiError(
    response.status,
    `http_${response.status}`,
    fallbackMessage(response.status),
    undefined,
    retryAfter,
  );
}

function fallbackMessage(status: number): string {
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  if (status >= 500) return "PagePress had a problem on its side. Please try again in a moment.";
  if (status === 404) return "That was not found.";
  return `The request failed (HTTP ${status}).`;
}

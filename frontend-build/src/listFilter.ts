import type { ListFilter } from "./api/client";
import type { FileStatus } from "./api/types";

const STATUSES: ReadonlySet<string> = new Set(["pending", "processing", "ready", "failed"]);

/** The list's search and status, as the address bar says (so a reload or a shared link keeps them). */
export function filterFromUrl(search: string = window.location.search): ListFilter {
  const params = new URLSearchParams(search);
  const q = params.get("q")?.trim() || undefined;
  const status = params.get("status") ?? "";
  return {
    ...(q ? { q } : {}),
    ...(STATUSES.has(status) ? { status: status as FileStatus } : {}),
  };
}

/** Puts the filter in the address bar without a new history entry per keystroke. */
export function writeFilterToUrl(filter: ListFilter): void {
  const params = new URLSearchParams(window.location.search);
  for (const [key, value] of [
    ["q", filter.q],
    ["status", filter.status],
  ] as const) {
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const query = params.toString();
  window.history.replaceState(null, "", `${window.location.pathname}${query ? `?${query}` : ""}`);
}

export function isFiltered(filter: ListFilter): boolean {
  return Boolean(filter.q || filter.status);
}

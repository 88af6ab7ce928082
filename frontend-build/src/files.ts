import type { FileEntry, FileStatus } from "./api/types";

export const ACTIVE_STATUSES: ReadonlySet<FileStatus> = new Set<FileStatus>([
  "pending",
  "processing",
]);

export function isActive(f: FileEntry): boolean {
  return ACTIVE_STATUSES.has(f.status);
}

export const STATUS_LABEL: Record<FileStatus, string> = {
  pending: "Pending",
  processing: "Processing",
  ready: "Ready",
  failed: "Failed",
};

export interface ListState {
  files: FileEntry[];
  /** Cursor for the next page; undefined when everything is loaded. */
  next?: string;
}

function newer(a: FileEntry, b: FileEntry): boolean {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.name > b.name);
}

/**
 * Merges a fresh first page (from polling) into the list already shown: the
 * fresh page wins for everything it covers, older entries loaded with "Load
 * more" are kept, and so is the cursor that continues after them.
 */
export function mergeFirstPage(
  current: ListState,
  fresh: ListState,
  hidden: ReadonlySet<string> = new Set(),
): ListState {
  const page = fresh.files.filter((f) => !hidden.has(f.name));
  if (fresh.next === undefined) {
    return { files: page, next: undefined };
  }
  const last = fresh.files[fresh.files.length - 1];
  const inPage = new Set(fresh.files.map((f) => f.name));
  const older = current.files.filter(
    (f) => !inPage.has(f.name) && !hidden.has(f.name) && (last === undefined || newer(last, f)),
  );
  return { files: [...page, ...older], next: older.length > 0 ? current.next : fresh.next };
}

/** Appends a further page, skipping entries already shown. */
export function appendPage(
  current: ListState,
  page: ListState,
  hidden: ReadonlySet<string> = new Set(),
): ListState {
  const seen = new Set(current.files.map((f) => f.name));
  const extra = page.files.filter((f) => !seen.has(f.name) && !hidden.has(f.name));
  return { files: [...current.files, ...extra], next: page.next };
}

/** Puts a new or updated entry in its place (new ones go first: newest first). */
export function upsert(current: ListState, entry: FileEntry): ListState {
  const i = current.files.findIndex((f) => f.name === entry.name);
  if (i === -1) return { ...current, files: [entry, ...current.files] };
  const files = current.files.slice();
  files[i] = entry;
  return { ...current, files };
}

export function removeEntry(current: ListState, name: string): ListState {
  return { ...current, files: current.files.filter((f) => f.name !== name) };
}

/** Status changes between two lists, for announcing them. */
export function statusChanges(before: FileEntry[], after: FileEntry[]): FileEntry[] {
  const old = new Map(before.map((f) => [f.name, f.status]));
  return after.filter((f) => old.has(f.name) && old.get(f.name) !== f.status);
}

/** What a file was made from, when it was not a URL. */
export const SOURCE_LABEL = { html: "Pasted HTML", markdown: "Markdown file" } as const;

export function hostOf(url: string, source: FileEntry["source"] = "url"): string {
  if (source !== "url") return SOURCE_LABEL[source];
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The page title, else the address without its scheme (host and path). */
export function displayTitle(f: FileEntry): string {
  const title = f.title?.trim();
  if (title) return title;
  if (f.source !== "url") return SOURCE_LABEL[f.source];
  try {
    const u = new URL(f.url);
    const path = u.pathname === "/" ? "" : u.pathname;
    return `${u.host}${path}` || f.url;
  } catch {
    return f.url;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function formatPages(pages: number): string {
  return pages === 1 ? "1 page" : `${pages} pages`;
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

// Used only when the server sent no message (the converter's own messages are
// already written for people, e.g. "The site's name could not be found").
const FAILURE_TEXT: Record<string, string> = {
  dns_failure: "The site's name could not be found. Check the address for typos.",
  connection_failed: "The site could not be reached.",
  tls_error: "The site's HTTPS certificate is not valid.",
  too_many_redirects: "The page redirects in a loop.",
  blocked: "PagePress is not allowed to open that address.",
  not_a_page: "The address leads to a file download, not a web page.",
  http_error: "The site answered with an error instead of the page.",
  timeout: "The page took too long to load.",
  navigation_failed: "The page could not be loaded.",
};

/** A failed job's reason, in plain words. */
export function failureText(f: FileEntry): string {
  const message = f.error?.message?.trim();
  if (message) return /[.!?)]$/.test(message) ? message : `${message}.`;
  return FAILURE_TEXT[f.error?.code ?? ""] ?? "The conversion failed for an unknown reason.";
}

import { useCallback, useEffect, useRef, useState } from "react";
import type { Api } from "../api/client";
import { ApiError } from "../api/errors";
import type { FileEntry } from "../api/types";
import {
  STATUS_LABEL,
  appendPage,
  displayTitle,
  isActive,
  mergeFirstPage,
  removeEntry,
  statusChanges,
  upsert,
  type ListState,
} from "../files";
import { createPoller, type Backoff, type Poller } from "../polling";
import { ConfirmDialog } from "./ConfirmDialog";
import { FileItem, titleId } from "./FileItem";

export const PAGE_SIZE = 20;

interface FileListProps {
  api: Api;
  /** Bumped by the parent with each newly queued entry. */
  queued: FileEntry | null;
  backoff?: Backoff;
  /** Opens a download URL; replaced in tests. */
  openUrl?: (url: string, filename: string) => void;
  /** Shows a PDF in a new tab; replaced in tests. */
  openTab?: (url: string) => void;
}

function defaultOpenTab(url: string) {
  window.open(url, "_blank", "noopener");
}

function defaultOpenUrl(url: string, filename: string) {
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function deleteConsequence(file: FileEntry): string {
  const title = `“${displayTitle(file)}”`;
  switch (file.status) {
    case "ready":
      return `${title} and its PDF will be deleted for good.`;
    case "failed":
      return `${title} will be removed from your list.`;
    default:
      return `${title} is still being made. If you delete it now, you will not get this PDF.`;
  }
}

type Busy = Record<string, "download" | "open" | "retry" | "delete" | undefined>;

export function FileList({
  api,
  queued,
  backoff,
  openUrl = defaultOpenUrl,
  openTab = defaultOpenTab,
}: FileListProps) {
  const [list, setList] = useState<ListState>({ files: [] });
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string>();
  const [busy, setBusy] = useState<Busy>({});
  const [messages, setMessages] = useState<Record<string, string>>({});
  const [announcement, setAnnouncement] = useState("");
  const [confirm, setConfirm] = useState<{ file: FileEntry; opener: HTMLButtonElement } | null>(
    null,
  );

  const listRef = useRef(list);
  listRef.current = list;
  const deleted = useRef(new Set<string>());
  const headingRef = useRef<HTMLHeadingElement>(null);
  const pollerRef = useRef<Poller | null>(null);

  const setBusyFor = (name: string, what: Busy[string]) => setBusy((b) => ({ ...b, [name]: what }));
  const setMessageFor = (name: string, text: string | undefined) =>
    setMessages((m) => {
      const next = { ...m };
      if (text) next[name] = text;
      else delete next[name];
      return next;
    });

  const announceChanges = useCallback((before: FileEntry[], after: FileEntry[]) => {
    const changed = statusChanges(before, after).filter(
      (f) => f.status === "ready" || f.status === "failed",
    );
    if (changed.length === 0) return;
    setAnnouncement(changed.map((f) => `${displayTitle(f)}: ${STATUS_LABEL[f.status]}.`).join(" "));
  }, []);

  // Polling: fetch the first page again (large enough to cover what is shown)
  // and merge it in; back off while nothing changes.
  useEffect(() => {
    const poller = createPoller(async () => {
      const before = listRef.current;
      const limit = Math.min(100, Math.max(PAGE_SIZE, before.files.length));
      const page = await api.listFiles(limit);
      const merged = mergeFirstPage(
        listRef.current,
        { files: page.files, next: page.next },
        deleted.current,
      );
      const changed =
        statusChanges(before.files, merged.files).length > 0 ||
        merged.files.length !== before.files.length;
      announceChanges(before.files, merged.files);
      setList(merged);
      listRef.current = merged;
      return { active: merged.files.some(isActive), changed };
    }, backoff);
    pollerRef.current = poller;
    return () => poller.stop();
  }, [api, backoff, announceChanges]);

  const anyActive = list.files.some(isActive);
  useEffect(() => {
    if (anyActive) pollerRef.current?.start();
  }, [anyActive]);

  // First load.
  const loadFirst = useCallback(async () => {
    setLoadError(undefined);
    try {
      const page = await api.listFiles(PAGE_SIZE);
      const state = {
        files: page.files.filter((f) => !deleted.current.has(f.name)),
        next: page.next,
      };
      setList(state);
      listRef.current = state;
      setLoaded(true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setLoadError(e instanceof ApiError ? e.message : "Could not load your PDFs.");
    }
  }, [api]);

  useEffect(() => {
    void loadFirst();
  }, [loadFirst]);

  // A newly queued job goes first and polling speeds up.
  useEffect(() => {
    if (!queued) return;
    setList((l) => upsert(l, queued));
    setLoaded(true);
    pollerRef.current?.kick();
  }, [queued]);

  async function loadMore() {
    const cursor = list.next;
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.listFiles(PAGE_SIZE, cursor);
      const before = listRef.current.files.length;
      const firstNew = page.files.find(
        (f) => !listRef.current.files.some((x) => x.name === f.name),
      );
      setList((l) => appendPage(l, { files: page.files, next: page.next }, deleted.current));
      setAnnouncement(
        `Loaded ${page.files.length} more. ${before + page.files.length} PDFs shown.`,
      );
      if (firstNew) {
        // Keep keyboard users where the new items start.
        setTimeout(
          () => document.getElementById(titleId(firstNew.name))?.focus({ preventScroll: false }),
          0,
        );
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setMoreError(e instanceof ApiError ? e.message : "Could not load more.");
    } finally {
      setLoadingMore(false);
    }
  }

  async function download(file: FileEntry, how: "download" | "open" = "download") {
    setBusyFor(file.name, how);
    setMessageFor(file.name, undefined);
    try {
      const link = await api.downloadLink(file.name, how === "open");
      if (how === "open") openTab(link.url);
      else openUrl(link.url, link.filename);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      if (e instanceof ApiError && e.code === "not_found") {
        setMessageFor(file.name, "This PDF no longer exists.");
      } else if (e instanceof ApiError && e.code === "not_ready") {
        setMessageFor(file.name, "This PDF is not ready yet.");
        pollerRef.current?.kick();
      } else {
        setMessageFor(
          file.name,
          `Download failed: ${e instanceof ApiError ? e.message : "please try again."}`,
        );
      }
    } finally {
      setBusyFor(file.name, undefined);
    }
  }

  async function retry(file: FileEntry) {
    setBusyFor(file.name, "retry");
    setMessageFor(file.name, undefined);
    try {
      const entry = await api.retry(file.name);
      setList((l) => upsert(l, entry));
      setAnnouncement(`Trying ${displayTitle(entry)} again.`);
      pollerRef.current?.kick();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setMessageFor(
        file.name,
        `Could not retry: ${e instanceof ApiError ? e.message : "please try again."}`,
      );
      pollerRef.current?.kick();
    } finally {
      setBusyFor(file.name, undefined);
    }
  }

  async function confirmDelete() {
    if (!confirm) return;
    const { file } = confirm;
    setBusyFor(file.name, "delete");
    try {
      await api.deleteFile(file.name);
      deleted.current.add(file.name);
      setList((l) => removeEntry(l, file.name));
      setAnnouncement(`Deleted “${displayTitle(file)}”.`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      if (e instanceof ApiError && e.status === 404) {
        deleted.current.add(file.name);
        setList((l) => removeEntry(l, file.name));
        setAnnouncement(`“${displayTitle(file)}” was already deleted.`);
      } else {
        setConfirm(null);
        setBusyFor(file.name, undefined);
        setMessageFor(
          file.name,
          `Could not delete it: ${e instanceof ApiError ? e.message : "please try again."} It is still there.`,
        );
        setTimeout(() => confirm.opener.focus(), 0);
        return;
      }
    }
    setConfirm(null);
    setBusyFor(file.name, undefined);
    setTimeout(() => headingRef.current?.focus(), 0);
  }

  return (
    <section className="card" aria-labelledby="files-heading">
      <h2 id="files-heading" ref={headingRef} tabIndex={-1}>
        Your PDFs
      </h2>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
      {!loaded && !loadError && (
        <p className="hint" role="status">
          Loading your PDFs…
        </p>
      )}
      {loadError && (
        <div className="notice notice--alert" role="alert">
          <p>{loadError}</p>
          <button type="button" className="button" onClick={() => void loadFirst()}>
            Try again
          </button>
        </div>
      )}
      {loaded && list.files.length === 0 && (
        <div className="empty">
          <p>
            <strong>No PDFs yet.</strong>
          </p>
          <p>
            Paste the address of a web page into <em>Page URL</em> above and press <em>Convert</em>.
            Your PDF appears here and is ready to download in a few seconds.
          </p>
        </div>
      )}
      {list.files.length > 0 && (
        <ul className="files" aria-labelledby="files-heading">
          {list.files.map((f) => (
            <FileItem
              key={f.name}
              file={f}
              busy={busy[f.name]}
              message={messages[f.name]}
              onDownload={(file) => void download(file)}
              onOpen={(file) => void download(file, "open")}
              onRetry={retry}
              onDelete={(file, opener) => setConfirm({ file, opener })}
            />
          ))}
        </ul>
      )}
      {moreError && (
        <p className="notice notice--alert" role="alert">
          {moreError}
        </p>
      )}
      {list.next && loaded && (
        <div className="load-more">
          <button
            type="button"
            className="button"
            onClick={() => void loadMore()}
            disabled={loadingMore}
            aria-busy={loadingMore || undefined}
          >
            {loadingMore ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title="Delete this PDF?"
          confirmLabel="Delete"
          busy={busy[confirm.file.name] === "delete"}
          onCancel={() => {
            const opener = confirm.opener;
            setConfirm(null);
            setTimeout(() => opener.focus(), 0);
          }}
          onConfirm={() => void confirmDelete()}
        >
          <p>{deleteConsequence(confirm.file)} This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

import { useCallback, useEffect, useRef, useState } from "react";
import type { Api, ListFilter } from "../api/client";
import { ApiError } from "../api/errors";
import type { FileEntry } from "../api/types";
import { displayTitle } from "../files";
import { filterFromUrl, isFiltered, writeFilterToUrl } from "../listFilter";
import type { Backoff } from "../polling";
import { useFileList } from "../useFileList";
import { ConfirmDialog } from "./ConfirmDialog";
import { FileFilters } from "./FileFilters";
import { FileItem, titleId } from "./FileItem";

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
/** What the delete dialog is about: one file (from its button) or the selected ones. */
type Confirming = { files: FileEntry[]; opener: HTMLButtonElement };

export function FileList({
  api,
  queued,
  backoff,
  openUrl = defaultOpenUrl,
  openTab = defaultOpenTab,
}: FileListProps) {
  const [filter, setFilter] = useState<ListFilter>(filterFromUrl);
  const files = useFileList(api, filter, backoff);
  const { list, loaded, setAnnouncement, put, remove, kick } = files;
  const [busy, setBusy] = useState<Busy>({});
  const [messages, setMessages] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirm, setConfirm] = useState<Confirming | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const setBusyFor = (name: string, what: Busy[string]) => setBusy((b) => ({ ...b, [name]: what }));
  const setMessageFor = (name: string, text: string | undefined) =>
    setMessages((m) => {
      const next = { ...m };
      if (text) next[name] = text;
      else delete next[name];
      return next;
    });

  const changeFilter = useCallback((next: ListFilter) => {
    writeFilterToUrl(next);
    setFilter(next);
    setSelected(new Set());
  }, []);

  // A newly queued job goes first and polling speeds up.
  useEffect(() => {
    if (queued) put(queued, true);
  }, [queued, put]);

  async function loadMore() {
    const firstNew = await files.loadMore();
    if (firstNew) {
      // Keep keyboard users where the new items start.
      setTimeout(
        () => document.getElementById(titleId(firstNew.name))?.focus({ preventScroll: false }),
        0,
      );
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
        kick();
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
      put(entry);
      setAnnouncement(`Trying ${displayTitle(entry)} again.`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setMessageFor(
        file.name,
        `Could not retry: ${e instanceof ApiError ? e.message : "please try again."}`,
      );
      kick();
    } finally {
      setBusyFor(file.name, undefined);
    }
  }

  /** Deletes one file; a message on it (and false) when it is still there. */
  async function deleteOne(file: FileEntry): Promise<boolean> {
    setBusyFor(file.name, "delete");
    try {
      await api.deleteFile(file.name);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return false;
      if (!(e instanceof ApiError && e.status === 404)) {
        setBusyFor(file.name, undefined);
        setMessageFor(
          file.name,
          `Could not delete it: ${e instanceof ApiError ? e.message : "please try again."} It is still there.`,
        );
        return false;
      }
    }
    remove(file.name);
    setBusyFor(file.name, undefined);
    setSelected((s) => {
      const next = new Set(s);
      next.delete(file.name);
      return next;
    });
    return true;
  }

  async function confirmDelete() {
    if (!confirm) return;
    const { files: doomed, opener } = confirm;
    const results: boolean[] = [];
    for (const file of doomed) results.push(await deleteOne(file));
    const gone = results.filter(Boolean).length;
    setConfirm(null);
    if (doomed.length === 1) {
      if (gone === 0) {
        setTimeout(() => opener.focus(), 0);
        return;
      }
      setAnnouncement(`Deleted “${displayTitle(doomed[0]!)}”.`);
    } else {
      setAnnouncement(
        gone === doomed.length
          ? `Deleted ${gone} PDFs.`
          : `Deleted ${gone} of ${doomed.length} PDFs; the others are still there.`,
      );
    }
    setTimeout(() => headingRef.current?.focus(), 0);
  }

  const chosen = list.files.filter((f) => selected.has(f.name));
  const filtered = isFiltered(filter);

  return (
    <section className="card" aria-labelledby="files-heading">
      <h2 id="files-heading" ref={headingRef} tabIndex={-1}>
        Your PDFs
      </h2>
      <p className="visually-hidden" role="status" aria-live="polite">
        {files.announcement}
      </p>
      <FileFilters filter={filter} onChange={changeFilter} />
      {chosen.length > 0 && (
        <div className="selection" role="group" aria-label="Selected PDFs">
          <span>{chosen.length} selected</span>
          <button
            type="button"
            className="button button--danger"
            onClick={(e) => setConfirm({ files: chosen, opener: e.currentTarget })}
          >
            Delete selected
          </button>
          <button
            type="button"
            className="button button--ghost"
            onClick={() => setSelected(new Set())}
          >
            Clear selection
          </button>
        </div>
      )}
      {!loaded && !files.loadError && (
        <p className="hint" role="status">
          Loading your PDFs…
        </p>
      )}
      {files.loadError && (
        <div className="notice notice--alert" role="alert">
          <p>{files.loadError}</p>
          <button type="button" className="button" onClick={() => void files.loadFirst()}>
            Try again
          </button>
        </div>
      )}
      {loaded && list.files.length === 0 && filtered && (
        <p className="empty">No PDFs match. Try other words or another status.</p>
      )}
      {loaded && list.files.length === 0 && !filtered && (
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
              selected={selected.has(f.name)}
              onSelect={(on) =>
                setSelected((s) => {
                  const next = new Set(s);
                  if (on) next.add(f.name);
                  else next.delete(f.name);
                  return next;
                })
              }
              onDownload={(file) => void download(file)}
              onOpen={(file) => void download(file, "open")}
              onRetry={(file) => void retry(file)}
              onDelete={(file, opener) => setConfirm({ files: [file], opener })}
              loadPicture={(file) => api.downloadLink(file.name, true).then((link) => link.url)}
            />
          ))}
        </ul>
      )}
      {files.moreError && (
        <p className="notice notice--alert" role="alert">
          {files.moreError}
        </p>
      )}
      {list.next && loaded && (
        <div className="load-more">
          <button
            type="button"
            className="button"
            onClick={() => void loadMore()}
            disabled={files.loadingMore}
            aria-busy={files.loadingMore || undefined}
          >
            {files.loadingMore ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title={
            confirm.files.length === 1 ? "Delete this PDF?" : `Delete ${confirm.files.length} PDFs?`
          }
          confirmLabel="Delete"
          busy={confirm.files.some((f) => busy[f.name] === "delete")}
          onCancel={() => {
            const opener = confirm.opener;
            setConfirm(null);
            setTimeout(() => opener.focus(), 0);
          }}
          onConfirm={() => void confirmDelete()}
        >
          {confirm.files.length === 1 ? (
            <p>{deleteConsequence(confirm.files[0]!)} This cannot be undone.</p>
          ) : (
            <>
              <p>These PDFs will be deleted for good. This cannot be undone.</p>
              <ul>
                {confirm.files.map((f) => (
                  <li key={f.name}>{displayTitle(f)}</li>
                ))}
              </ul>
            </>
          )}
        </ConfirmDialog>
      )}
    </section>
  );
}

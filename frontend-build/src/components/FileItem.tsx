import type { FileEntry } from "../api/types";
import { FileDetails } from "./FileDetails";
import { Thumbnail } from "./Thumbnail";
import {
  STATUS_LABEL,
  displayTitle,
  failureText,
  formatBytes,
  formatDateTime,
  formatPages,
  hostOf,
} from "../files";
import { isImage } from "../options";
import { FilePicture } from "./FilePicture";

interface FileItemProps {
  file: FileEntry;
  busy?: "download" | "open" | "retry" | "delete";
  message?: string;
  selected?: boolean;
  onSelect?: (selected: boolean) => void;
  onDownload: (file: FileEntry) => void;
  onOpen: (file: FileEntry) => void;
  onRetry: (file: FileEntry) => void;
  onDelete: (file: FileEntry, opener: HTMLButtonElement) => void;
  /** A short-lived URL of a ready file, to show a screenshot in the list. */
  loadPicture?: (file: FileEntry) => Promise<string>;
}

export function titleId(name: string): string {
  return `file-${name}-title`;
}

export function FileItem({
  file,
  busy,
  message,
  selected = false,
  onSelect,
  onDownload,
  onOpen,
  onRetry,
  onDelete,
  loadPicture,
}: FileItemProps) {
  const tId = titleId(file.name);
  const image = isImage(file.options.output);
  const title = displayTitle(file);
  const host = hostOf(file.url, file.source);
  return (
    <li className={`file file--${file.status}`}>
      {onSelect && (
        <input
          type="checkbox"
          className="file-select"
          checked={selected}
          aria-label={`Select “${title}”`}
          onChange={(e) => onSelect(e.target.checked)}
        />
      )}
      {/* A screenshot is a picture itself (FilePicture, below): no first-page thumbnail. */}
      {!image && <Thumbnail file={file} />}
      <div className="file-main">
        <h3 id={tId} className="file-title" tabIndex={-1}>
          {title}
        </h3>
        <p className="file-meta">
          <span className="file-host" title={file.url}>
            {host}
          </span>
          <span aria-hidden="true"> · </span>
          <time dateTime={file.created_at}>{formatDateTime(file.created_at)}</time>
          {file.size != null && (
            <>
              <span aria-hidden="true"> · </span>
              <span>{formatBytes(file.size)}</span>
            </>
          )}
          {file.pages != null && !image && (
            <>
              <span aria-hidden="true"> · </span>
              <span>{formatPages(file.pages)}</span>
            </>
          )}
        </p>
        <p className="file-status-line">
          <span className={`status status--${file.status}`}>
            {(file.status === "pending" || file.status === "processing") && (
              <span className="spinner" aria-hidden="true" />
            )}
            {STATUS_LABEL[file.status]}
          </span>
          {file.status === "pending" && <span className="hint"> Waiting for its turn…</span>}
          {file.status === "processing" && (
            <span className="hint"> {image ? "Taking the screenshot…" : "Making the PDF…"}</span>
          )}
        </p>
        {file.status === "ready" && image && loadPicture && (
          <FilePicture file={file} title={title} load={loadPicture} />
        )}
        {file.status === "failed" && <p className="file-error">{failureText(file)}</p>}
        {file.warnings.length > 0 && (
          <ul className="file-warnings" aria-label="Warnings">
            {file.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        )}
        {file.report && <FileDetails report={file.report} />}
        {message && (
          <p className="file-message" role="alert">
            {message}
          </p>
        )}
      </div>
      <div className="file-actions">
        {file.status === "ready" && (
          <Action
            label="Open"
            describedBy={tId}
            busy={busy === "open"}
            onClick={() => onOpen(file)}
          />
        )}
        {file.status === "ready" && (
          <Action
            label="Download"
            kind="primary"
            describedBy={tId}
            busy={busy === "download"}
            onClick={() => onDownload(file)}
          />
        )}
        {file.status === "failed" && (
          <Action
            label="Retry"
            describedBy={tId}
            busy={busy === "retry"}
            onClick={() => onRetry(file)}
          />
        )}
        <Action
          label="Delete"
          kind="ghost"
          describedBy={tId}
          busy={busy === "delete"}
          onClick={(opener) => onDelete(file, opener)}
        />
      </div>
    </li>
  );
}

interface ActionProps {
  label: string;
  kind?: "primary" | "ghost";
  /** The file's title, so a screen reader hears which file the button acts on. */
  describedBy: string;
  busy: boolean;
  onClick: (button: HTMLButtonElement) => void;
}

function Action({ label, kind, describedBy, busy, onClick }: ActionProps) {
  return (
    <button
      type="button"
      className={kind ? `button button--${kind}` : "button"}
      aria-describedby={describedBy}
      disabled={busy}
      onClick={(e) => onClick(e.currentTarget)}
    >
      {label}
    </button>
  );
}

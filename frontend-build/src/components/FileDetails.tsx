import type { RenderReport } from "../api/types";
import { formatBytes, formatPages } from "../files";
import { blockedSentence, consoleSentence, failedSentence, timingLine } from "../report";

/** The render report under "Details": what happened while the page became a PDF. */
export function FileDetails({ report }: { report: RenderReport }) {
  const blocked = blockedSentence(report);
  const failed = failedSentence(report);
  const console = consoleSentence(report);
  return (
    <details className="file-details">
      <summary>Details</summary>
      {blocked && <p className="report-blocked">{blocked}, so parts of the page may be missing.</p>}
      <dl className="report">
        {report.final_url && (
          <>
            <dt>Address</dt>
            <dd className="report-url">{report.final_url}</dd>
          </>
        )}
        {report.http_status != null && (
          <>
            <dt>Answer</dt>
            <dd>HTTP {report.http_status}</dd>
          </>
        )}
        {report.redirects.length > 0 && (
          <>
            <dt>Redirected from</dt>
            <dd>
              <ol className="report-list">
                {report.redirects.map((url, i) => (
                  <li key={i}>{url}</li>
                ))}
              </ol>
            </dd>
          </>
        )}
        {blocked && (
          <>
            <dt>Blocked</dt>
            <dd>
              <ul className="report-list">
                {report.blocked_requests.examples.map((e, i) => (
                  <li key={i}>
                    <strong>{e.host || "(no host)"}</strong>: {e.reason}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {failed && (
          <>
            <dt>Failed</dt>
            <dd>
              {failed}
              <ul className="report-list">
                {report.failed_requests.examples.map((e, i) => (
                  <li key={i}>
                    {e.url || e.host}: {e.reason}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {console && (
          <>
            <dt>Console</dt>
            <dd>
              {console}
              <ul className="report-list">
                {report.console_errors.messages.map((m, i) => (
                  <li key={i}>
                    <code>{m}</code>
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {report.pdf && (
          <>
            <dt>PDF</dt>
            <dd>
              {formatPages(report.pdf.pages)}, {formatBytes(report.pdf.bytes)}
              {report.pdf.outline_entries === 0
                ? ""
                : report.pdf.outline_entries === 1
                  ? ", 1 bookmark"
                  : `, ${report.pdf.outline_entries} bookmarks`}
            </dd>
          </>
        )}
        <dt>Time</dt>
        <dd>{timingLine(report)}</dd>
      </dl>
    </details>
  );
}

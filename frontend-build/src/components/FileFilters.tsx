import { useEffect, useState } from "react";
import type { ListFilter } from "../api/client";
import type { FileStatus } from "../api/types";
import { STATUS_LABEL } from "../files";

interface FileFiltersProps {
  filter: ListFilter;
  onChange: (filter: ListFilter) => void;
  /** How long typing may pause before the list is searched (ms). */
  delayMs?: number;
}

/** A search box and a status filter above the list. */
export function FileFilters({ filter, onChange, delayMs = 300 }: FileFiltersProps) {
  const [text, setText] = useState(filter.q ?? "");

  useEffect(() => {
    if ((filter.q ?? "") === text.trim()) return;
    const t = setTimeout(() => onChange({ ...filter, q: text.trim() || undefined }), delayMs);
    return () => clearTimeout(t);
  }, [text, filter, onChange, delayMs]);

  return (
    <div className="filters" role="search" aria-label="Find PDFs">
      <label className="filter">
        <span>Search</span>
        <input
          type="search"
          value={text}
          placeholder="Words in the title or address"
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <label className="filter">
        <span>Status</span>
        <select
          value={filter.status ?? ""}
          onChange={(e) =>
            onChange({ ...filter, status: (e.target.value || undefined) as FileStatus | undefined })
          }
        >
          <option value="">Any status</option>
          {(Object.keys(STATUS_LABEL) as FileStatus[]).map((s) => (
            <option key={s} value={s}>
              Only {STATUS_LABEL[s].toLowerCase()}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

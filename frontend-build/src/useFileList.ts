import { useCallback, useEffect, useRef, useState } from "react";
import type { Api, ListFilter } from "./api/client";
import { ApiError } from "./api/errors";
import type { FileEntry } from "./api/types";
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
} from "./files";
import { createPoller, type Backoff, type Poller } from "./polling";

export const PAGE_SIZE = 20;

/**
 * The list as the server has it, for one filter: the first load, "Load more", polling
 * while something is still being made (backing off while nothing changes), and what to
 * announce when a job finishes. Deleted names stay hidden even if a slow poll still has them.
 */
export function useFileList(api: Api, filter: ListFilter, backoff?: Backoff) {
  const [list, setListState] = useState<ListState>({ files: [] });
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string>();
  const [announcement, setAnnouncement] = useState("");
  const listRef = useRef(list);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const deleted = useRef(new Set<string>());
  const pollerRef = useRef<Poller | null>(null);

  const setList = useCallback((next: ListState | ((l: ListState) => ListState)) => {
    setListState((l) => {
      const value = typeof next === "function" ? next(l) : next;
      listRef.current = value;
      return value;
    });
  }, []);

  const announceChanges = useCallback((before: FileEntry[], after: FileEntry[]) => {
    const changed = statusChanges(before, after).filter(
      (f) => f.status === "ready" || f.status === "failed",
    );
    if (changed.length === 0) return;
    setAnnouncement(changed.map((f) => `${displayTitle(f)}: ${STATUS_LABEL[f.status]}.`).join(" "));
  }, []);

  // Polling: fetch the first page again (large enough to cover what is shown) and merge it in.
  useEffect(() => {
    const poller = createPoller(async () => {
      const before = listRef.current;
      const limit = Math.min(100, Math.max(PAGE_SIZE, before.files.length));
      const page = await api.listFiles(limit, undefined, filterRef.current);
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
      return { active: merged.files.some(isActive), changed };
    }, backoff);
    pollerRef.current = poller;
    return () => poller.stop();
  }, [api, backoff, announceChanges, setList]);

  const anyActive = list.files.some(isActive);
  useEffect(() => {
    if (anyActive) pollerRef.current?.start();
  }, [anyActive]);

  const { q, status } = filter;
  const loadFirst = useCallback(async () => {
    setLoadError(undefined);
    try {
      const page = await api.listFiles(PAGE_SIZE, undefined, { q, status });
      setList({ files: page.files.filter((f) => !deleted.current.has(f.name)), next: page.next });
      setLoaded(true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      setLoadError(e instanceof ApiError ? e.message : "Could not load your PDFs.");
    }
  }, [api, q, status, setList]);

  useEffect(() => {
    void loadFirst();
  }, [loadFirst]);

  /** A new or changed entry goes in (first, if new) and polling speeds up. */
  const put = useCallback(
    (entry: FileEntry, loadedNow = false) => {
      setList((l) => upsert(l, entry));
      if (loadedNow) setLoaded(true);
      pollerRef.current?.kick();
    },
    [setList],
  );

  /** Gone for good: hidden from every later page and poll. */
  const remove = useCallback(
    (name: string) => {
      deleted.current.add(name);
      setList((l) => removeEntry(l, name));
    },
    [setList],
  );

  const kick = useCallback(() => pollerRef.current?.kick(), []);

  async function loadMore(): Promise<FileEntry | undefined> {
    const cursor = listRef.current.next;
    if (!cursor || loadingMore) return undefined;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await api.listFiles(PAGE_SIZE, cursor, filterRef.current);
      const before = listRef.current.files.length;
      const firstNew = page.files.find(
        (f) => !listRef.current.files.some((x) => x.name === f.name),
      );
      setList((l) => appendPage(l, { files: page.files, next: page.next }, deleted.current));
      setAnnouncement(
        `Loaded ${page.files.length} more. ${before + page.files.length} PDFs shown.`,
      );
      return firstNew;
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return undefined;
      setMoreError(e instanceof ApiError ? e.message : "Could not load more.");
      return undefined;
    } finally {
      setLoadingMore(false);
    }
  }

  return {
    list,
    loaded,
    loadError,
    loadingMore,
    moreError,
    announcement,
    setAnnouncement,
    loadFirst,
    loadMore,
    put,
    remove,
    kick,
  };
}

import { useState } from "react";
import type { FileEntry } from "../api/types";

/**
 * The first page's picture, or a plain paper shape while there is none. The list is
 * polled, and each answer signs a fresh URL for the same picture: the first URL is kept
 * so the picture is not fetched again with every poll.
 */
export function Thumbnail({ file }: { file: FileEntry }) {
  const [src, setSrc] = useState(file.thumbnail_url ?? null);
  const [broken, setBroken] = useState(false);
  if (src === null && file.thumbnail_url) setSrc(file.thumbnail_url);
  if (src === null || broken) {
    return <div className={`thumb thumb--empty thumb--${file.status}`} aria-hidden="true" />;
  }
  return (
    <img
      className="thumb"
      src={src}
      alt=""
      width={75}
      height={106}
      loading="lazy"
      onError={() => setBroken(true)}
    />
  );
}

import { useEffect, useState } from "react";
import type { FileEntry } from "../api/types";

interface FilePictureProps {
  file: FileEntry;
  title: string;
  /** A short-lived URL of the file (the download link). */
  load: (file: FileEntry) => Promise<string>;
}

/** A ready screenshot shown in the list, loaded from its short-lived link; nothing if that fails. */
export function FilePicture({ file, title, load }: FilePictureProps) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    load(file).then(
      (url) => live && setSrc(url),
      () => undefined, // the Download button still works and says what is wrong
    );
    return () => {
      live = false;
    };
  }, [file.name, file.updated_at]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!src) return null;
  return <img className="file-picture" src={src} alt={`Screenshot of ${title}`} loading="lazy" />;
}

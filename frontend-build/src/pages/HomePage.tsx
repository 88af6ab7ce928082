import { useState } from "react";
import type { Api } from "../api/client";
import type { FileEntry } from "../api/types";
import { ConvertForm } from "../components/ConvertForm";
import { FileList } from "../components/FileList";
import type { Backoff } from "../polling";

interface HomePageProps {
  api: Api;
  backoff?: Backoff;
  openUrl?: (url: string, filename: string) => void;
  openTab?: (url: string) => void;
}

export function HomePage({ api, backoff, openUrl, openTab }: HomePageProps) {
  const [queued, setQueued] = useState<FileEntry | null>(null);
  return (
    <main id="main" className="home">
      <h1 tabIndex={-1} data-autofocus className="visually-hidden">
        PagePress: turn web pages into PDFs
      </h1>
      <ConvertForm api={api} onQueued={setQueued} />
      <FileList api={api} queued={queued} backoff={backoff} openUrl={openUrl} openTab={openTab} />
    </main>
  );
}

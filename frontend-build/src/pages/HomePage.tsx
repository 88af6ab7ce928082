import { useEffect, useState } from "react";
import type { Api } from "../api/client";
import type { FileEntry } from "../api/types";
import { ConvertForm } from "../components/ConvertForm";
import { FileList } from "../components/FileList";
import type { Backoff } from "../polling";

interface HomePageProps {
  api: Api;
  email: string;
  onSignOut: () => void;
  signingOut?: boolean;
  backoff?: Backoff;
  openUrl?: (url: string, filename: string) => void;
  openTab?: (url: string) => void;
}

export function HomePage({
  api,
  email,
  onSignOut,
  signingOut,
  backoff,
  openUrl,
  openTab,
}: HomePageProps) {
  const [queued, setQueued] = useState<FileEntry | null>(null);
  const [who, setWho] = useState(email);

  // Confirms the session is still good and shows who is signed in.
  useEffect(() => {
    let alive = true;
    api.me().then(
      (u) => alive && setWho(u.email),
      () => {
        /* a 401 ends the session in App; other errors leave the page usable */
      },
    );
    return () => {
      alive = false;
    };
  }, [api]);

  return (
    <>
      <header className="topbar">
        <div className="topbar-inner">
          <span className="brand">
            <span aria-hidden="true" className="logo" /> PagePress
          </span>
          <div className="account">
            {who && (
              <span className="who" title={who}>
                <span className="visually-hidden">Signed in as </span>
                {who}
              </span>
            )}
            <button
              type="button"
              className="button button--ghost"
              onClick={onSignOut}
              disabled={signingOut}
            >
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="home">
        <h1 tabIndex={-1} data-autofocus className="visually-hidden">
          PagePress: turn web pages into PDFs
        </h1>
        <ConvertForm api={api} onQueued={setQueued} />
        <FileList api={api} queued={queued} backoff={backoff} openUrl={openUrl} openTab={openTab} />
      </main>
    </>
  );
}

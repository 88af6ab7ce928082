import { useEffect, useState } from "react";
import type { Api } from "../api/client";

interface TopBarProps {
  api: Api;
  email: string;
  onSignOut: () => void;
  signingOut?: boolean;
  page: "files" | "account";
  navigate: (path: string) => void;
}

/** The brand, where you are (your PDFs or your account), who is signed in, and signing out. */
export function TopBar({ api, email, onSignOut, signingOut, page, navigate }: TopBarProps) {
  const [who, setWho] = useState(email);

  // Confirms the session is still good and shows who is signed in.
  useEffect(() => {
    let alive = true;
    api.me().then(
      (u) => alive && setWho(u.email),
      () => {
        /* a 401 ends the session in useSession; other errors leave the page usable */
      },
    );
    return () => {
      alive = false;
    };
  }, [api]);

  const link = (path: string, label: string, current: boolean) => (
    <a
      href={path}
      className="nav-link"
      aria-current={current ? "page" : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );

  return (
    <header className="topbar">
      <div className="topbar-inner">
        <span className="brand">
          <span aria-hidden="true" className="logo" /> PagePress
        </span>
        <nav className="nav" aria-label="Pages">
          {link("/", "Your PDFs", page === "files")}
          {link("/account", "Account", page === "account")}
        </nav>
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
  );
}

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createApi, type Api } from "./api/client";
import { sessionEndedMessage } from "./api/errors";
import type { SignInResult } from "./api/types";
import { apiBaseUrl } from "./config";
import { AuthPage, type Notice } from "./pages/AuthPage";
import { HomePage } from "./pages/HomePage";
import type { Backoff } from "./polling";
import {
  SESSION_KEY,
  clearSession,
  loadSession,
  msUntilExpiry,
  saveSession,
  type Session,
} from "./session";

export interface AppProps {
  /** Replaces window.fetch (tests). */
  fetch?: (request: Request) => Promise<Response>;
  backoff?: Backoff;
  openUrl?: (url: string, filename: string) => void;
  openTab?: (url: string) => void;
}

type Route = "/" | "/sign-in" | "/sign-up";

function currentRoute(): Route {
  const p = window.location.pathname.replace(/\/+$/, "") || "/";
  return p === "/sign-in" || p === "/sign-up" ? p : "/";
}

const MAX_TIMEOUT = 2 ** 31 - 1;

export function App({ fetch, backoff, openUrl, openTab }: AppProps) {
  const [session, setSession] = useState<Session | null>(() => {
    const s = loadSession();
    if (s && (msUntilExpiry(s) ?? 1) <= 0) return null;
    return s;
  });
  const [notice, setNotice] = useState<Notice | null>(() => {
    const s = loadSession();
    if (s && (msUntilExpiry(s) ?? 1) <= 0) {
      clearSession();
      return { kind: "alert", text: sessionEndedMessage("token_expired") };
    }
    return null;
  });
  const [lastEmail, setLastEmail] = useState(() => loadSession()?.email ?? "");
  const [route, setRoute] = useState<Route>(currentRoute);
  const [signingOut, setSigningOut] = useState(false);
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const signingOutRef = useRef(false);
  const navigated = useRef(false);

  const navigate = useCallback((path: string, next?: Notice | null) => {
    if (next !== undefined) setNotice(next);
    if (window.location.pathname !== path) window.history.pushState(null, "", path);
    navigated.current = true;
    setRoute(currentRoute());
  }, []);

  const endSession = useCallback(
    (code: string) => {
      if (signingOutRef.current || !sessionRef.current) return;
      setLastEmail(sessionRef.current.email);
      clearSession();
      sessionRef.current = null;
      setSession(null);
      navigate("/sign-in", { kind: "alert", text: sessionEndedMessage(code) });
    },
    [navigate],
  );

  const api: Api = useMemo(
    () =>
      createApi({
        baseUrl: apiBaseUrl(),
        getToken: () => sessionRef.current?.token ?? null,
        onSessionEnded: (code) => endSession(code),
        ...(fetch ? { fetch } : {}),
      }),
    [fetch, endSession],
  );

  // Back/forward buttons.
  useEffect(() => {
    const onPop = () => setRoute(currentRoute());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  // End the session when the token expires, even if the page sits idle.
  useEffect(() => {
    if (!session) return;
    const ms = msUntilExpiry(session);
    if (ms === null) return;
    const t = setTimeout(() => endSession("token_expired"), Math.min(Math.max(ms, 0), MAX_TIMEOUT));
    return () => clearTimeout(t);
  }, [session, endSession]);

  // Signing out (or in) in another tab of this browser.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => {
      if (e.key !== SESSION_KEY) return;
      const s = loadSession();
      if (!s && sessionRef.current) {
        sessionRef.current = null;
        setSession(null);
        navigate("/sign-in", { kind: "status", text: "You signed out in another tab." });
      } else if (s && !sessionRef.current) {
        setSession(s);
        navigate("/", null);
      }
    };
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, [navigate]);

  // Move focus to the new page's heading after a navigation (not on first load).
  useEffect(() => {
    if (!navigated.current) return;
    document.querySelector<HTMLElement>("[data-autofocus]")?.focus();
  }, [route, session]);

  const onSignedIn = useCallback(
    (result: SignInResult, email: string) => {
      const s: Session = { token: result.token, expiresAt: result.expires_at, email };
      saveSession(s);
      sessionRef.current = s;
      setSession(s);
      setLastEmail(email);
      navigate("/", null);
    },
    [navigate],
  );

  const onSignOut = useCallback(async () => {
    signingOutRef.current = true;
    setSigningOut(true);
    try {
      await api.signOut();
    } catch {
      // Signed out here either way; the token is forgotten below.
    }
    clearSession();
    sessionRef.current = null;
    setSession(null);
    setSigningOut(false);
    signingOutRef.current = false;
    navigate("/sign-in", { kind: "status", text: "You have signed out." });
  }, [api, navigate]);

  // Route guards: the app needs a session; the sign-in pages don't.
  const showAuth = !session;
  useEffect(() => {
    if (showAuth && route === "/") window.history.replaceState(null, "", "/sign-in");
    if (!showAuth && route !== "/") window.history.replaceState(null, "", "/");
  }, [showAuth, route]);

  if (showAuth) {
    const mode = route === "/sign-up" ? "sign-up" : "sign-in";
    return (
      <>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <AuthPage
          key={mode}
          mode={mode}
          api={api}
          notice={notice}
          initialEmail={mode === "sign-in" ? lastEmail : ""}
          onSignedIn={onSignedIn}
          navigate={(path, n) => navigate(path, n === undefined ? null : n)}
        />
      </>
    );
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <HomePage
        api={api}
        email={session.email}
        onSignOut={() => void onSignOut()}
        signingOut={signingOut}
        backoff={backoff}
        openUrl={openUrl}
        openTab={openTab}
      />
    </>
  );
}

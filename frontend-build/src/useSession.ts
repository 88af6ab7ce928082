import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createApi, type Api } from "./api/client";
import { sessionEndedMessage } from "./api/errors";
import type { SignInResult } from "./api/types";
import { apiBaseUrl } from "./config";
import type { Notice } from "./pages/AuthPage";
import {
  SESSION_KEY,
  clearSession,
  loadSession,
  msUntilExpiry,
  saveSession,
  type Session,
} from "./session";

export type Route = "/" | "/sign-in" | "/sign-up" | "/account";

const ROUTES: ReadonlySet<string> = new Set(["/sign-in", "/sign-up", "/account"]);
const MAX_TIMEOUT = 2 ** 31 - 1;

function currentRoute(): Route {
  const p = window.location.pathname.replace(/\/+$/, "") || "/";
  return ROUTES.has(p) ? (p as Route) : "/";
}

/**
 * The signed-in session and where the app is: the token in storage, the API client that
 * sends it, the session's end (expiry, a 401 that says so, another tab), and navigation.
 */
export function useSession(fetch?: (request: Request) => Promise<Response>) {
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

  const forget = useCallback(() => {
    clearSession();
    sessionRef.current = null;
    setSession(null);
  }, []);

  const endSession = useCallback(
    (code: string) => {
      if (signingOutRef.current || !sessionRef.current) return;
      setLastEmail(sessionRef.current.email);
      forget();
      navigate("/sign-in", { kind: "alert", text: sessionEndedMessage(code) });
    },
    [navigate, forget],
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
      } else if (s && sessionRef.current && s.token !== sessionRef.current.token) {
        sessionRef.current = s; // a new password in another tab: its new session is ours too
        setSession(s);
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

  /** Keep a session the server just issued (sign-in, or a new password). */
  const adopt = useCallback((result: SignInResult, email: string) => {
    const s: Session = { token: result.token, expiresAt: result.expires_at, email };
    saveSession(s);
    sessionRef.current = s;
    setSession(s);
    setLastEmail(email);
  }, []);

  const onSignedIn = useCallback(
    (result: SignInResult, email: string) => {
      adopt(result, email);
      navigate("/", null);
    },
    [adopt, navigate],
  );

  const onSignOut = useCallback(async () => {
    signingOutRef.current = true;
    setSigningOut(true);
    try {
      await api.signOut();
    } catch {
      // Signed out here either way; the token is forgotten below.
    }
    forget();
    setSigningOut(false);
    signingOutRef.current = false;
    navigate("/sign-in", { kind: "status", text: "You have signed out." });
  }, [api, navigate, forget]);

  /** The account is gone: forget it and say so on the sign-up page. */
  const onAccountClosed = useCallback(() => {
    forget();
    setLastEmail("");
    navigate("/sign-up", { kind: "status", text: "Your account and all its PDFs are deleted." });
  }, [navigate, forget]);

  return {
    session,
    api,
    notice,
    lastEmail,
    route,
    navigate,
    signingOut,
    adopt,
    onSignedIn,
    onSignOut,
    onAccountClosed,
  };
}

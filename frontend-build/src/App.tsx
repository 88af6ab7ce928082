import { useEffect } from "react";
import { AccountPage } from "./pages/AccountPage";
import { AuthPage } from "./pages/AuthPage";
import { HomePage } from "./pages/HomePage";
import type { Backoff } from "./polling";
import { useSession } from "./useSession";
import { TopBar } from "./components/TopBar";

export interface AppProps {
  /** Replaces window.fetch (tests). */
  fetch?: (request: Request) => Promise<Response>;
  backoff?: Backoff;
  openUrl?: (url: string, filename: string) => void;
  openTab?: (url: string) => void;
}

export function App({ fetch, backoff, openUrl, openTab }: AppProps) {
  const s = useSession(fetch);
  const { session, route, navigate } = s;

  // Route guards: the app needs a session; the sign-in pages don't.
  const showAuth = !session;
  useEffect(() => {
    if (showAuth && (route === "/" || route === "/account"))
      window.history.replaceState(null, "", "/sign-in");
    if (!showAuth && (route === "/sign-in" || route === "/sign-up"))
      window.history.replaceState(null, "", "/");
  }, [showAuth, route]);

  const skipLink = (
    <a className="skip-link" href="#main">
      Skip to content
    </a>
  );

  if (showAuth) {
    const mode = route === "/sign-up" ? "sign-up" : "sign-in";
    return (
      <>
        {skipLink}
        <AuthPage
          key={mode}
          mode={mode}
          api={s.api}
          notice={s.notice}
          initialEmail={mode === "sign-in" ? s.lastEmail : ""}
          onSignedIn={s.onSignedIn}
          navigate={(path, n) => navigate(path, n === undefined ? null : n)}
        />
      </>
    );
  }
  const onAccount = route === "/account";
  return (
    <>
      {skipLink}
      <TopBar
        api={s.api}
        email={session.email}
        onSignOut={() => void s.onSignOut()}
        signingOut={s.signingOut}
        page={onAccount ? "account" : "files"}
        navigate={(path) => navigate(path)}
      />
      {onAccount ? (
        <AccountPage
          api={s.api}
          email={session.email}
          onPasswordChanged={(result) => s.adopt(result, session.email)}
          onClosed={s.onAccountClosed}
        />
      ) : (
        <HomePage api={s.api} backoff={backoff} openUrl={openUrl} openTab={openTab} />
      )}
    </>
  );
}

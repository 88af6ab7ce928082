import { useEffect, useRef, useState, type FormEvent } from "react";
import type { Api } from "../api/client";
import { ApiError } from "../api/errors";
import type { SignInResult } from "../api/types";
import { Field } from "../components/Field";
import {
  EMAIL_RULE,
  PASSWORD_RULE,
  charCount,
  validateEmail,
  validateExistingPassword,
  validateNewPassword,
} from "../validation";

export interface Notice {
  kind: "alert" | "status";
  text: string;
}

interface AuthPageProps {
  mode: "sign-in" | "sign-up";
  api: Api;
  notice: Notice | null;
  initialEmail?: string;
  onSignedIn: (result: SignInResult, email: string) => void;
  navigate: (path: string, notice?: Notice | null) => void;
}

type Errors = { email?: string; password?: string; form?: string };

function formMessage(e: ApiError): string {
  switch (e.code) {
    case "invalid_credentials":
      return "The e-mail address or password is not right. Check both and try again.";
    case "too_many_attempts":
      return e.retryAfter
        ? `Too many sign-in attempts. Please wait ${e.retryAfter} second${e.retryAfter === 1 ? "" : "s"} and try again.`
        : "Too many sign-in attempts. Please wait a little and try again.";
    default:
      return e.message;
  }
}

export function AuthPage({
  mode,
  api,
  notice,
  initialEmail = "",
  onSignedIn,
  navigate,
}: AuthPageProps) {
  const signUp = mode === "sign-up";
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const [showPassword, setShowPassword] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [waitUntil, setWaitUntil] = useState(0);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const formErrorRef = useRef<HTMLDivElement>(null);

  // Re-enable the button when a Retry-After wait is over.
  useEffect(() => {
    if (!waitUntil) return;
    const t = setTimeout(() => setWaitUntil(0), Math.max(0, waitUntil - Date.now()));
    return () => clearTimeout(t);
  }, [waitUntil]);

  function validate(): Errors {
    return {
      email: validateEmail(email),
      password: signUp ? validateNewPassword(password) : validateExistingPassword(password),
    };
  }

  function focusFirst(errs: Errors) {
    if (errs.email) emailRef.current?.focus();
    else if (errs.password) passwordRef.current?.focus();
    else if (errs.form) formErrorRef.current?.focus();
  }

  function showServerError(e: unknown) {
    const err =
      e instanceof ApiError
        ? e
        : new ApiError(0, "unknown", "Something went wrong. Please try again.");
    const errs: Errors = {};
    if (err.field === "email" || err.code === "email_taken") {
      errs.email =
        err.code === "email_taken"
          ? "An account with this e-mail address already exists. Sign in instead?"
          : err.message;
    } else if (err.field === "password") {
      errs.password = err.message;
    } else {
      errs.form = formMessage(err);
    }
    if (err.code === "too_many_attempts") setWaitUntil(Date.now() + (err.retryAfter ?? 30) * 1000);
    setErrors(errs);
    // Let React render the messages, then move focus to the first one.
    setTimeout(() => focusFirst(errs), 0);
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const errs = validate();
    setErrors(errs);
    if (errs.email || errs.password) {
      focusFirst(errs);
      return;
    }
    setBusy(true);
    const cleanEmail = email.trim();
    let created = false;
    try {
      if (signUp) {
        await api.signUp(cleanEmail, password);
        created = true;
      }
      const result = await api.signIn(cleanEmail, password);
      onSignedIn(result, cleanEmail);
    } catch (err) {
      setBusy(false);
      if (created) {
        // The account exists; only the automatic sign-in failed.
        navigate("/sign-in", {
          kind: "status",
          text: `Your account was created, but signing in failed: ${err instanceof ApiError ? formMessage(err) : "please try again."}`,
        });
        return;
      }
      showServerError(err);
    }
  }

  const pwCount = charCount(password);
  const waiting = waitUntil > 0;

  return (
    <main id="main" className="auth">
      <div className="card auth-card">
        <h1 tabIndex={-1} data-autofocus>
          {signUp ? "Create your PagePress account" : "Sign in to PagePress"}
        </h1>
        <p className="lead">Turn any web page into a PDF you can download.</p>
        {notice && (
          <div
            className={notice.kind === "alert" ? "notice notice--alert" : "notice"}
            role={notice.kind}
          >
            {notice.text}
          </div>
        )}
        <form noValidate onSubmit={onSubmit} aria-busy={busy || undefined}>
          {errors.form && (
            <div ref={formErrorRef} className="notice notice--alert" role="alert" tabIndex={-1}>
              {errors.form}
            </div>
          )}
          <Field
            ref={emailRef}
            label="Email"
            type="email"
            name="email"
            autoComplete={signUp ? "email" : "username"}
            inputMode="email"
            spellCheck={false}
            autoCapitalize="none"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            onBlur={() => email && setErrors((x) => ({ ...x, email: validateEmail(email) }))}
            hint={EMAIL_RULE}
            error={errors.email}
          />
          <Field
            ref={passwordRef}
            label="Password"
            type={showPassword ? "text" : "password"}
            name="password"
            autoComplete={signUp ? "new-password" : "current-password"}
            required
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              if (errors.password && signUp) {
                setErrors((x) => ({ ...x, password: validateNewPassword(e.target.value) }));
              }
            }}
            hint={
              signUp ? (
                <>
                  {PASSWORD_RULE}{" "}
                  {pwCount > 0 && (
                    <span className={pwCount >= 8 && pwCount <= 128 ? "ok" : undefined}>
                      ({pwCount} typed{pwCount >= 8 && pwCount <= 128 ? " ✓" : ""})
                    </span>
                  )}
                </>
              ) : undefined
            }
            error={errors.password}
          />
          <div className="checkbox">
            <input
              id="show-password"
              type="checkbox"
              checked={showPassword}
              onChange={(e) => setShowPassword(e.target.checked)}
            />
            <label htmlFor="show-password">Show password</label>
          </div>
          <button
            type="submit"
            className="button button--primary button--wide"
            disabled={busy || waiting}
          >
            {signUp ? "Create account" : "Sign in"}
          </button>
          {busy && (
            <p className="hint" role="status">
              {signUp ? "Creating your account…" : "Signing in…"}
            </p>
          )}
        </form>
        <p className="switch">
          {signUp ? (
            <>
              Already have an account?{" "}
              <a
                href="/sign-in"
                onClick={(e) => {
                  e.preventDefault();
                  navigate("/sign-in");
                }}
              >
                Sign in instead
              </a>
            </>
          ) : (
            <>
              New to PagePress?{" "}
              <a
                href="/sign-up"
                onClick={(e) => {
                  e.preventDefault();
                  navigate("/sign-up");
                }}
              >
                Sign up for an account
              </a>
            </>
          )}
        </p>
      </div>
    </main>
  );
}

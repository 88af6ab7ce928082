import { useEffect, useState, type FormEvent } from "react";
import type { Api } from "../api/client";
import { ApiError } from "../api/errors";
import type { SignInResult, Usage } from "../api/types";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Field } from "../components/Field";
import { formatBytes } from "../files";

interface AccountPageProps {
  api: Api;
  email: string;
  onPasswordChanged: (result: SignInResult) => void;
  onClosed: () => void;
}

/** Usage, a new password, and closing the account. */
export function AccountPage({ api, email, onPasswordChanged, onClosed }: AccountPageProps) {
  return (
    <main id="main" className="home">
      <h1 tabIndex={-1} data-autofocus className="page-title">
        Your account
      </h1>
      <p className="hint">Signed in as {email}</p>
      <UsageCard api={api} />
      <PasswordCard api={api} onChanged={onPasswordChanged} />
      <CloseCard api={api} onClosed={onClosed} />
    </main>
  );
}

function UsageCard({ api }: { api: Api }) {
  const [usage, setUsage] = useState<Usage>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let alive = true;
    api.usage().then(
      (u) => alive && setUsage(u),
      (e) => alive && setError(e instanceof ApiError ? e.message : "Could not load your usage."),
    );
    return () => {
      alive = false;
    };
  }, [api]);
  return (
    <section className="card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">Usage</h2>
      {error && <p role="alert">{error}</p>}
      {!usage && !error && <p className="hint">Loading…</p>}
      {usage && (
        <dl className="usage">
          <div>
            <dt>Files</dt>
            <dd>{usage.files}</dd>
          </div>
          <div>
            <dt>Stored</dt>
            <dd>
              {formatBytes(usage.stored_bytes.used)} of {formatBytes(usage.stored_bytes.limit)}
            </dd>
          </div>
          <div>
            <dt>Being made</dt>
            <dd>
              {usage.unfinished_jobs.used} of at most {usage.unfinished_jobs.limit}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

function PasswordCard({ api, onChanged }: { api: Api; onChanged: (r: SignInResult) => void }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setDone(false);
    setBusy(true);
    try {
      onChanged(await api.changePassword(current, next));
      setCurrent("");
      setNext("");
      setDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.code === "wrong_password") {
        setErrors({ current: err.message });
      } else if (err instanceof ApiError && err.field === "new_password") {
        setErrors({ next: err.message });
      } else {
        setErrors({ form: err instanceof ApiError ? err.message : "Please try again." });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="password-heading">
      <h2 id="password-heading">Change your password</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={errors.current}
          required
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="8 to 128 characters."
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={errors.next}
          required
        />
        {errors.form && <p role="alert">{errors.form}</p>}
        {done && (
          <p role="status" className="notice">
            Password changed. Every other session and every API key has stopped working.
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy}>
          Change password
        </button>
      </form>
    </section>
  );
}

function CloseCard({ api, onClosed }: { api: Api; onClosed: () => void }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);

  async function close() {
    setBusy(true);
    try {
      await api.closeAccount(password);
      onClosed();
    } catch (err) {
      setAsking(false);
      setBusy(false);
      setError(err instanceof ApiError ? err.message : "Please try again.");
    }
  }

  return (
    <section className="card card--danger" aria-labelledby="close-heading">
      <h2 id="close-heading">Delete your account</h2>
      <p>
        Every PDF, its picture and its details, your API keys and your webhook secret are deleted
        for good. You can sign up again with the same e-mail.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          setAsking(true);
        }}
        noValidate
      >
        <Field
          label="Your password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={error}
          required
        />
        <button type="submit" className="button button--danger" disabled={!password || busy}>
          Delete my account
        </button>
      </form>
      {asking && (
        <ConfirmDialog
          title="Delete your account?"
          confirmLabel="Delete everything"
          busy={busy}
          onCancel={() => setAsking(false)}
          onConfirm={() => void close()}
        >
          <p>Your account and all its PDFs will be deleted. This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

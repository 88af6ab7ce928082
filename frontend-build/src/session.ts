export interface Session {
  token: string;
  /** ISO 8601 time the token stops working. */
  expiresAt: string;
  email: string;
}

export const SESSION_KEY = "pagepress.session";

export function loadSession(storage: Storage = localStorage): Session | null {
  try {
    const raw = storage.getItem(SESSION_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== "string" || !s.token) return null;
    return {
      token: s.token,
      expiresAt: typeof s.expiresAt === "string" ? s.expiresAt : "",
      email: typeof s.email === "string" ? s.email : "",
    };
  } catch {
    return null;
  }
}

export function saveSession(session: Session, storage: Storage = localStorage): void {
  try {
    storage.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // Storage full or disabled: the session then lasts as long as the page.
  }
}

export function clearSession(storage: Storage = localStorage): void {
  try {
    storage.removeItem(SESSION_KEY);
  } catch {
    /* ignore */
  }
}

/** Milliseconds until the session expires (<= 0 when it has), or null if unknown. */
export function msUntilExpiry(session: Session, now: number = Date.now()): number | null {
  const t = Date.parse(session.expiresAt);
  return Number.isNaN(t) ? null : t - now;
}

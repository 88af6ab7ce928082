export interface RuntimeConfig {
  /** Origin of the PagePress API, e.g. "https://api.example.com". Empty = same origin. */
  apiOrigin?: string;
}

declare global {
  interface Window {
    __PAGEPRESS_CONFIG__?: RuntimeConfig;
  }
}

/** The origin API calls go to: the deploy-time API_ORIGIN, else this page's origin. */
export function apiBaseUrl(): string {
  const configured = (window.__PAGEPRESS_CONFIG__?.apiOrigin ?? "").trim().replace(/\/+$/, "");
  return configured || window.location.origin;
}

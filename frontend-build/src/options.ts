import type { ConvertOptions, MediaType, PaperFormat } from "./api/types";

export const PAPER_FORMATS: readonly PaperFormat[] = [
  "A4",
  "A3",
  "A5",
  "Letter",
  "Legal",
  "Tabloid",
];
export const MEDIA_TYPES: readonly MediaType[] = ["print", "screen"];
export const OUTPUTS = ["pdf", "png", "jpeg", "webp"] as const;
export type Output = (typeof OUTPUTS)[number];
export function isImage(output: string | undefined): boolean {
  return output === "png" || output === "jpeg" || output === "webp";
}

/** "" leaves the page's own preference alone. */
export const COLOR_SCHEMES = ["", "light", "dark"] as const;
export type ColorScheme = (typeof COLOR_SCHEMES)[number];
export const MARGIN_SIDES = ["top", "right", "bottom", "left"] as const;
export type MarginSide = (typeof MARGIN_SIDES)[number];

/** What the options section of the form holds (text fields stay strings while edited). */
export interface OptionsForm {
  format: PaperFormat;
  landscape: boolean;
  margin: Record<MarginSide, string>;
  scale: string;
  printBackground: boolean;
  media: MediaType;
  waitForSelector: string;
  delayMs: string;
  pageRanges: string;
  singlePage: boolean;
  preferCssPageSize: boolean;
  omitBackground: boolean;
  colorScheme: ColorScheme;
  reducedMotion: boolean;
  userAgent: string;
  waitForExpression: string;
  /** Statuses as typed, e.g. "404, 5xx"; empty: the default (every 4xx and 5xx). */
  failOnHttpStatus: string;
  failOnResourceHttpStatus: string;
  failOnResourceLoadingFailed: boolean;
  failOnConsoleExceptions: boolean;
  /** The download's name: for one conversion, so it is not remembered. */
  filename: string;
  output: Output;
  fullPage: boolean;
  /** JPEG/WebP quality as typed; empty: Chromium's default. */
  quality: string;
  /** "Name: value" per line, sent only to the page's own origin. Credentials: never remembered. */
  headers: string;
  /** "name=value" per line, set for the page's host. Credentials: never remembered. */
  cookies: string;
}

export const DEFAULT_OPTIONS: OptionsForm = {
  format: "A4",
  landscape: false,
  margin: { top: "1cm", right: "1cm", bottom: "1cm", left: "1cm" },
  scale: "1",
  printBackground: true,
  media: "print",
  waitForSelector: "",
  delayMs: "0",
  pageRanges: "",
  singlePage: false,
  preferCssPageSize: false,
  omitBackground: false,
  colorScheme: "",
  reducedMotion: false,
  userAgent: "",
  waitForExpression: "",
  failOnHttpStatus: "",
  failOnResourceHttpStatus: "",
  failOnResourceLoadingFailed: false,
  failOnConsoleExceptions: false,
  filename: "",
  output: "pdf",
  fullPage: true,
  quality: "",
  headers: "",
  cookies: "",
};

export const OPTIONS_KEY = "pagepress.options.v1";

function pick<T>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
function str(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}
function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === "boolean" ? value : fallback;
}

/** The options remembered from last time, or the defaults. Unknown or broken values fall back one by one. */
export function loadOptions(storage: Storage = localStorage): OptionsForm {
  let saved: Record<string, unknown> = {};
  try {
    const raw = storage.getItem(OPTIONS_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (parsed && typeof parsed === "object") saved = parsed as Record<string, unknown>;
  } catch {
    /* use defaults */
  }
  const m = (saved.margin && typeof saved.margin === "object" ? saved.margin : {}) as Record<
    string,
    unknown
  >;
  const d = DEFAULT_OPTIONS;
  return {
    format: pick(saved.format, PAPER_FORMATS, d.format),
    landscape: bool(saved.landscape, d.landscape),
    margin: {
      top: str(m.top, d.margin.top),
      right: str(m.right, d.margin.right),
      bottom: str(m.bottom, d.margin.bottom),
      left: str(m.left, d.margin.left),
    },
    scale: str(saved.scale, d.scale),
    printBackground: bool(saved.printBackground, d.printBackground),
    media: pick(saved.media, MEDIA_TYPES, d.media),
    waitForSelector: str(saved.waitForSelector, d.waitForSelector),
    delayMs: str(saved.delayMs, d.delayMs),
    pageRanges: str(saved.pageRanges, d.pageRanges),
    singlePage: bool(saved.singlePage, d.singlePage),
    preferCssPageSize: bool(saved.preferCssPageSize, d.preferCssPageSize),
    omitBackground: bool(saved.omitBackground, d.omitBackground),
    colorScheme: pick(saved.colorScheme, COLOR_SCHEMES, d.colorScheme),
    reducedMotion: bool(saved.reducedMotion, d.reducedMotion),
    userAgent: str(saved.userAgent, d.userAgent),
    waitForExpression: str(saved.waitForExpression, d.waitForExpression),
    failOnHttpStatus: str(saved.failOnHttpStatus, d.failOnHttpStatus),
    failOnResourceHttpStatus: str(saved.failOnResourceHttpStatus, d.failOnResourceHttpStatus),
    failOnResourceLoadingFailed: bool(
      saved.failOnResourceLoadingFailed,
      d.failOnResourceLoadingFailed,
    ),
    failOnConsoleExceptions: bool(saved.failOnConsoleExceptions, d.failOnConsoleExceptions),
    filename: d.filename,
    output: pick(saved.output, OUTPUTS, d.output),
    fullPage: bool(saved.fullPage, d.fullPage),
    quality: str(saved.quality, d.quality),
    headers: d.headers,
    cookies: d.cookies,
  };
}

export function saveOptions(options: OptionsForm, storage: Storage = localStorage): void {
  try {
    const {
      filename: _perConversion,
      headers: _secret,
      cookies: _secretToo,
      ...remembered
    } = options;
    storage.setItem(OPTIONS_KEY, JSON.stringify(remembered));
  } catch {
    /* storage disabled: options are then not remembered */
  }
}

/** Form field keys, used to place errors (client- or server-side) next to their field. */
export type OptionField =
  | "format"
  | "landscape"
  | `margin.${MarginSide}`
  | "scale"
  | "printBackground"
  | "media"
  | "waitForSelector"
  | "delayMs"
  | "pageRanges"
  | "singlePage"
  | "preferCssPageSize"
  | "omitBackground"
  | "colorScheme"
  | "reducedMotion"
  | "userAgent"
  | "waitForExpression"
  | "failOnHttpStatus"
  | "failOnResourceHttpStatus"
  | "failOnResourceLoadingFailed"
  | "failOnConsoleExceptions"
  | "filename"
  | "output"
  | "fullPage"
  | "quality"
  | "headers"
  | "cookies";

export type OptionErrors = Partial<Record<OptionField, string>>;

// Mirrors CssLength in api/openapi.yaml.
const CSS_LENGTH = /^(0|\d{1,4}(\.\d{1,3})?(px|in|cm|mm))$/;
// Mirror chalicelib/domain/page_ranges.py, status_rules.py and options.py.
const PAGE_RANGE = /^\s*\d{1,6}\s*(-\s*\d{1,6}\s*)?$/;
const STATUS = /^([1-5]xx|[1-5]\d\d)$/i;
const VISIBLE_ASCII = /^[\x20-\x7e]+$/;
const FILENAME_FORBIDDEN = /[/\\:*?"<>|\t\n\r]/;
// Mirror chalicelib/domain/page_credentials.py (the API also refuses the headers browsers keep).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;
const COOKIE_VALUE =
  /^([\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*|"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")$/;
const MAX_CREDENTIALS = 20;

export const RULES = {
  margin: "A number with cm, mm, in or px, like 1cm or 0.5in.",
  scale: "From 0.1 to 2 (1 is actual size).",
  delay: "Whole milliseconds from 0 to 10000.",
  selector: "A CSS selector such as #content or .article, at most 256 characters.",
  pageRanges: 'Pages to keep, like "1-3, 5". Empty: all of them.',
  statuses: 'Status codes or classes, like "404, 5xx".',
  expression: "A JavaScript expression, like window.chartReady === true, at most 1024 characters.",
  filename: "Instead of a name made from the title; .pdf is added.",
  headers:
    "One Name: value per line, sent only to this page's own site (never to others). Not remembered.",
  cookies: "One name=value per line, set for this page's host. Not remembered.",
};

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** "Name: value" lines as the API wants them; undefined when a line is not a header. */
export function parseHeaders(text: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  const all = lines(text);
  if (all.length > MAX_CREDENTIALS) return undefined;
  for (const line of all) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (colon < 1 || !TOKEN.test(name) || name.length > 64) return undefined;
    if (!HEADER_VALUE.test(value) || value.length > 2048) return undefined;
    if (Object.keys(headers).some((known) => known.toLowerCase() === name.toLowerCase()))
      return undefined;
    headers[name] = value;
  }
  return headers;
}

/** "name=value" lines as the API wants them; undefined when a line is not a cookie. */
export function parseCookies(text: string): { name: string; value: string }[] | undefined {
  const all = lines(text);
  if (all.length > MAX_CREDENTIALS) return undefined;
  const cookies = all.map((line) => {
    const equals = line.indexOf("=");
    return { name: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim() };
  });
  const valid = cookies.every(
    (c) => TOKEN.test(c.name) && c.name.length <= 128 && COOKIE_VALUE.test(c.value),
  );
  return valid ? cookies : undefined;
}

/** "404, 5xx" as the API wants it: [404, "5xx"]; undefined when something is not a status. */
export function parseStatuses(text: string): (number | string)[] | undefined {
  const items = text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.some((item) => !STATUS.test(item))) return undefined;
  return items.map((item) => (/x/i.test(item) ? item.toLowerCase() : Number(item)));
}

function validPageRanges(text: string): boolean {
  return text.split(",").every((part) => {
    if (!PAGE_RANGE.test(part)) return false;
    const [first, last = first] = part.split("-").map((n) => Number(n.trim()));
    return first! >= 1 && last! >= first!;
  });
}

export function validateOptions(o: OptionsForm): OptionErrors {
  const errors: OptionErrors = {};
  for (const side of MARGIN_SIDES) {
    if (!CSS_LENGTH.test(o.margin[side].trim()))
      errors[`margin.${side}`] = "Use a number with cm, mm, in or px, like 1cm.";
  }
  const scale = Number(o.scale);
  if (o.scale.trim() === "" || !Number.isFinite(scale) || scale < 0.1 || scale > 2) {
    errors.scale = "Scale must be from 0.1 to 2.";
  }
  const delay = Number(o.delayMs);
  if (o.delayMs.trim() !== "" && (!Number.isInteger(delay) || delay < 0 || delay > 10000)) {
    errors.delayMs = "Delay must be a whole number of milliseconds from 0 to 10000.";
  }
  if (o.waitForSelector.length > 256) {
    errors.waitForSelector = "The selector can be at most 256 characters.";
  }
  if (o.pageRanges.trim() && (o.pageRanges.length > 200 || !validPageRanges(o.pageRanges))) {
    errors.pageRanges = 'Use pages and ranges like "1-3, 5" (from 1, ranges forwards).';
  } else if (o.pageRanges.trim() && o.singlePage && o.pageRanges.trim() !== "1") {
    errors.pageRanges = "A single page has no other pages: leave this empty.";
  }
  if (o.userAgent && (o.userAgent.length > 256 || !VISIBLE_ASCII.test(o.userAgent))) {
    errors.userAgent = "At most 256 plain ASCII characters.";
  }
  if (o.waitForExpression.length > 1024) {
    errors.waitForExpression = "The expression can be at most 1024 characters.";
  }
  if (parseStatuses(o.failOnHttpStatus) === undefined) {
    errors.failOnHttpStatus = RULES.statuses;
  }
  if (parseStatuses(o.failOnResourceHttpStatus) === undefined) {
    errors.failOnResourceHttpStatus = RULES.statuses;
  }
  const quality = Number(o.quality);
  if (
    (o.output === "jpeg" || o.output === "webp") &&
    o.quality.trim() !== "" &&
    (!Number.isInteger(quality) || quality < 0 || quality > 100)
  ) {
    errors.quality = "Quality must be a whole number from 0 to 100.";
  }
  if (o.filename.trim() && (o.filename.length > 100 || FILENAME_FORBIDDEN.test(o.filename))) {
    errors.filename = 'At most 100 characters, without / \\ : * ? " < > |.';
  }
  if (parseHeaders(o.headers) === undefined) {
    errors.headers = `Up to ${MAX_CREDENTIALS} lines like Authorization: Bearer abc, each name once.`;
  }
  if (parseCookies(o.cookies) === undefined) {
    errors.cookies = `Up to ${MAX_CREDENTIALS} lines like session=abc (no spaces, commas or semicolons in the value).`;
  }
  return errors;
}

/** The request's `options` object. Call only when validateOptions found nothing. */
export function toApiOptions(o: OptionsForm): ConvertOptions {
  const out: ConvertOptions = {
    format: o.format,
    landscape: o.landscape,
    margin: {
      top: o.margin.top.trim(),
      right: o.margin.right.trim(),
      bottom: o.margin.bottom.trim(),
      left: o.margin.left.trim(),
    },
    scale: Number(o.scale),
    print_background: o.printBackground,
    media: o.media,
  };
  const selector = o.waitForSelector.trim();
  if (selector) out.wait_for_selector = selector;
  const delay = o.delayMs.trim() === "" ? 0 : Number(o.delayMs);
  if (delay > 0) out.delay_ms = delay;
  const image = isImage(o.output);
  if (image) {
    // A screenshot takes no pages; it shows screen styles unless print ones are asked for.
    out.output = o.output;
    delete out.media;
    if (!o.fullPage) out.full_page = false;
    if (o.output !== "png" && o.quality.trim() !== "") out.quality = Number(o.quality);
  }
  if (o.pageRanges.trim() && !image) out.page_ranges = o.pageRanges.trim();
  if (o.singlePage && !image) out.single_page = true;
  if (o.preferCssPageSize) out.prefer_css_page_size = true;
  if (o.omitBackground) out.omit_background = true;
  const features: { name: "prefers-color-scheme" | "prefers-reduced-motion"; value: string }[] = [];
  if (o.colorScheme) features.push({ name: "prefers-color-scheme", value: o.colorScheme });
  if (o.reducedMotion) features.push({ name: "prefers-reduced-motion", value: "reduce" });
  if (features.length) out.media_features = features as ConvertOptions["media_features"];
  if (o.userAgent.trim()) out.user_agent = o.userAgent.trim();
  if (o.waitForExpression.trim()) out.wait_for_expression = o.waitForExpression.trim();
  const documentStatuses = parseStatuses(o.failOnHttpStatus);
  if (o.failOnHttpStatus.trim() && documentStatuses) out.fail_on_http_status = documentStatuses;
  const resourceStatuses = parseStatuses(o.failOnResourceHttpStatus);
  if (resourceStatuses?.length) out.fail_on_resource_http_status = resourceStatuses;
  if (o.failOnResourceLoadingFailed) out.fail_on_resource_loading_failed = true;
  if (o.failOnConsoleExceptions) out.fail_on_console_exceptions = true;
  if (o.filename.trim()) out.filename = o.filename.trim();
  const headers = parseHeaders(o.headers);
  if (headers && Object.keys(headers).length) out.headers = headers;
  const cookies = parseCookies(o.cookies);
  if (cookies?.length) out.cookies = cookies;
  return out;
}

/** Maps an API error field ("options.scale", "options.margin.top") to the form field. */
export function optionFieldFromApi(field: string): OptionField | undefined {
  const f = field.replace(/^options\./, "");
  const map: Record<string, OptionField> = {
    format: "format",
    landscape: "landscape",
    scale: "scale",
    print_background: "printBackground",
    media: "media",
    wait_for_selector: "waitForSelector",
    delay_ms: "delayMs",
    "margin.top": "margin.top",
    "margin.right": "margin.right",
    "margin.bottom": "margin.bottom",
    "margin.left": "margin.left",
    margin: "margin.top",
    page_ranges: "pageRanges",
    single_page: "singlePage",
    prefer_css_page_size: "preferCssPageSize",
    omit_background: "omitBackground",
    user_agent: "userAgent",
    wait_for_expression: "waitForExpression",
    fail_on_http_status: "failOnHttpStatus",
    fail_on_resource_http_status: "failOnResourceHttpStatus",
    fail_on_resource_loading_failed: "failOnResourceLoadingFailed",
    fail_on_console_exceptions: "failOnConsoleExceptions",
    filename: "filename",
    output: "output",
    full_page: "fullPage",
    quality: "quality",
  };
  if (f.startsWith("media_features")) return "colorScheme";
  if (f.startsWith("headers")) return "headers";
  if (f.startsWith("cookies")) return "cookies";
  return field.startsWith("options.") ? map[f] : undefined;
}

/** Turns what a person typed into a URL: "example.com" becomes "https://example.com". */
export function normalizeUrl(input: string): string {
  const t = input.trim();
  if (!t) return t;
  return /^[a-z][a-z0-9+.-]*:/i.test(t) ? t : `https://${t}`;
}

export function validateUrl(input: string): string | undefined {
  const t = input.trim();
  if (!t) return "Enter the address of the page to convert.";
  let u: URL;
  try {
    u = new URL(normalizeUrl(t));
  } catch {
    return "That does not look like a web address. Try something like https://example.com.";
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    return "The address must start with http:// or https://.";
  if (!u.hostname) return "The address needs a host name, like example.com.";
  return undefined;
}

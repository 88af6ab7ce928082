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
  };
}

export function saveOptions(options: OptionsForm, storage: Storage = localStorage): void {
  try {
    storage.setItem(OPTIONS_KEY, JSON.stringify(options));
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
  | "delayMs";

export type OptionErrors = Partial<Record<OptionField, string>>;

// Mirrors CssLength in api/openapi.yaml.
const CSS_LENGTH = /^(0|\d{1,4}(\.\d{1,3})?(px|in|cm|mm))$/;

export const RULES = {
  margin: "A number with cm, mm, in or px, like 1cm or 0.5in.",
  scale: "From 0.1 to 2 (1 is actual size).",
  delay: "Whole milliseconds from 0 to 10000.",
  selector: "A CSS selector such as #content or .article, at most 256 characters.",
};

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
  };
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

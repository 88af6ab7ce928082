import { useEffect, useRef, useState, type FormEvent } from "react";
import type { Api } from "../api/client";
import { newIdempotencyKey } from "../api/client";
import { ApiError } from "../api/errors";
import type { FileEntry } from "../api/types";
import {
  DEFAULT_OPTIONS,
  MARGIN_SIDES,
  PAPER_FORMATS,
  RULES,
  loadOptions,
  normalizeUrl,
  optionFieldFromApi,
  saveOptions,
  toApiOptions,
  validateOptions,
  validateUrl,
  type OptionErrors,
  type OptionField,
  type OptionsForm,
} from "../options";
import {
  SOURCE_RULES,
  UPLOAD_EXTENSIONS,
  validateHtml,
  validateUpload,
  type SourceMode,
} from "../sources";
import { Field, TextAreaField } from "./Field";

interface ConvertFormProps {
  api: Api;
  onQueued: (entry: FileEntry) => void;
}

const SIDE_LABEL = { top: "Top", right: "Right", bottom: "Bottom", left: "Left" } as const;
const MODES: { mode: SourceMode; label: string }[] = [
  { mode: "url", label: "Web page" },
  { mode: "html", label: "Paste HTML" },
  { mode: "file", label: "Upload a file" },
];

function summary(o: OptionsForm): string {
  const parts = [o.format, o.landscape ? "landscape" : "portrait"];
  if (o.scale.trim() && Number(o.scale) !== 1) parts.push(`scale ${o.scale}`);
  if (o.media === "screen") parts.push("screen styles");
  if (!o.printBackground) parts.push("no backgrounds");
  if (o.waitForSelector.trim()) parts.push("waits for an element");
  if (Number(o.delayMs) > 0) parts.push(`${o.delayMs} ms delay`);
  return parts.join(", ");
}

export function ConvertForm({ api, onQueued }: ConvertFormProps) {
  const [mode, setMode] = useState<SourceMode>("url");
  const [url, setUrl] = useState("");
  const [urlError, setUrlError] = useState<string>();
  const [html, setHtml] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [sourceError, setSourceError] = useState<string>();
  const [options, setOptions] = useState<OptionsForm>(() => loadOptions());
  const [optionErrors, setOptionErrors] = useState<OptionErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState("");
  const urlRef = useRef<HTMLInputElement>(null);
  const htmlRef = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const detailsRef = useRef<HTMLDetailsElement>(null);

  // Remember the chosen options for next time.
  useEffect(() => {
    saveOptions(options);
  }, [options]);

  function update(patch: Partial<OptionsForm>) {
    setOptions((o) => ({ ...o, ...patch }));
  }

  function clearOptionError(field: OptionField) {
    setOptionErrors((e) => {
      if (!e[field]) return e;
      const next = { ...e };
      delete next[field];
      return next;
    });
  }

  function focusOption(field: OptionField) {
    if (detailsRef.current) detailsRef.current.open = true;
    setOpen(true);
    setTimeout(() => {
      formRef.current?.querySelector<HTMLElement>(`[data-field="${field}"]`)?.focus();
    }, 0);
  }

  /** The chosen source's problem, shown on its field and focused; undefined when it is fine. */
  function checkSource(): string | undefined {
    if (mode === "url") {
      const problem = validateUrl(url);
      setUrlError(problem);
      if (problem) urlRef.current?.focus();
      return problem;
    }
    const problem = mode === "html" ? validateHtml(html) : validateUpload(file);
    setSourceError(problem);
    if (problem) (mode === "html" ? htmlRef : fileRef).current?.focus();
    return problem;
  }

  function send(apiOptions: ReturnType<typeof toApiOptions>): Promise<FileEntry> {
    if (mode === "html") return api.convertHtml(html, apiOptions, newIdempotencyKey());
    if (mode === "file" && file) return api.convertFile(file, apiOptions, newIdempotencyKey());
    return api.convert(normalizeUrl(url), apiOptions, newIdempotencyKey());
  }

  function sent(): string {
    if (mode === "html") return "Added your HTML to your PDFs. It will be ready in a moment.";
    if (mode === "file")
      return `Added ${file?.name ?? "your file"} to your PDFs. It will be ready in a moment.`;
    return `Added ${normalizeUrl(url)} to your PDFs. It will be ready in a moment.`;
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setFormError(undefined);
    setStatus("");
    const oErrs = validateOptions(options);
    setOptionErrors(oErrs);
    const firstOption = Object.keys(oErrs)[0] as OptionField | undefined;
    if (checkSource()) return;
    if (firstOption) {
      focusOption(firstOption);
      return;
    }
    setBusy(true);
    try {
      const entry = await send(toApiOptions(options));
      onQueued(entry);
      setStatus(sent());
      setUrl("");
      setHtml("");
      setFile(null);
      if (fileRef.current) fileRef.current.value = "";
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : undefined;
      if (apiErr?.status === 401) return; // the session ended; the app shows the sign-in page
      const message = apiErr?.message ?? "Something went wrong. Please try again.";
      const optField = apiErr?.field ? optionFieldFromApi(apiErr.field) : undefined;
      if (apiErr?.field === "url") {
        setUrlError(message);
        urlRef.current?.focus();
      } else if (apiErr?.field === "html" || apiErr?.field === "file") {
        setSourceError(message);
        (mode === "html" ? htmlRef : fileRef).current?.focus();
      } else if (optField) {
        setOptionErrors({ [optField]: message });
        focusOption(optField);
      } else {
        setFormError(message);
      }
    } finally {
      setBusy(false);
    }
  }

  const err = optionErrors;

  return (
    <section className="card" aria-labelledby="convert-heading">
      <h2 id="convert-heading">Convert to PDF</h2>
      <form ref={formRef} noValidate onSubmit={onSubmit} aria-busy={busy || undefined}>
        <fieldset className="radios source-modes">
          <legend>What to convert</legend>
          {MODES.map(({ mode: m, label }) => (
            <label key={m}>
              <input
                type="radio"
                name="source"
                checked={mode === m}
                onChange={() => {
                  setMode(m);
                  setSourceError(undefined);
                  setUrlError(undefined);
                }}
              />{" "}
              {label}
            </label>
          ))}
        </fieldset>

        {mode === "url" && (
          <Field
            ref={urlRef}
            label="Page URL"
            type="url"
            name="url"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            autoCapitalize="none"
            placeholder="https://example.com/article"
            hint="The address of the page you want as a PDF."
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              if (urlError) setUrlError(undefined);
            }}
            error={urlError}
            after={
              url ? (
                <button
                  type="button"
                  className="button button--ghost clear"
                  aria-label="Clear URL"
                  onClick={() => {
                    setUrl("");
                    setUrlError(undefined);
                    urlRef.current?.focus();
                  }}
                >
                  Clear
                </button>
              ) : null
            }
          />
        )}
        {mode === "html" && (
          <TextAreaField
            ref={htmlRef}
            label="HTML"
            name="html"
            rows={8}
            spellCheck={false}
            autoCapitalize="none"
            placeholder="<h1>Invoice 42</h1>"
            hint={SOURCE_RULES.html}
            value={html}
            onChange={(e) => {
              setHtml(e.target.value);
              if (sourceError) setSourceError(undefined);
            }}
            error={sourceError}
          />
        )}
        {mode === "file" && (
          <Field
            ref={fileRef}
            label="File"
            type="file"
            name="file"
            accept={UPLOAD_EXTENSIONS.join(",")}
            hint={SOURCE_RULES.file}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              if (sourceError) setSourceError(undefined);
            }}
            error={sourceError}
          />
        )}

        <details
          ref={detailsRef}
          className="options"
          open={open}
          onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
        >
          <summary>
            Options <span className="summary-note">({summary(options)})</span>
          </summary>
          <div className="options-grid">
            <div className="field">
              <label htmlFor="opt-format">Page size</label>
              <select
                id="opt-format"
                data-field="format"
                value={options.format}
                onChange={(e) => update({ format: e.target.value as OptionsForm["format"] })}
              >
                {PAPER_FORMATS.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
            </div>

            <fieldset className="radios">
              <legend>Orientation</legend>
              <label>
                <input
                  type="radio"
                  name="orientation"
                  data-field="landscape"
                  checked={!options.landscape}
                  onChange={() => update({ landscape: false })}
                />{" "}
                Portrait
              </label>
              <label>
                <input
                  type="radio"
                  name="orientation"
                  checked={options.landscape}
                  onChange={() => update({ landscape: true })}
                />{" "}
                Landscape
              </label>
            </fieldset>

            <fieldset className="margins">
              <legend>Margins</legend>
              <p className="hint" id="margin-rule">
                {RULES.margin}
              </p>
              <div className="margin-grid">
                {MARGIN_SIDES.map((side) => (
                  <Field
                    key={side}
                    label={SIDE_LABEL[side]}
                    aria-label={`${SIDE_LABEL[side]} margin`}
                    data-field={`margin.${side}`}
                    inputMode="decimal"
                    spellCheck={false}
                    value={options.margin[side]}
                    onChange={(e) => {
                      update({ margin: { ...options.margin, [side]: e.target.value } });
                      clearOptionError(`margin.${side}`);
                    }}
                    error={err[`margin.${side}`]}
                  />
                ))}
              </div>
            </fieldset>

            <Field
              label="Scale"
              data-field="scale"
              type="number"
              inputMode="decimal"
              min={0.1}
              max={2}
              step={0.1}
              hint={RULES.scale}
              value={options.scale}
              onChange={(e) => {
                update({ scale: e.target.value });
                clearOptionError("scale");
              }}
              error={err.scale}
            />

            <fieldset className="radios">
              <legend>CSS media</legend>
              <label>
                <input
                  type="radio"
                  name="media"
                  data-field="media"
                  checked={options.media === "print"}
                  onChange={() => update({ media: "print" })}
                />{" "}
                Print (how the site wants to be printed)
              </label>
              <label>
                <input
                  type="radio"
                  name="media"
                  checked={options.media === "screen"}
                  onChange={() => update({ media: "screen" })}
                />{" "}
                Screen (as it looks in a browser)
              </label>
            </fieldset>

            <div className="checkbox">
              <input
                id="opt-background"
                type="checkbox"
                data-field="printBackground"
                checked={options.printBackground}
                onChange={(e) => update({ printBackground: e.target.checked })}
              />
              <label htmlFor="opt-background">Print background graphics</label>
            </div>

            <Field
              label="Wait for element (CSS selector)"
              data-field="waitForSelector"
              spellCheck={false}
              autoCapitalize="none"
              placeholder="#content"
              hint={`Optional. ${RULES.selector}`}
              value={options.waitForSelector}
              onChange={(e) => {
                update({ waitForSelector: e.target.value });
                clearOptionError("waitForSelector");
              }}
              error={err.waitForSelector}
            />

            <Field
              label="Extra delay (milliseconds)"
              data-field="delayMs"
              type="number"
              inputMode="numeric"
              min={0}
              max={10000}
              step={100}
              hint={`Optional wait after the page loads. ${RULES.delay}`}
              value={options.delayMs}
              onChange={(e) => {
                update({ delayMs: e.target.value });
                clearOptionError("delayMs");
              }}
              error={err.delayMs}
            />
          </div>
          <button
            type="button"
            className="button button--ghost"
            onClick={() => {
              setOptions(DEFAULT_OPTIONS);
              setOptionErrors({});
              setStatus("Options reset to the defaults.");
            }}
          >
            Reset options
          </button>
        </details>

        {formError && (
          <div className="notice notice--alert" role="alert">
            {formError}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            Convert
          </button>
          <p className="hint" role="status" aria-live="polite">
            {busy ? "Sending…" : status}
          </p>
        </div>
      </form>
    </section>
  );
}

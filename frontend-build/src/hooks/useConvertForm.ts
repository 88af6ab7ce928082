import { useEffect, useRef, useState, type FormEvent } from "react";
import type { Api } from "../api/client";
import { newIdempotencyKey } from "../api/client";
import { ApiError } from "../api/errors";
import type { FileEntry } from "../api/types";
import {
  DEFAULT_OPTIONS,
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
import { validateHtml, validateUpload, type SourceMode } from "../sources";

/** The convert form's state and behaviour: what to convert, the options, sending, and errors placed on their fields. */
export function useConvertForm(api: Api, onQueued: (entry: FileEntry) => void) {
  const [mode, setModeState] = useState<SourceMode>("url");
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

  function setMode(next: SourceMode) {
    setModeState(next);
    setSourceError(undefined);
    setUrlError(undefined);
  }

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

  function resetOptions() {
    setOptions(DEFAULT_OPTIONS);
    setOptionErrors({});
    setStatus("Options reset to the defaults.");
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

  function showServerError(err: unknown) {
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
      update({ filename: "", headers: "", cookies: "" }); // for one conversion (headers and cookies: credentials)
      if (fileRef.current) fileRef.current.value = "";
    } catch (err) {
      showServerError(err);
    } finally {
      setBusy(false);
    }
  }

  return {
    source: {
      mode,
      setMode,
      url,
      setUrl,
      urlError,
      setUrlError,
      html,
      setHtml,
      setFile,
      sourceError,
      setSourceError,
      urlRef,
      htmlRef,
      fileRef,
    },
    options: {
      values: options,
      errors: optionErrors,
      update,
      clearError: clearOptionError,
      reset: resetOptions,
      open,
      setOpen,
      detailsRef,
    },
    formRef,
    formError,
    busy,
    status,
    onSubmit,
  };
}

export type ConvertFormState = ReturnType<typeof useConvertForm>;
export type SourceState = ConvertFormState["source"];
export type OptionsState = ConvertFormState["options"];

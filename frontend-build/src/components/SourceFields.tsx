import type { SourceState } from "../hooks/useConvertForm";
import { SOURCE_RULES, UPLOAD_EXTENSIONS, type SourceMode } from "../sources";
import { Field, TextAreaField } from "./Field";

const MODES: { mode: SourceMode; label: string }[] = [
  { mode: "url", label: "Web page" },
  { mode: "html", label: "Paste HTML" },
  { mode: "file", label: "Upload a file" },
];

/** What to convert: a URL, pasted HTML or an uploaded file. */
export function SourceFields({ source: s }: { source: SourceState }) {
  return (
    <>
      <fieldset className="radios source-modes">
        <legend>What to convert</legend>
        {MODES.map(({ mode, label }) => (
          <label key={mode}>
            <input
              type="radio"
              name="source"
              checked={s.mode === mode}
              onChange={() => s.setMode(mode)}
            />{" "}
            {label}
          </label>
        ))}
      </fieldset>

      {s.mode === "url" && (
        <Field
          ref={s.urlRef}
          label="Page URL"
          type="url"
          name="url"
          inputMode="url"
          autoComplete="url"
          spellCheck={false}
          autoCapitalize="none"
          placeholder="https://example.com/article"
          hint="The address of the page you want as a PDF."
          value={s.url}
          onChange={(e) => {
            s.setUrl(e.target.value);
            if (s.urlError) s.setUrlError(undefined);
          }}
          error={s.urlError}
          after={
            s.url ? (
              <button
                type="button"
                className="button button--ghost clear"
                aria-label="Clear URL"
                onClick={() => {
                  s.setUrl("");
                  s.setUrlError(undefined);
                  s.urlRef.current?.focus();
                }}
              >
                Clear
              </button>
            ) : null
          }
        />
      )}
      {s.mode === "html" && (
        <TextAreaField
          ref={s.htmlRef}
          label="HTML"
          name="html"
          rows={8}
          spellCheck={false}
          autoCapitalize="none"
          placeholder="<h1>Invoice 42</h1>"
          hint={SOURCE_RULES.html}
          value={s.html}
          onChange={(e) => {
            s.setHtml(e.target.value);
            if (s.sourceError) s.setSourceError(undefined);
          }}
          error={s.sourceError}
        />
      )}
      {s.mode === "file" && (
        <Field
          ref={s.fileRef}
          label="File"
          type="file"
          name="file"
          accept={UPLOAD_EXTENSIONS.join(",")}
          hint={SOURCE_RULES.file}
          onChange={(e) => {
            s.setFile(e.target.files?.[0] ?? null);
            if (s.sourceError) s.setSourceError(undefined);
          }}
          error={s.sourceError}
        />
      )}
    </>
  );
}

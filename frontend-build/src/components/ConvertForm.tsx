import type { Api } from "../api/client";
import type { FileEntry } from "../api/types";
import { useConvertForm } from "../hooks/useConvertForm";
import { OptionsFieldset } from "./OptionsFieldset";
import { SourceFields } from "./SourceFields";

interface ConvertFormProps {
  api: Api;
  onQueued: (entry: FileEntry) => void;
}

export function ConvertForm({ api, onQueued }: ConvertFormProps) {
  const form = useConvertForm(api, onQueued);
  return (
    <section className="card" aria-labelledby="convert-heading">
      <h2 id="convert-heading">Convert to PDF</h2>
      <form
        ref={form.formRef}
        noValidate
        onSubmit={form.onSubmit}
        aria-busy={form.busy || undefined}
      >
        <SourceFields source={form.source} />
        <OptionsFieldset options={form.options} />
        {form.formError && (
          <div className="notice notice--alert" role="alert">
            {form.formError}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={form.busy}>
            Convert
          </button>
          <p className="hint" role="status" aria-live="polite">
            {form.busy ? "Sending…" : form.status}
          </p>
        </div>
      </form>
    </section>
  );
}

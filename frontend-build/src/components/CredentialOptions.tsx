import type { OptionsState } from "../hooks/useConvertForm";
import { RULES } from "../options";
import { TextAreaField } from "./Field";

type CredentialKey = "headers" | "cookies";

/** Headers and cookies for a page behind a login: sent only to that page's site, never remembered. */
export function CredentialOptions({ options }: { options: OptionsState }) {
  return (
    <>
      <CredentialLines
        options={options}
        field="headers"
        label="Request headers"
        placeholder="Authorization: Bearer …"
      />
      <CredentialLines options={options} field="cookies" label="Cookies" placeholder="session=…" />
    </>
  );
}

function CredentialLines({
  options,
  field,
  label,
  placeholder,
}: {
  options: OptionsState;
  field: CredentialKey;
  label: string;
  placeholder: string;
}) {
  return (
    <TextAreaField
      label={label}
      data-field={field}
      rows={3}
      spellCheck={false}
      autoCapitalize="none"
      autoComplete="off"
      placeholder={placeholder}
      hint={`Optional. ${RULES[field]}`}
      value={options.values[field]}
      onChange={(e) => {
        options.update({ [field]: e.target.value });
        options.clearError(field);
      }}
      error={options.errors[field]}
    />
  );
}

import type { InputHTMLAttributes, ReactNode } from "react";
import type { OptionsState } from "../hooks/useConvertForm";
import type { OptionField, OptionsForm } from "../options";
import { Field } from "./Field";

/** The options typed as text. */
type TextKey = {
  [K in keyof OptionsForm & OptionField]: OptionsForm[K] extends string ? K : never;
}[keyof OptionsForm & OptionField];

interface TextOptionProps extends Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "id" | "className" | "value" | "onChange"
> {
  options: OptionsState;
  field: TextKey;
  label: string;
  hint?: ReactNode;
}

/** One text option: its value, its error, and clearing the error as it is edited. */
export function TextOption({ options, field, label, hint, ...input }: TextOptionProps) {
  return (
    <Field
      label={label}
      data-field={field}
      spellCheck={false}
      autoCapitalize="none"
      hint={hint}
      value={options.values[field]}
      onChange={(e) => {
        options.update({ [field]: e.target.value } as Partial<OptionsForm>);
        options.clearError(field);
      }}
      error={options.errors[field]}
      {...input}
    />
  );
}

/** The options that are on or off. */
type BoolKey = {
  [K in keyof OptionsForm & OptionField]: OptionsForm[K] extends boolean ? K : never;
}[keyof OptionsForm & OptionField];

interface CheckboxProps {
  options: OptionsState;
  field: BoolKey;
  label: string;
}

/** One option that is on or off. */
export function Checkbox({ options, field, label }: CheckboxProps) {
  const id = `opt-${field}`;
  return (
    <div className="checkbox">
      <input
        id={id}
        type="checkbox"
        data-field={field}
        checked={options.values[field]}
        onChange={(e) => options.update({ [field]: e.target.checked } as Partial<OptionsForm>)}
      />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

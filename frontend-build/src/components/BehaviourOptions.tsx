import type { OptionsState } from "../hooks/useConvertForm";
import {
  COLOR_SCHEMES,
  RULES,
  type ColorScheme,
  type OptionField,
  type OptionsForm,
} from "../options";
import { Field, SelectField } from "./Field";

type TextOption =
  | "userAgent"
  | "waitForSelector"
  | "waitForExpression"
  | "delayMs"
  | "failOnHttpStatus"
  | "failOnResourceHttpStatus"
  | "filename";

const SCHEME_LABEL: Record<ColorScheme, string> = {
  "": "As the page prefers",
  light: "Light",
  dark: "Dark",
};

interface CheckboxProps {
  id: string;
  field: OptionField;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}

export function Checkbox({ id, field, label, checked, onChange }: CheckboxProps) {
  return (
    <div className="checkbox">
      <input
        id={id}
        type="checkbox"
        data-field={field}
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}

/** How the page is shown (media, scheme, background, agent), when it is ready, when it fails, and the download's name. */
export function BehaviourOptions({ options }: { options: OptionsState }) {
  const { values, errors: err, update, clearError } = options;
  function text(field: TextOption, value: string) {
    update({ [field]: value } as Partial<OptionsForm>);
    clearError(field);
  }
  return (
    <>
      <fieldset className="radios">
        <legend>CSS media</legend>
        <label>
          <input
            type="radio"
            name="media"
            data-field="media"
            checked={values.media === "print"}
            onChange={() => update({ media: "print" })}
          />{" "}
          Print (how the site wants to be printed)
        </label>
        <label>
          <input
            type="radio"
            name="media"
            checked={values.media === "screen"}
            onChange={() => update({ media: "screen" })}
          />{" "}
          Screen (as it looks in a browser)
        </label>
      </fieldset>

      <SelectField
        label="Colour scheme"
        data-field="colorScheme"
        value={values.colorScheme}
        onChange={(e) => {
          update({ colorScheme: e.target.value as ColorScheme });
          clearError("colorScheme");
        }}
        error={err.colorScheme}
      >
        {COLOR_SCHEMES.map((scheme) => (
          <option key={scheme} value={scheme}>
            {SCHEME_LABEL[scheme]}
          </option>
        ))}
      </SelectField>
      <Checkbox
        id="opt-motion"
        field="colorScheme"
        label="Reduce motion"
        checked={values.reducedMotion}
        onChange={(reducedMotion) => update({ reducedMotion })}
      />

      <Checkbox
        id="opt-background"
        field="printBackground"
        label="Print background graphics"
        checked={values.printBackground}
        onChange={(printBackground) => update({ printBackground })}
      />
      <Checkbox
        id="opt-transparent"
        field="omitBackground"
        label="Transparent background"
        checked={values.omitBackground}
        onChange={(omitBackground) => update({ omitBackground })}
      />

      <Field
        label="User agent"
        data-field="userAgent"
        spellCheck={false}
        autoCapitalize="none"
        hint="Optional. The browser name the site sees."
        value={values.userAgent}
        onChange={(e) => text("userAgent", e.target.value)}
        error={err.userAgent}
      />

      <Field
        label="Wait for element (CSS selector)"
        data-field="waitForSelector"
        spellCheck={false}
        autoCapitalize="none"
        placeholder="#content"
        hint={`Optional. ${RULES.selector}`}
        value={values.waitForSelector}
        onChange={(e) => text("waitForSelector", e.target.value)}
        error={err.waitForSelector}
      />
      <Field
        label="Wait until JavaScript is true"
        data-field="waitForExpression"
        spellCheck={false}
        autoCapitalize="none"
        placeholder="window.chartReady === true"
        hint={`Optional. ${RULES.expression}`}
        value={values.waitForExpression}
        onChange={(e) => text("waitForExpression", e.target.value)}
        error={err.waitForExpression}
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
        value={values.delayMs}
        onChange={(e) => text("delayMs", e.target.value)}
        error={err.delayMs}
      />

      <Field
        label="Fail when the page answers"
        data-field="failOnHttpStatus"
        spellCheck={false}
        placeholder="4xx, 5xx"
        hint={`${RULES.statuses} Empty: every 4xx and 5xx.`}
        value={values.failOnHttpStatus}
        onChange={(e) => text("failOnHttpStatus", e.target.value)}
        error={err.failOnHttpStatus}
      />
      <Field
        label="Fail when a resource answers"
        data-field="failOnResourceHttpStatus"
        spellCheck={false}
        placeholder="404"
        hint={`${RULES.statuses} Empty: never.`}
        value={values.failOnResourceHttpStatus}
        onChange={(e) => text("failOnResourceHttpStatus", e.target.value)}
        error={err.failOnResourceHttpStatus}
      />
      <Checkbox
        id="opt-fail-loading"
        field="failOnResourceLoadingFailed"
        label="Fail if a resource cannot be loaded"
        checked={values.failOnResourceLoadingFailed}
        onChange={(failOnResourceLoadingFailed) => update({ failOnResourceLoadingFailed })}
      />
      <Checkbox
        id="opt-fail-exceptions"
        field="failOnConsoleExceptions"
        label="Fail on uncaught script errors"
        checked={values.failOnConsoleExceptions}
        onChange={(failOnConsoleExceptions) => update({ failOnConsoleExceptions })}
      />

      <Field
        label="Download name"
        data-field="filename"
        spellCheck={false}
        placeholder="Quarterly report"
        hint={`Optional. ${RULES.filename}`}
        value={values.filename}
        onChange={(e) => text("filename", e.target.value)}
        error={err.filename}
      />
    </>
  );
}

import type { OptionsState } from "../hooks/useConvertForm";
import { COLOR_SCHEMES, RULES, type ColorScheme } from "../options";
import { SelectField } from "./Field";
import { Checkbox, TextOption } from "./OptionInputs";

const SCHEME_LABEL: Record<ColorScheme, string> = {
  "": "As the page prefers",
  light: "Light",
  dark: "Dark",
};

/** How the page is shown (media, scheme, background, agent), when it is ready, when it fails, and the download's name. */
export function BehaviourOptions({ options }: { options: OptionsState }) {
  const { values, errors: err, update, clearError } = options;
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
      <Checkbox options={options} field="reducedMotion" label="Reduce motion" />

      <Checkbox options={options} field="printBackground" label="Print background graphics" />
      <Checkbox options={options} field="omitBackground" label="Transparent background" />

      <TextOption
        options={options}
        field="userAgent"
        label="User agent"
        hint="Optional. The browser name the site sees."
      />

      <TextOption
        options={options}
        field="waitForSelector"
        label="Wait for element (CSS selector)"
        placeholder="#content"
        hint={`Optional. ${RULES.selector}`}
      />
      <TextOption
        options={options}
        field="waitForExpression"
        label="Wait until JavaScript is true"
        placeholder="window.chartReady === true"
        hint={`Optional. ${RULES.expression}`}
      />
      <TextOption
        options={options}
        field="delayMs"
        label="Extra delay (milliseconds)"
        type="number"
        inputMode="numeric"
        min={0}
        max={10000}
        step={100}
        hint={`Optional wait after the page loads. ${RULES.delay}`}
      />

      <TextOption
        options={options}
        field="failOnHttpStatus"
        label="Fail when the page answers"
        placeholder="4xx, 5xx"
        hint={`${RULES.statuses} Empty: every 4xx and 5xx.`}
      />
      <TextOption
        options={options}
        field="failOnResourceHttpStatus"
        label="Fail when a resource answers"
        placeholder="404"
        hint={`${RULES.statuses} Empty: never.`}
      />
      <Checkbox
        options={options}
        field="failOnResourceLoadingFailed"
        label="Fail if a resource cannot be loaded"
      />
      <Checkbox
        options={options}
        field="failOnConsoleExceptions"
        label="Fail on uncaught script errors"
      />

      <TextOption
        options={options}
        field="filename"
        label="Download name"
        placeholder="Quarterly report"
        hint={`Optional. ${RULES.filename}`}
      />
    </>
  );
}

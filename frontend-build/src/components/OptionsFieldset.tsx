import type { OptionsState } from "../hooks/useConvertForm";
import {
  MARGIN_SIDES,
  OUTPUTS,
  PAPER_FORMATS,
  RULES,
  isImage,
  type Output,
  type OptionsForm,
} from "../options";
import { Field, SelectField } from "./Field";
import { BehaviourOptions } from "./BehaviourOptions";
import { CredentialOptions } from "./CredentialOptions";
import { Checkbox, TextOption } from "./OptionInputs";

const OUTPUT_LABEL: Record<Output, string> = {
  pdf: "PDF document",
  png: "PNG image (screenshot)",
  jpeg: "JPEG image (screenshot)",
  webp: "WebP image (screenshot)",
};

const SIDE_LABEL = { top: "Top", right: "Right", bottom: "Bottom", left: "Left" } as const;

function summary(o: OptionsForm): string {
  if (isImage(o.output))
    return [
      `${o.output.toUpperCase()} screenshot`,
      o.fullPage ? "whole page" : "first screen",
    ].join(", ");
  const parts = [o.format, o.landscape ? "landscape" : "portrait"];
  if (o.singlePage) parts.push("one tall page");
  if (o.pageRanges.trim()) parts.push(`pages ${o.pageRanges.trim()}`);
  if (o.scale.trim() && Number(o.scale) !== 1) parts.push(`scale ${o.scale}`);
  if (o.media === "screen") parts.push("screen styles");
  if (o.colorScheme) parts.push(`${o.colorScheme} scheme`);
  if (!o.printBackground) parts.push("no backgrounds");
  if (o.waitForSelector.trim()) parts.push("waits for an element");
  if (o.waitForExpression.trim()) parts.push("waits for an expression");
  if (Number(o.delayMs) > 0) parts.push(`${o.delayMs} ms delay`);
  return parts.join(", ");
}

/** The options panel: the output, then paper and layout (PDF) or the screenshot's, then BehaviourOptions
 * and the page's headers and cookies. */
export function OptionsFieldset({ options }: { options: OptionsState }) {
  const { values, errors: err, update, clearError } = options;
  return (
    <details
      ref={options.detailsRef}
      className="options"
      open={options.open}
      onToggle={(e) => options.setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        Options <span className="summary-note">({summary(values)})</span>
      </summary>
      <div className="options-grid">
        <SelectField
          label="Output"
          data-field="output"
          value={values.output}
          onChange={(e) => {
            update({ output: e.target.value as Output });
            clearError("output");
          }}
          error={err.output}
        >
          {OUTPUTS.map((output) => (
            <option key={output} value={output}>
              {OUTPUT_LABEL[output]}
            </option>
          ))}
        </SelectField>
        {isImage(values.output) ? (
          <ScreenshotOptions options={options} />
        ) : (
          <PaperOptions options={options} />
        )}
        <BehaviourOptions options={options} />
        <CredentialOptions options={options} />
      </div>
      <button type="button" className="button button--ghost" onClick={options.reset}>
        Reset options
      </button>
    </details>
  );
}

/** Whole page or first screen, and quality for the lossy formats. */
function ScreenshotOptions({ options }: { options: OptionsState }) {
  const { values } = options;
  return (
    <>
      <Checkbox
        options={options}
        field="fullPage"
        label="The whole page (not just the first screen)"
      />
      {values.output !== "png" && (
        <TextOption
          options={options}
          field="quality"
          label="Quality"
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          step={5}
          hint="Optional. 0 to 100; higher is sharper and larger."
        />
      )}
    </>
  );
}

/** Paper, orientation, margins, scale and pages: what shapes a PDF. */
function PaperOptions({ options }: { options: OptionsState }) {
  const { values, errors: err, update, clearError } = options;
  return (
    <>
      <div className="field">
        <label htmlFor="opt-format">Page size</label>
        <select
          id="opt-format"
          data-field="format"
          value={values.format}
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
            checked={!values.landscape}
            onChange={() => update({ landscape: false })}
          />{" "}
          Portrait
        </label>
        <label>
          <input
            type="radio"
            name="orientation"
            checked={values.landscape}
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
              value={values.margin[side]}
              onChange={(e) => {
                update({ margin: { ...values.margin, [side]: e.target.value } });
                clearError(`margin.${side}`);
              }}
              error={err[`margin.${side}`]}
            />
          ))}
        </div>
      </fieldset>

      <TextOption
        options={options}
        field="scale"
        label="Scale"
        type="number"
        inputMode="decimal"
        min={0.1}
        max={2}
        step={0.1}
        hint={RULES.scale}
      />

      <TextOption
        options={options}
        field="pageRanges"
        label="Pages to print"
        placeholder="1-3, 5"
        hint={RULES.pageRanges}
      />

      <Checkbox options={options} field="singlePage" label="Everything on one tall page" />
      <Checkbox
        options={options}
        field="preferCssPageSize"
        label="Use the page's own paper size (CSS @page)"
      />
    </>
  );
}

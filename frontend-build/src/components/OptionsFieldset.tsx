import type { OptionsState } from "../hooks/useConvertForm";
import { MARGIN_SIDES, PAPER_FORMATS, RULES, type OptionsForm } from "../options";
import { Field } from "./Field";
import { BehaviourOptions, Checkbox } from "./BehaviourOptions";

const SIDE_LABEL = { top: "Top", right: "Right", bottom: "Bottom", left: "Left" } as const;

function summary(o: OptionsForm): string {
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

/** The options panel: paper and layout here, how the page is shown and when it fails in BehaviourOptions. */
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

        <Field
          label="Scale"
          data-field="scale"
          type="number"
          inputMode="decimal"
          min={0.1}
          max={2}
          step={0.1}
          hint={RULES.scale}
          value={values.scale}
          onChange={(e) => {
            update({ scale: e.target.value });
            clearError("scale");
          }}
          error={err.scale}
        />

        <Field
          label="Pages to print"
          data-field="pageRanges"
          spellCheck={false}
          placeholder="1-3, 5"
          hint={RULES.pageRanges}
          value={values.pageRanges}
          onChange={(e) => {
            update({ pageRanges: e.target.value });
            clearError("pageRanges");
          }}
          error={err.pageRanges}
        />

        <Checkbox
          id="opt-single-page"
          field="singlePage"
          label="Everything on one tall page"
          checked={values.singlePage}
          onChange={(singlePage) => update({ singlePage })}
        />
        <Checkbox
          id="opt-css-size"
          field="preferCssPageSize"
          label="Use the page's own paper size (CSS @page)"
          checked={values.preferCssPageSize}
          onChange={(preferCssPageSize) => update({ preferCssPageSize })}
        />

        <BehaviourOptions options={options} />
      </div>
      <button type="button" className="button button--ghost" onClick={options.reset}>
        Reset options
      </button>
    </details>
  );
}

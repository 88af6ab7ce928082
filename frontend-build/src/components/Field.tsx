import {
  forwardRef,
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";

interface FrameProps {
  label: string;
  /** The rule for this field, shown before it is broken. */
  hint?: ReactNode;
  error?: string;
  className?: string;
}

interface FieldProps
  extends FrameProps, Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "className"> {
  /** Something to show right after the input (e.g. a clear button). */
  after?: ReactNode;
}

interface TextAreaFieldProps
  extends FrameProps, Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id" | "className"> {}

interface SelectFieldProps
  extends FrameProps, Omit<SelectHTMLAttributes<HTMLSelectElement>, "id" | "className"> {}

/** Label, hint and error around one control, tied to it with aria-describedby. */
function useFrame({ label, hint, error, className }: FrameProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const control = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") || undefined,
  };
  const frame = (children: ReactNode) => (
    <div className={`field${error ? " field--invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      <div className="field-control">{children}</div>
      {error && (
        <p id={errorId} className="field-error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
  return { control, frame };
}

/** A labelled input whose hint and error are tied to it with aria-describedby. */
export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field(
  { label, hint, error, after, className, ...input },
  ref,
) {
  const { control, frame } = useFrame({ label, hint, error, className });
  return frame(
    <>
      <input ref={ref} {...control} {...input} />
      {after}
    </>,
  );
});

/** The same, for several lines of text. */
export const TextAreaField = forwardRef<HTMLTextAreaElement, TextAreaFieldProps>(
  function TextAreaField({ label, hint, error, className, ...textarea }, ref) {
    const { control, frame } = useFrame({ label, hint, error, className });
    return frame(<textarea ref={ref} {...control} {...textarea} />);
  },
);

/** The same, for a choice from a list. */
export function SelectField({ label, hint, error, className, ...select }: SelectFieldProps) {
  const { control, frame } = useFrame({ label, hint, error, className });
  return frame(<select {...control} {...select} />);
}

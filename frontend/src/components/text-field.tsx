import { type ComponentProps, useId } from "react";
import { ApiError } from "../api/api-error.ts";

interface FieldProps {
  label: string;
  /** The API field path whose `details` message is shown under the control. */
  name: string;
  error?: unknown;
  hint?: string;
}

type InputFieldProps = FieldProps & Omit<ComponentProps<"input">, "id" | "name"> & { multiline?: false };
/** `multiline` renders a textarea (`rows` and every other textarea attribute pass through). */
type TextareaFieldProps = FieldProps & Omit<ComponentProps<"textarea">, "id" | "name"> & { multiline: true };

type TextFieldProps = InputFieldProps | TextareaFieldProps;

/** Labelled input or textarea that shows the API's validation message for its field. */
export function TextField(props: TextFieldProps) {
  const { label, name, error, hint } = props;
  const id = useId();
  const message = error instanceof ApiError ? error.fieldMessage(name) : undefined;
  const describedBy = [hint ? `${id}-hint` : "", message ? `${id}-error` : "", props["aria-describedby"] ?? ""]
    .filter(Boolean)
    .join(" ");
  const common = {
    id,
    name,
    "aria-invalid": message ? true : undefined,
    "aria-describedby": describedBy || undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {props.multiline ? (
        <textarea {...controlProps(props)} {...common} />
      ) : (
        <input {...controlProps(props)} {...common} />
      )}
      {hint && (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      )}
      {message && (
        <span id={`${id}-error`} className="field-error">
          {message}
        </span>
      )}
    </div>
  );
}

/** The attributes meant for the control itself, without the field's own props. */
function controlProps<P extends TextFieldProps>({ label, name, error, hint, multiline, ...control }: P) {
  return control;
}

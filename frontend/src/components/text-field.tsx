import { type InputHTMLAttributes, useId } from "react";
import { ApiError } from "../api/api-error.ts";

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  /** The API field path whose `details` message is shown under the input. */
  name: string;
  error?: unknown;
  hint?: string;
  multiline?: false;
}

/** Labelled input that shows the API's validation message for its field. */
export function TextField({ label, name, error, hint, ...input }: TextFieldProps) {
  const id = useId();
  const message = error instanceof ApiError ? error.fieldMessage(name) : undefined;
  const describedBy = [hint ? `${id}-hint` : "", message ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={message ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
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

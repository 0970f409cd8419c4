import { type FormEvent, useId, useState } from "react";
import { ApiError } from "../api/api-error.ts";
import { toLocalInput } from "../format.ts";
import { FormAlert } from "./form-alert.tsx";
import { TextField } from "./text-field.tsx";

export interface AppointmentFormValue {
  startsAt: string;
  durationMinutes: number;
  location: string | null;
}

interface AppointmentFormProps {
  initial?: AppointmentFormValue;
  submitLabel: string;
  busy: boolean;
  error: unknown;
  onSubmit: (value: AppointmentFormValue) => void;
  onCancel?: () => void;
}

function nextHour(): string {
  const date = new Date(Date.now() + 60 * 60 * 1000);
  date.setMinutes(0, 0, 0);
  return date.toISOString();
}

/** Create or reschedule. A double booking (409 appointment_conflict) is explained next to the time. */
export function AppointmentForm({ initial, submitLabel, busy, error, onSubmit, onCancel }: AppointmentFormProps) {
  const [startsAt, setStartsAt] = useState(toLocalInput(initial?.startsAt ?? nextHour()));
  const [duration, setDuration] = useState(String(initial?.durationMinutes ?? 60));
  const [location, setLocation] = useState(initial?.location ?? "");
  const conflictId = useId();
  const conflict = error instanceof ApiError && error.code === "appointment_conflict";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const date = new Date(startsAt);
    onSubmit({
      // datetime-local has no zone: read it in the browser's zone and send an absolute instant.
      startsAt: Number.isNaN(date.getTime()) ? startsAt : date.toISOString(),
      durationMinutes: Number(duration),
      location: location.trim() === "" ? null : location.trim(),
    });
  };
  return (
    <form onSubmit={submit} noValidate aria-label={submitLabel}>
      {!conflict && <FormAlert error={error} knownFields={["startsAt", "durationMinutes", "location"]} />}
      <div className="form-row">
        <TextField
          label="Starts at"
          name="startsAt"
          type="datetime-local"
          required
          value={startsAt}
          onChange={(e) => setStartsAt(e.target.value)}
          error={error}
          aria-describedby={conflict ? conflictId : undefined}
        />
        <TextField
          label="Duration (minutes)"
          name="durationMinutes"
          type="number"
          min={15}
          max={480}
          step={15}
          required
          value={duration}
          onChange={(e) => setDuration(e.target.value)}
          error={error}
        />
        <TextField
          label="Location (optional)"
          name="location"
          value={location}
          onChange={(e) => setLocation(e.target.value)}
          error={error}
        />
      </div>
      {conflict && (
        <div id={conflictId} className="alert alert-error" role="alert" data-testid="appointment-conflict">
          {(error as ApiError).message} Pick another time.
        </div>
      )}
      <div className="row">
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button button-secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
